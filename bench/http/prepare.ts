// Prepares bench/http once per work folder: feature rows from the Paris sample (the stream's
// own feature function), a LightGBM model trained on them (ONNX for edgeflow, joblib for the
// FastAPI peer, same fit), a throwaway file registry whose champion is that ONNX model, the
// recent counts of every counter (to feed POST /v1/events) and request bodies.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { readParisEvents } from "../../examples/bike-traffic/dataset.ts";
import { bikeTrainingRows } from "../../examples/bike-traffic/training-rows.ts";
import type { BikeCountEvent } from "../../schemas/index.ts";
import { createFileStore, createModelRegistry, InProcessModelEventPublisher } from "../../services/registry/index.ts";
import { BIKE_FEATURE_NAMES, BIKE_FEATURE_SPEC, HOUR_MS } from "../../stream/features/index.ts";
import { createLogger } from "../../stream/runtime/index.ts";

const ROOT = resolve(import.meta.dirname, "../..");
/** Training rows: the sample's first three months; requests score the hour at the cut. */
const CUT = Date.UTC(2020, 11, 1);
const MODEL = "bike-next-hour";

export interface BenchData {
  dir: string;
  registry: string;
  /** `{events: [...]}` bodies bringing every counter up to the cut hour. */
  eventBatches: string[];
  /** Counters with complete features at the cut hour. */
  counters: string[];
  cutHour: number;
  /** Complete feature rows (for OIP and the peer). */
  featureRows: number[][];
  train: Record<string, unknown>;
}

export async function prepareBench(dir: string, trainerPython: string, say: (s: string) => void): Promise<BenchData> {
  const stamp = join(dir, "bench-data.json");
  if (existsSync(stamp)) return JSON.parse(readFileSync(stamp, "utf8")) as BenchData;
  mkdirSync(dir, { recursive: true });

  say("bench: computing feature rows from the Paris sample");
  const events: BikeCountEvent[] = [];
  for await (const e of readParisEvents()) {
    if (e.timestamp > CUT) break;
    events.push(e);
  }
  const lines = [[...BIKE_FEATURE_NAMES, "label"].join(",")];
  const featureRows: number[][] = [];
  for await (const row of bikeTrainingRows(events)) {
    lines.push([...row.values, row.label].join(","));
    if (row.eventTime > CUT - 30 * 24 * HOUR_MS && featureRows.length < 1000 && lines.length % 7 === 0) featureRows.push([...row.values]);
  }
  writeFileSync(join(dir, "rows.csv"), `${lines.join("\n")}\n`);

  say(`bench: training LightGBM on ${lines.length - 1} rows (trainer venv)`);
  const trained = spawnSync(trainerPython, [join(ROOT, "bench/http/train_lgbm.py"), join(dir, "rows.csv"), join(dir, "model")], { encoding: "utf8" });
  if (trained.status !== 0) throw new Error(`train_lgbm.py failed:\n${trained.stderr}`);
  const train = JSON.parse(readFileSync(join(dir, "model", "train.json"), "utf8")) as Record<string, unknown>;

  const versionDir = join(dir, "version");
  mkdirSync(versionDir, { recursive: true });
  const onnx = readFileSync(join(dir, "model", "model.onnx"));
  writeFileSync(join(versionDir, "model.onnx"), onnx);
  writeFileSync(join(versionDir, "card.json"), JSON.stringify(card(createHash("sha256").update(onnx).digest("hex"), train, lines.length - 1), null, 2));
  writeFileSync(join(versionDir, "reference.json"), JSON.stringify({ schemaVersion: 1, featureSpecHash: BIKE_FEATURE_SPEC.hash, rows: 0, features: {} }));
  const silent = createLogger("bench", {}, () => true);
  const registryRoot = join(dir, "registry");
  const registry = createModelRegistry(createFileStore({ root: registryRoot }), { publisher: new InProcessModelEventPublisher(silent), logger: silent });
  const version = await registry.register(versionDir);
  await registry.promote(MODEL, version.version);
  await registry.close();

  // The last 200 hours of every counter up to the cut, in time order, 500 events a request.
  const cutHour = Math.floor(events.at(-1)!.timestamp / HOUR_MS);
  const recent = events.filter((e) => e.timestamp > (cutHour - 200) * HOUR_MS);
  const eventBatches: string[] = [];
  for (let i = 0; i < recent.length; i += 500) {
    eventBatches.push(JSON.stringify({ events: recent.slice(i, i + 500).map((e) => ({ counterId: e.counterId, timestamp: e.timestamp, count: e.count })) }));
  }
  const counters = [...new Set(recent.filter((e) => Math.floor(e.timestamp / HOUR_MS) === cutHour).map((e) => e.counterId))];
  const data: BenchData = { dir, registry: registryRoot, eventBatches, counters, cutHour, featureRows, train };
  writeFileSync(stamp, JSON.stringify(data));
  return data;
}

function card(modelSha256: string, train: Record<string, unknown>, rows: number) {
  const iso = (t: number) => new Date(t).toISOString();
  const rmse = Number(train.testRmse);
  return {
    name: MODEL,
    version: null,
    task: "regression",
    created: new Date().toISOString(),
    useCase: "bike-traffic",
    label: "count_next_hour",
    featureSpec: BIKE_FEATURE_SPEC,
    featureSpecHash: BIKE_FEATURE_SPEC.hash,
    modelSha256,
    snapshot: { id: "bench-http", sha256: "0".repeat(64), rows, from: iso(Date.UTC(2020, 8, 1)), to: iso(CUT) },
    split: { trainFrom: iso(Date.UTC(2020, 8, 1)), trainTo: iso(CUT), testFrom: iso(CUT), testTo: iso(CUT), trainRows: Number(train.trainRows), testRows: rows - Number(train.trainRows) },
    chosen: { name: "lightgbm", params: { n_estimators: 200, num_leaves: 63, learning_rate: 0.05 } },
    metrics: { test: { rmse }, candidates: [{ name: "lightgbm", params: {}, metrics: { rmse }, trainSeconds: 0 }], baselines: [] },
    onnx: { input: "input", output: String(train.output), kind: "regression", opset: Number(train.opset), nFeatures: BIKE_FEATURE_NAMES.length },
    trainingSeconds: 0,
    parent: null,
    trainer: { package: "bench/http/train_lgbm.py" },
  };
}
