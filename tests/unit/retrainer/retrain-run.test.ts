// One retraining run with the trainer replaced by a function that writes a version folder
// (tests/support/linear-model.ts): the states recorded, the gate on the candidate's holdout
// with the champion re-scored there, promotion or rejection, and the cooldown of the service.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { DriftEvent, RetrainRun } from "../../../schemas/index.ts";
import { CHAMPION, openRegistry, type ModelRegistry } from "../../../services/registry/index.ts";
import { Retrainer, runRetrain, type RetrainDeps, type RetrainSettings, type SnapshotRow, type TrainRequest } from "../../../services/retrainer/index.ts";
import { DRIFT_SPEC } from "../../support/drift-fixtures.ts";
import { writeLinearModelFolder } from "../../support/linear-model.ts";

const HOUR = 3_600_000;
const T0 = Date.UTC(2020, 8, 1);

/** label = a + b: a model weighting both is exact, one using `a` only is off by b. */
function rows(n: number): SnapshotRow[] {
  return Array.from({ length: n }, (_, i) => {
    const a = (i * 37) % 100;
    const b = ((i * 11) % 40) - 20;
    return { entityId: `e${i % 3}`, eventTime: T0 + i * HOUR, values: [a, b, 0], label: a + b };
  });
}

async function setup(): Promise<{ registry: ModelRegistry; dir: string; settings: RetrainSettings }> {
  const dir = mkdtempSync(join(tmpdir(), "ef-retrain-"));
  const registry = openRegistry({ backend: { kind: "file", root: join(dir, "registry") }, events: { kafkaBrokers: [], schemaRegistryUrl: "mock://", topicPrefix: "t" } });
  const v1 = await registry.register(writeLinearModelFolder(join(dir, "v1"), { name: "m", spec: DRIFT_SPEC, weights: { a: 1 } }).dir, { name: "m" });
  await registry.promote("m", v1.version);
  const settings: RetrainSettings = { model: "m", useCase: "bike-traffic", spec: DRIFT_SPEC, label: "y", workDir: join(dir, "work"), windowMs: 1_000 * HOUR, holdoutFraction: 0.2, margin: 0.02 };
  return { registry, dir, settings };
}

/** A "trainer" that writes a linear version folder whose holdout is the snapshot's last 20 rows. */
function fakeTrainer(weights: Record<string, number>, calls: TrainRequest[] = []) {
  return async (req: TrainRequest) => {
    calls.push(req);
    writeLinearModelFolder(req.outDir, { name: "m", spec: DRIFT_SPEC, weights });
    const card = JSON.parse((await import("node:fs")).readFileSync(join(req.outDir, "card.json"), "utf8"));
    card.snapshot = { ...card.snapshot, id: "snap-under-test" };
    card.split = { ...card.split, testFrom: new Date(T0 + 80 * HOUR).toISOString(), testTo: new Date(T0 + 100 * HOUR).toISOString() };
    writeFileSync(join(req.outDir, "card.json"), JSON.stringify(card));
    return { outDir: req.outDir, chosen: "linear", metrics: {}, seconds: 0.01 };
  };
}

