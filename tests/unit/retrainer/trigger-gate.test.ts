import { describe, expect, it } from "vitest";
import { INITIAL_TRIGGER_GATE, offerTrigger, runFinished, type RetrainTrigger, type TriggerDecision, type TriggerGateState } from "../../../services/retrainer/trigger-gate.ts";

const HOUR = 3_600_000;
const config = { cooldownMs: 6 * HOUR };
const drift = (i: number): RetrainTrigger => ({ kind: "drift", eventId: `m/1/dataset_drift/${i}`, reason: "drift" });

function offerAll(triggers: Array<[RetrainTrigger, number]>, finishAfterStart = true): { decisions: TriggerDecision[]; state: TriggerGateState } {
  let state = INITIAL_TRIGGER_GATE;
  const decisions: TriggerDecision[] = [];
  for (const [t, now] of triggers) {
    const r = offerTrigger(state, t, now, config);
    state = r.state;
    decisions.push(r.decision);
    if (r.decision === "start" && finishAfterStart) state = runFinished(state);
  }
  return { decisions, state };
}

describe("retrain trigger gate", () => {
  it("turns ten drift events within one cooldown into one retrain", () => {
    const { decisions } = offerAll(Array.from({ length: 10 }, (_, i) => [drift(i), i * 30 * 60_000] as [RetrainTrigger, number]));
    expect(decisions.filter((d) => d === "start")).toHaveLength(1);
    expect(decisions[0]).toBe("start");
    expect(decisions.slice(1)).toEqual(Array(9).fill("cooldown"));
  });

  it("starts again once the cooldown since the last start has passed", () => {
    const { decisions } = offerAll([
      [drift(1), 0],
      [drift(2), 6 * HOUR - 1],
      [drift(3), 6 * HOUR],
    ]);
    expect(decisions).toEqual(["start", "cooldown", "start"]);
  });

  it("never acts twice on one event id, even after the cooldown", () => {
    const { decisions } = offerAll([
      [drift(1), 0],
      [drift(1), 10 * HOUR],
      [{ kind: "degradation", eventId: "m/1/performance_degradation/5", reason: "rmse" }, 11 * HOUR],
      [{ kind: "degradation", eventId: "m/1/performance_degradation/5", reason: "rmse" }, 30 * HOUR],
    ]);
    expect(decisions).toEqual(["start", "duplicate", "start", "duplicate"]);
  });

  it("drops triggers while a run is in progress, the schedule and manual requests included", () => {
    const { decisions, state } = offerAll(
      [
        [drift(1), 0],
        [{ kind: "schedule", reason: "weekly" }, 8 * HOUR],
        [{ kind: "manual", reason: "operator" }, 9 * HOUR],
      ],
      false,
    );
    expect(decisions).toEqual(["start", "busy", "busy"]);
    expect(state.running).toBe(true);
  });

  it("lets a manual request through the cooldown but not a scheduled one", () => {
    const { decisions } = offerAll([
      [drift(1), 0],
      [{ kind: "schedule", reason: "weekly" }, HOUR],
      [{ kind: "manual", reason: "operator" }, 2 * HOUR],
    ]);
    expect(decisions).toEqual(["start", "cooldown", "start"]);
  });

  it("remembers a bounded number of event ids", () => {
    let state = INITIAL_TRIGGER_GATE;
    for (let i = 0; i < 30; i++) state = offerTrigger(state, drift(i), 0, { cooldownMs: 0, remember: 10 }).state;
    expect(state.seen).toHaveLength(10);
    expect(state.seen[0]).toBe("m/1/dataset_drift/20");
  });
});
