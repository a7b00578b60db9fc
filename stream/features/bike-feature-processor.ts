// The bike feature processor: events.bike-traffic → features.bike-traffic, one feature
// vector per new hour of a counter (duplicates and late events update history only; see
// bike-features.ts). State: the counter's recent history, keyed by counter id.
import { BikeCountEvent, FeatureVector, type BikeCountEvent as Event } from "../../schemas/index.ts";
import type { Processor, Stream } from "../runtime/index.ts";
import { BIKE_FEATURE_SPEC, stepBikeFeatures, type BikeCounterState } from "./bike-features.ts";

export interface BikeFeatureProcessorOptions {
  name?: string;
  events: Stream<BikeCountEvent>;
  features: Stream<FeatureVector>;
}

export function bikeFeatureProcessor(options: BikeFeatureProcessorOptions): Processor<BikeCounterState> {
  return {
    name: options.name ?? "edgeflow-features-bike-traffic",
    inputs: [options.events as Stream<unknown>],
    outputs: { features: options.features as Stream<unknown> },
    process(records, ctx) {
      // States made in this batch belong to it: later events of the batch update them in place.
      const owned = new Set<BikeCounterState>();
      for (const record of records) {
        const event = record.value as Event;
        if (record.key !== event.counterId) {
          ctx.reject(record, `message key "${record.key}" is not the event's counterId "${event.counterId}"`, "KEY_MISMATCH");
          continue;
        }
        const previous = ctx.state.get(event.counterId);
        const step = stepBikeFeatures(previous, event, previous !== undefined && owned.has(previous));
        if (step.kind === "duplicate") continue;
        if (step.state !== previous) owned.add(step.state); // a new state, never a committed one
        ctx.state.put(event.counterId, step.state);
        if (step.kind !== "features") continue;
        const row = step.row;
        ctx.emit("features", event.counterId, {
          eventId: row.eventId,
          entityId: row.counterId,
          eventTime: row.eventTime,
          targetTime: row.targetTime,
          ingestedAt: record.timestamp,
          specHash: BIKE_FEATURE_SPEC.hash,
          values: row.values,
          complete: row.complete,
        } satisfies FeatureVector, record);
      }
    },
  };
}

const LAG_1H = BIKE_FEATURE_SPEC.features.findIndex((f) => f.name === "lag_1h");

/**
 * The actual count of hour `eventTime`, read off a feature vector (lag_1h of target t+1 is
 * the count at t). The outcome joiner takes actuals from the features stream rather than the
 * raw events: features and predictions are only the scorer's lag apart, while raw events in
 * a replay can run months ahead of the predictions they would be joined with.
 */
export function bikeActualFromFeatures(f: FeatureVector): { entityId: string; time: number; value: number } {
  return { entityId: f.entityId, time: f.eventTime, value: f.values[LAG_1H]! };
}
