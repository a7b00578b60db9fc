// Issue acceptance on the real Paris sample: a next-hour forecast trained on
// 2020-09-01..2021-05-31 and tested on 2021-06-01..2021-09-09 through the whole path —
// the stream's feature functions write the snapshot, the Python trainer fits and exports
// ONNX, the registry stores it — reaches R² ≥ 0.96 and RMSE ≤ 23 and beats both naive
// baselines; onnxruntime-node reproduces the trainer's holdout predictions.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIKE_FEATURE_NAMES, BIKE_FEATURE_SPEC } from "../../stream/features/index.ts";
import { loadModelFolder } from "../../stream/scoring/index.ts";
import { CHAMPION, openRegistry, type ModelRegistry } from "../../services/registry/index.ts";
import { trainBikeModel, type TrainBikeResult } from "../../services/retrainer/train-bike.ts";

const home = mkdtempSync(join(tmpdir(), "ef-e2e-train-"));
let registry: ModelRegistry;
let result: TrainBikeResult;

beforeAll(async () => {
  registry = openRegistry({
    backend: { kind: "file", root: join(home, "registry") },
    events: { kafkaBrokers: [], schemaRegistryUrl: "mock://", topicPrefix: "edgeflow" },
  });
  result = await trainBikeModel({
    registry,
    home,
    trainTo: "2021-06-01T00:00:00Z",
    testFrom: "2021-06-01T00:00:00Z",
    testTo: "2021-09-10T00:00:00Z",
    progress: (line) => process.stdout.write(`  ${line}\n`),
  });
}, 900_000);

afterAll(async () => {
  await registry?.close();
});

describe("next-hour forecast on the real Paris sample", () => {
  it("reaches R² ≥ 0.96 and RMSE ≤ 23 on June–September 2021 and beats both naive baselines", () => {
    const card = result.version.card;
    const rows: Array<[string, Record<string, number>]> = [
      ...card.metrics.candidates.map((c): [string, Record<string, number>] => [c.name, c.metrics]),
      ...card.metrics.baselines.map((b): [string, Record<string, number>] => [b.name, b.metrics]),
    ];
    console.table(rows.map(([model, m]) => ({ model, rmse: m.rmse?.toFixed(3), mae: m.mae?.toFixed(3), r2: m.r2?.toFixed(4) })));
    expect(card.split.testFrom.slice(0, 10)).toBe("2021-06-01");
    expect(card.featureSpecHash).toBe(BIKE_FEATURE_SPEC.hash);
    expect(card.metrics.candidates.map((c) => c.name).sort()).toEqual(["lightgbm", "random_forest", "ridge"]);
    const test = card.metrics.test;
    expect(test.r2).toBeGreaterThanOrEqual(0.96);
    expect(test.rmse).toBeLessThanOrEqual(23);
    const baseline = (name: string) => card.metrics.baselines.find((b) => b.name === name)!.metrics;
    expect(test.rmse).toBeLessThan(baseline("naive_this_hour").rmse!);
    expect(test.rmse).toBeLessThan(baseline("naive_last_week").rmse!);
    expect(result.promoted).toBe(true);
  });

  it("is reproduced by onnxruntime-node from the registry within 1e-4 relative of the trainer's native predictions", async () => {
    const downloaded = await registry.download(result.version.name, CHAMPION, join(home, "serving"));
    const model = await loadModelFolder(downloaded.dir, { expectedFeatureSpecHash: BIKE_FEATURE_SPEC.hash });
    const [header, ...lines] = readFileSync(join(result.trained.outDir, "parity.csv"), "utf8").trim().split("\n");
    const cols = header!.split(",");
    expect(cols.slice(0, BIKE_FEATURE_NAMES.length)).toEqual([...BIKE_FEATURE_NAMES]);
    const native = cols.indexOf("native_prediction");
    const rows = lines.map((l) => l.split(",").map(Number));
    expect(rows.length).toBeGreaterThan(1_000);
    const input = Float32Array.from(rows.flatMap((r) => r.slice(0, BIKE_FEATURE_NAMES.length)));
    const ours = await model.predict(input, rows.length);
    let worst = 0;
    rows.forEach((r, i) => {
      const rel = Math.abs(ours[i]! - r[native]!) / Math.max(1, Math.abs(r[native]!));
      worst = Math.max(worst, rel);
    });
    console.log(`parity over ${rows.length} holdout rows: max relative difference ${worst.toExponential(2)}`);
    expect(worst).toBeLessThanOrEqual(1e-4);
    await model.close();
  });
});
