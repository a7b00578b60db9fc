// A loaded, verified model version: onnxruntime-node session + its card. Loading checks
// the sha256 of model.onnx against the card and the card's feature spec hash against the
// features the caller computes; either mismatch refuses the model (the caller keeps
// serving the one it has).
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import ort from "onnxruntime-node";
import { ModelCard, SchemaViolation, issuesOf } from "../../schemas/index.ts";
import { FeatureSpecMismatch, ModelLoadRefused } from "./errors.ts";

export interface LoadedModel {
  readonly name: string;
  readonly version: string;
  readonly card: ModelCard;
  readonly nFeatures: number;
  /** rows: n × nFeatures float32, row-major. Returns one value per row (regression value or positive-class probability). */
  predict(rows: Float32Array, n: number): Promise<Float32Array>;
  close(): Promise<void>;
}

export interface LoadOptions {
  /** Hash of the feature spec the caller will feed; a different card hash refuses the model. */
  expectedFeatureSpecHash?: string;
  /** onnxruntime intra-op threads; 1 keeps a 2-core machine responsive under load. */
  threads?: number;
}

export async function loadModelFolder(dir: string, options: LoadOptions = {}): Promise<LoadedModel> {
  const cardText = await readFile(join(dir, "card.json"), "utf8").catch((e: Error) => {
    throw new ModelLoadRefused(dir, `cannot read card.json: ${e.message}`);
  });
  const parsed = ModelCard.safeParse(JSON.parse(cardText));
  if (!parsed.success) throw new SchemaViolation(`${dir}/card.json`, issuesOf(parsed.error));
  const card = parsed.data;
  const label = `${card.name} v${card.version ?? "?"}`;
  if (options.expectedFeatureSpecHash && card.featureSpecHash !== options.expectedFeatureSpecHash) {
    throw new FeatureSpecMismatch(label, options.expectedFeatureSpecHash, card.featureSpecHash);
  }
  const bytes = await readFile(join(dir, "model.onnx"));
  const sha = createHash("sha256").update(bytes).digest("hex");
  if (sha !== card.modelSha256) {
    throw new ModelLoadRefused(label, `sha256 of model.onnx is ${sha}, the card expects ${card.modelSha256}`);
  }
  const session = await ort.InferenceSession.create(bytes, {
    intraOpNumThreads: options.threads ?? 1,
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: "all",
  });
  const { input, output } = card.onnx;
  if (!session.inputNames.includes(input) || !session.outputNames.includes(output)) {
    await session.release();
    throw new ModelLoadRefused(
      label,
      `the card names input "${input}" and output "${output}", the graph has inputs [${session.inputNames.join(", ")}] and outputs [${session.outputNames.join(", ")}]`,
    );
  }
  const nFeatures = card.onnx.nFeatures;
  const classification = card.task === "classification";

  return {
    name: card.name,
    version: card.version ?? "unregistered",
    card,
    nFeatures,
    async predict(rows, n) {
      if (rows.length !== n * nFeatures) {
        throw new RangeError(`${label}: got ${rows.length} values for ${n} rows of ${nFeatures} features`);
      }
      const result = await session.run({ [input]: new ort.Tensor("float32", rows, [n, nFeatures]) }, [output]);
      const data = result[output]!.data as Float32Array;
      if (!classification) return data.length === n ? data : Float32Array.from({ length: n }, (_, i) => data[i]!);
      // probabilities [n, 2]: the positive class is column 1.
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = data[i * 2 + 1]!;
      return out;
    },
    async close() {
      await session.release();
    },
  };
}
