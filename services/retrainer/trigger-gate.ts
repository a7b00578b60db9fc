// Which retraining requests start a run (pure). A drift or degradation event is delivered at
// least once and the monitor fires once per episode, but several triggers still pile up: a
// redelivered event, a degradation beside a drift, the weekly schedule in the same hour. The
// gate lets one run start and drops the rest:
//
//   duplicate  an event id already seen (redelivery, replay) — never retrains twice;
//   busy       a run is in progress — its snapshot already holds the newest data;
//   cooldown   a run started less than `cooldownMs` ago — ten drift events in one cooldown
//              give one retrain. A manual request is not held by the cooldown (an operator
//              asked), only by a run in progress.
//
// Dropped triggers are not queued: a drift that persists fires again once the monitor
// re-arms, and the schedule is the backstop. Every decision is returned so it can be counted.
import type { RetrainTriggerKind } from "../../schemas/index.ts";

export interface RetrainTrigger {
  kind: RetrainTriggerKind;
  /** Drift / degradation event id; absent for schedule and manual requests. */
  eventId?: string;
  reason: string;
  /** Event time up to which the evidence reaches (a drift window's end); snapshots end there. */
  until?: number;
}

export interface TriggerGateState {
  /** Event ids seen, oldest first, at most `remember` of them. */
  seen: string[];
  lastStartedAt: number | null;
  running: boolean;
}

export interface TriggerGateConfig {
  cooldownMs: number;
  /** Event ids remembered for de-duplication (default 1000). */
  remember?: number;
}

export type TriggerDecision = "start" | "duplicate" | "busy" | "cooldown";

export const INITIAL_TRIGGER_GATE: TriggerGateState = Object.freeze({ seen: [], lastStartedAt: null, running: false }) as TriggerGateState;

export function offerTrigger(
  state: TriggerGateState,
  trigger: RetrainTrigger,
  now: number,
  config: TriggerGateConfig,
): { state: TriggerGateState; decision: TriggerDecision } {
  if (trigger.eventId !== undefined && state.seen.includes(trigger.eventId)) return { state, decision: "duplicate" };
  const seen = trigger.eventId === undefined ? state.seen : [...state.seen, trigger.eventId].slice(-(config.remember ?? 1000));
  if (state.running) return { state: { ...state, seen }, decision: "busy" };
  const cooling = state.lastStartedAt !== null && now - state.lastStartedAt < config.cooldownMs;
  if (cooling && trigger.kind !== "manual") return { state: { ...state, seen }, decision: "cooldown" };
  return { state: { seen, lastStartedAt: now, running: true }, decision: "start" };
}

/** The run that started has ended (whatever its outcome); the cooldown runs from its start. */
export function runFinished(state: TriggerGateState): TriggerGateState {
  return { ...state, running: false };
}
