import { describe, expect, it } from "vitest";
import { RetrainRun } from "../../../schemas/index.ts";
import { advanceRun, InvalidRunTransition, NEXT_STATES, requestRun } from "../../../services/retrainer/run-state.ts";

const base = { runId: "r1", model: "bike", trigger: "drift" as const, triggerEvents: ["e1"], reasons: ["drift on v1"], championVersion: "1" };

describe("retrain run state machine", () => {
  it("walks requested → snapshot → training → gated → promoted, timing each state it leaves", () => {
    let run = requestRun(base, 1_000);
    expect(run.status).toBe("requested");
    run = advanceRun(run, "snapshot", 1_500);
    run = advanceRun(run, "training", 4_000, { snapshot: { id: "s", sha256: "a".repeat(64), rows: 10, from: "2020-01-01", to: "2020-02-01", source: "t:0:0-10" } });
    run = advanceRun(run, "gated", 64_000, { candidateVersion: "2", holdoutId: "s:x..y", candidateMetrics: { rmse: 10 }, championMetrics: { rmse: 12 }, reasons: ["rmse 10 vs champion 12"] });
    run = advanceRun(run, "promoted", 64_100);
    expect(run.status).toBe("promoted");
    expect(run.durations).toEqual({ requested: 500, snapshot: 2_500, training: 60_000, gated: 100, total: 63_100 });
    expect(run.reasons).toEqual(["drift on v1", "rmse 10 vs champion 12"]);
    expect(run.snapshot?.rows).toBe(10);
    expect(RetrainRun.safeParse(run).success).toBe(true);
  });

  it("can fail from every state before the end, keeping what it knew", () => {
    for (const from of ["requested", "snapshot", "training", "gated"] as const) expect(NEXT_STATES[from]).toContain("failed");
    let run = advanceRun(requestRun(base, 0), "snapshot", 10);
    run = advanceRun(run, "training", 20, { snapshot: { id: "s", sha256: "b".repeat(64), rows: 3, from: "a", to: "b", source: "" } });
    run = advanceRun(run, "failed", 50, { error: "trainer exited with code 1", reasons: ["failed in training"] });
    expect(run.status).toBe("failed");
    expect(run.error).toBe("trainer exited with code 1");
    expect(run.snapshot?.id).toBe("s");
    expect(run.durations.training).toBe(30);
    expect(run.durations.total).toBe(50);
  });

  it("refuses to skip a state or to leave an ended run", () => {
    const run = requestRun(base, 0);
    expect(() => advanceRun(run, "gated", 1)).toThrow(InvalidRunTransition);
    expect(() => advanceRun(run, "promoted", 1)).toThrow(/cannot go from requested to promoted/);
    const failed = advanceRun(run, "failed", 1);
    expect(() => advanceRun(failed, "snapshot", 2)).toThrow(/none, it has ended/);
  });

  it("does not change the run it is given", () => {
    const run = requestRun(base, 0);
    advanceRun(run, "snapshot", 5);
    expect(run.status).toBe("requested");
    expect(run.durations).toEqual({});
  });
});