describe("a retraining run", () => {
  it("records requested → snapshot → training → gated → promoted, scoring both versions on the candidate's holdout", async () => {
    const { registry, settings } = await setup();
    const recorded: RetrainRun[] = [];
    const calls: TrainRequest[] = [];
    const deps: RetrainDeps = {
      registry,
      rows: async () => ({ rows: rows(100), source: "t.features:0:0-100", from: T0, until: T0 + 100 * HOUR, outcomesRead: 100, featuresRead: 100 }),
      record: async (r) => void recorded.push(r),
      train: fakeTrainer({ a: 1, b: 1 }, calls),
    };
    const run = await runRetrain({ kind: "drift", eventId: "m/1/dataset_drift/0", reason: "drift on v1" }, deps, settings);
    expect(recorded.map((r) => r.status)).toEqual(["requested", "snapshot", "training", "gated", "promoted"]);
    expect(new Set(recorded.map((r) => r.runId)).size).toBe(1);
    expect(run.snapshot).toMatchObject({ rows: 100, source: "t.features:0:0-100" });
    expect(run.snapshot!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(calls[0]!.holdoutFraction).toBe(0.2);
    expect(calls[0]!.parent).toBe("1");
    expect(run.holdoutId).toBe(`snap-under-test:${new Date(T0 + 80 * HOUR).toISOString()}..${new Date(T0 + 100 * HOUR).toISOString()}`);
    expect(run.candidateMetrics).toMatchObject({ rmse: 0, n: 20 });
    expect(run.championMetrics!.rmse).toBeGreaterThan(5);
    expect(run.championMetrics!.n).toBe(20);
    expect(run.candidateVersion).toBe("2");
    expect((await registry.get("m", CHAMPION)).version).toBe("2");
    expect((await registry.get("m", "2")).card.gate).toMatchObject({ promote: true, holdoutId: run.holdoutId, championVersion: "1" });
    expect(Object.keys(run.durations).sort()).toEqual(["gated", "requested", "snapshot", "total", "training"]);
  });

  it("rejects a candidate that is worse on the holdout and leaves the champion serving", async () => {
    const { registry, settings } = await setup();
    const recorded: RetrainRun[] = [];
    const run = await runRetrain(
      { kind: "schedule", reason: "weekly" },
      {
        registry,
        rows: async () => ({ rows: rows(100), source: "", from: T0, until: T0 + 100 * HOUR, outcomesRead: 100, featuresRead: 100 }),
        record: async (r) => void recorded.push(r),
        train: fakeTrainer({ a: 0.5 }),
      },
      settings,
    );
    expect(recorded.map((r) => r.status)).toEqual(["requested", "snapshot", "training", "gated", "rejected"]);
    expect(run.reasons.some((r) => r.startsWith("rmse"))).toBe(true);
    expect((await registry.get("m", CHAMPION)).version).toBe("1");
  });

  it("fails without a snapshot when no feature vector was joined with an outcome", async () => {
    const { registry, settings } = await setup();
    const run = await runRetrain(
      { kind: "manual", reason: "operator" },
      { registry, rows: async () => ({ rows: [], source: "", from: 0, until: 1, outcomesRead: 0, featuresRead: 5 }), record: async () => undefined, train: fakeTrainer({ a: 1 }) },
      settings,
    );
    expect(run.status).toBe("failed");
    expect(run.error).toMatch(/no feature vector joined with an outcome/);
    expect(run.snapshot).toBeNull();
    expect((await registry.get("m", CHAMPION)).version).toBe("1");
  });
});

describe("the retrainer service", () => {
  it("launches one run for ten drift events that arrive within one cooldown", async () => {
    const { registry, settings } = await setup();
    const recorded: RetrainRun[] = [];
    let trainings = 0;
    const retrainer = new Retrainer({
      settings,
      cooldownMs: 6 * HOUR,
      triggers: new Set(["drift", "degradation", "schedule"]),
      deps: {
        registry,
        rows: async () => ({ rows: rows(100), source: "", from: T0, until: T0 + 100 * HOUR, outcomesRead: 100, featuresRead: 100 }),
        record: async (r) => void recorded.push(r),
        train: async (req) => {
          trainings += 1;
          return fakeTrainer({ a: 1, b: 1 })(req);
        },
      },
    });
    const event = (i: number): DriftEvent => ({
      eventId: `m/1/dataset_drift/${i}`,
      type: "dataset_drift",
      model: "m",
      version: "1",
      windowStart: i,
      windowEnd: i + 1,
      consecutiveWindows: 3,
      driftedShare: 0.8,
      driftedFeatures: ["a"],
      rmse: null,
      mae: null,
      r2: null,
      rows: 10,
      reason: "drift",
      at: 0,
    });
    const decisions = [];
    for (let i = 0; i < 10; i++) {
      decisions.push(retrainer.onDriftEvent(event(i)));
      if (i === 4) await retrainer.running();
    }
    await retrainer.running();
    expect(decisions.filter((d) => d === "start")).toHaveLength(1);
    expect(decisions.slice(1, 5)).toEqual(["busy", "busy", "busy", "busy"]);
    expect(decisions.slice(5)).toEqual(Array(5).fill("cooldown"));
    expect(trainings).toBe(1);
    expect(new Set(recorded.map((r) => r.runId)).size).toBe(1);
    expect(retrainer.finished.map((r) => r.status)).toEqual(["promoted"]);
    expect(retrainer.onDriftEvent({ ...event(99), model: "other" })).toBe("ignored");
  });
});
