// The outcome joiner: a forecast for hour t+1 meets the actual value when it arrives →
// outcomes. Either side may come first (the actual can overtake a slow prediction), so
// per entity both sides wait in state, bounded by a horizon of event time.
import type { Outcome, Prediction } from "../../schemas/index.ts";
import type { Processor, Stream } from "../runtime/index.ts";

export interface Actual {
  entityId: string;
  time: number;
  value: number;
}

interface PendingPrediction {
  eventId: string;
  targetTime: number;
  value: number;
  model: string;
  version: string;
}

export interface JoinState {
  predictions: PendingPrediction[];
  actuals: Array<[number, number]>;
  /** Newest actual time seen: a prediction older than this by the horizon will never be joined. */
  latestActual: number;
  /** Newest prediction target seen: an actual older than this by the horizon will never be asked for. */
  latestTarget: number;
}

/**
 * Hard bound per side and entity, whatever the horizon. A replay can run the actuals far
 * ahead of the predictions (the scorer is the slower stage); 10,000 hourly actuals is more
 * than a year of lead, ~250 KB of state per entity at most.
 */
const MAX_PENDING = 10_000;

export interface OutcomeJoinerOptions<A> {
  name?: string;
  predictions: Stream<Prediction>;
  actuals: Stream<A>;
  /** Reads the entity, time and actual value from a message of the actuals stream. */
  actualOf(value: A): Actual;
  outcomes: Stream<Outcome>;
  /** How long either side waits for the other, in event time. */
  horizonMs?: number;
}

export function outcomeJoiner<A>(options: OutcomeJoinerOptions<A>): Processor<JoinState> {
  const horizon = options.horizonMs ?? 48 * 3_600_000;
  return {
    name: options.name ?? "edgeflow-outcomes",
    inputs: [options.predictions as Stream<unknown>, options.actuals as Stream<unknown>],
    outputs: { outcomes: options.outcomes as Stream<unknown> },
    process(records, ctx) {
      for (const r of records) {
        const isPrediction = r.topic === options.predictions.topic;
        const entity = isPrediction ? (r.value as Prediction).entityId : options.actualOf(r.value as A).entityId;
        const s = ctx.state.get(entity) ?? { predictions: [], actuals: [], latestActual: 0, latestTarget: 0 };
        const state: JoinState = { ...s, predictions: [...s.predictions], actuals: [...s.actuals] };
        const emit = (p: PendingPrediction, actual: number) =>
          ctx.emit("outcomes", entity, {
            eventId: p.eventId,
            entityId: entity,
            targetTime: p.targetTime,
            prediction: p.value,
            actual,
            error: p.value - actual,
            model: p.model,
            version: p.version,
          } satisfies Outcome);
        if (isPrediction) {
          const p = r.value as Prediction;
          const pending = { eventId: p.eventId, targetTime: p.targetTime, value: p.value, model: p.model, version: p.version };
          const actual = state.actuals.find(([t]) => t === p.targetTime);
          if (actual) emit(pending, actual[1]);
          else if (!state.predictions.some((q) => q.eventId === p.eventId)) state.predictions.push(pending);
          state.latestTarget = Math.max(state.latestTarget, p.targetTime);
        } else {
          const a = options.actualOf(r.value as A);
          const matched = state.predictions.filter((p) => p.targetTime === a.time);
          for (const p of matched) emit(p, a.value);
          state.predictions = state.predictions.filter((p) => p.targetTime !== a.time);
          if (!state.actuals.some(([t]) => t === a.time)) state.actuals.push([a.time, a.value]);
          state.latestActual = Math.max(state.latestActual, a.time);
        }
        state.predictions = state.predictions.filter((p) => p.targetTime >= state.latestActual - horizon).slice(-MAX_PENDING);
        state.actuals = state.actuals.filter(([t]) => t >= state.latestTarget - horizon).slice(-MAX_PENDING);
        ctx.state.put(entity, state);
      }
    },
  };
}
