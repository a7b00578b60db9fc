import { mkdtempSync, writeFileSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIKE_FEATURE_SPEC, BIKE_FEATURE_NAMES } from "../../../stream/features/index.ts";
import { FeatureSpecMismatch, ModelHolder, ModelLoadRefused, loadModelFolder } from "../../../stream/scoring/index.ts";
import { writeLinearModelFolder } from "../../support/linear-model.ts";

const tmp = () => mkdtempSync(join(tmpdir(), "edgeflow-model-"));
const rowsOf = (...rows: Array<Record<string, number>>) =>
  Float32Array.from(rows.flatMap((r) => BIKE_FEATURE_NAMES.map((n) => r[n] ?? 0)));

describe("ONNX model loading", () => {
  it("scores a batch with onnxruntime-node, one value per row", async () => {
    const { dir } = writeLinearModelFolder(tmp(), { name: "m", version: "1", spec: BIKE_FEATURE_SPEC, weights: { lag_1h: 0.5, lag_168h: 0.5 }, bias: 2 });
    const model = await loadModelFolder(dir, { expectedFeatureSpecHash: BIKE_FEATURE_SPEC.hash });
    const out = await model.predict(rowsOf({ lag_1h: 10, lag_168h: 30 }, { lag_1h: 100, lag_168h: 0 }), 2);
    expect(Array.from(out)).toEqual([22, 52]);
    expect(model.version).toBe("1");
    await model.close();
  });

  it("refuses a model.onnx whose sha256 differs from the card", async () => {
    const { dir } = writeLinearModelFolder(tmp(), { name: "m", version: "1", spec: BIKE_FEATURE_SPEC, weights: { lag_1h: 1 } });
    const bytes = readFileSync(join(dir, "model.onnx"));
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0xff, bytes.length - 1);
    writeFileSync(join(dir, "model.onnx"), bytes);
    await expect(loadModelFolder(dir)).rejects.toBeInstanceOf(ModelLoadRefused);
    await expect(loadModelFolder(dir)).rejects.toThrow(/sha256 of model.onnx is [0-9a-f]{64}, the card expects/);
  });

  it("refuses a model trained on another feature spec", async () => {
    const { dir } = writeLinearModelFolder(tmp(), { name: "m", version: "1", spec: BIKE_FEATURE_SPEC, weights: { lag_1h: 1 } });
    await expect(loadModelFolder(dir, { expectedFeatureSpecHash: "f".repeat(64) })).rejects.toBeInstanceOf(FeatureSpecMismatch);
  });

  it("keeps serving the current model when a swap is refused, and swaps when it is sound", async () => {
    const v1 = writeLinearModelFolder(tmp(), { name: "m", version: "1", spec: BIKE_FEATURE_SPEC, weights: { lag_1h: 1 } });
    const v2 = writeLinearModelFolder(tmp(), { name: "m", version: "2", spec: BIKE_FEATURE_SPEC, weights: { lag_168h: 1 } });
    const bad = writeLinearModelFolder(tmp(), { name: "m", version: "3", spec: BIKE_FEATURE_SPEC, weights: { lag_1h: 2 } });
    writeFileSync(join(bad.dir, "model.onnx"), Buffer.from("not onnx"));
    const holder = await ModelHolder.fromFolder(v1.dir, BIKE_FEATURE_SPEC.hash);
    await expect(holder.swapToFolder(bad.dir)).rejects.toBeInstanceOf(ModelLoadRefused);
    expect(holder.current().version).toBe("1");
    await holder.swapToFolder(v2.dir);
    expect(holder.current().version).toBe("2");
    expect(Array.from(await holder.current().predict(rowsOf({ lag_1h: 5, lag_168h: 9 }), 1))).toEqual([9]);
  });

  it("keeps a model open while work started on it runs, however long after a swap, then closes it", async () => {
    const v1 = writeLinearModelFolder(tmp(), { name: "m", version: "1", spec: BIKE_FEATURE_SPEC, weights: { lag_1h: 1 } });
    const v2 = writeLinearModelFolder(tmp(), { name: "m", version: "2", spec: BIKE_FEATURE_SPEC, weights: { lag_168h: 1 } });
    const m1 = await loadModelFolder(v1.dir);
    const holder = new ModelHolder(m1, BIKE_FEATURE_SPEC.hash, 0);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const long = holder.use(async (model) => {
      await gate; // the swap happens, and its grace period passes, while this batch runs
      return model.predict(rowsOf({ lag_1h: 7, lag_168h: 9 }), 1);
    });
    await holder.swapToFolder(v2.dir);
    await new Promise((r) => setTimeout(r, 50));
    release();
    expect(Array.from(await long)).toEqual([7]); // v1, still open
    expect(await holder.use((m) => m.version)).toBe("2");
    await new Promise((r) => setTimeout(r, 50));
    // v1 is closed once its last user is done.
    await expect(m1.predict(rowsOf({ lag_1h: 1 }), 1)).rejects.toThrow(/disposed/);
    await holder.close();
  });
});
