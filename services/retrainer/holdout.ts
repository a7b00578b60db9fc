// The gate's fair comparison: candidate and champion scored on the very same rows — the
// candidate's holdout, read back from the snapshot it was trained on — by the same code
// (onnxruntime-node, float32 inputs, as serving scores), so both metrics carry one holdout id.
import { createReadStream } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { ModelCard } from "../../schemas/index.ts";
import { RegressionMetrics } from "../../stream/outcomes/index.ts";
import { loadModelFolder } from "../../stream/scoring/index.ts";
import { EdgeflowError } from "../../schemas/index.ts";

export class HoldoutUnusable extends EdgeflowError {
  constructor(reason: string) {
    super("RETRAIN_HOLDOUT_UNUSABLE", reason);
  }
}

export interface HoldoutRows {
  n: number;
  width: number;
  /** n × width float32, row-major, NaN for missing. */
  features: Float32Array;
  labels: Float64Array;
}

/** Rows of a snapshot's rows.csv with testFrom ≤ event_time < testTo. */
export async function readHoldout(snapshotDir: string, split: Pick<ModelCard["split"], "testFrom" | "testTo">, width: number): Promise<HoldoutRows> {
  const from = Date.parse(split.testFrom);
  const to = Date.parse(split.testTo);
  const values: number[] = [];
  const labels: number[] = [];
  const lines = createInterface({ input: createReadStream(join(snapshotDir, "rows.csv")), crlfDelay: Infinity });
  let header = true;
  for await (const line of lines) {
    if (header) {
      header = false;
      continue;
    }
    if (line.length === 0) continue;
    const cells = line.split(",");
    // entity_id may be quoted with commas inside; the numeric tail is fixed-width.
    const tail = cells.slice(-(width + 2));
    const t = Date.parse(tail[0]!);
    if (!(t >= from && t < to)) continue;
    for (let i = 1; i <= width; i++) values.push(tail[i] === "" ? Number.NaN : Number(tail[i]));
    labels.push(Number(tail[width + 1]));
  }
  if (labels.length === 0) throw new HoldoutUnusable(`no snapshot row in the holdout ${split.testFrom} .. ${split.testTo}`);
  return { n: labels.length, width, features: Float32Array.from(values), labels: Float64Array.from(labels) };
}

/** RMSE, MAE, R² of the version in `dir` on the holdout (regression). */
export async function scoreOnHoldout(dir: string, holdout: HoldoutRows, featureSpecHash: string): Promise<Record<string, number>> {
  const model = await loadModelFolder(dir, { expectedFeatureSpecHash: featureSpecHash });
  try {
    if (model.card.task !== "regression") throw new HoldoutUnusable(`${model.name} v${model.version} is a ${model.card.task} model; the retrainer re-scores regression models only`);
    if (model.nFeatures !== holdout.width) throw new HoldoutUnusable(`${model.name} v${model.version} takes ${model.nFeatures} features, the holdout has ${holdout.width}`);
    const m = new RegressionMetrics();
    const chunk = 4_096;
    for (let i = 0; i < holdout.n; i += chunk) {
      const n = Math.min(chunk, holdout.n - i);
      const predictions = await model.predict(holdout.features.subarray(i * holdout.width, (i + n) * holdout.width), n);
      for (let j = 0; j < n; j++) m.add(predictions[j]!, holdout.labels[i + j]!);
    }
    const s = m.snapshot();
    return { rmse: s.rmse, mae: s.mae, r2: s.r2, n: s.n };
  } finally {
    await model.close();
  }
}
