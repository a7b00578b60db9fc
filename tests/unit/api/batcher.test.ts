// Micro-batching: concurrent requests for one model share an ONNX call and each gets its own
// rows back; different models (a swap in progress) never share one; a failure fails its batch.
import { describe, expect, it } from "vitest";
import { PredictionBatcher } from "../../../services/api/batcher.ts";
import type { LoadedModel } from "../../../stream/scoring/index.ts";

function fakeModel(version: string, calls: number[], fail = false): LoadedModel {
  return {
    name: "m",
    version,
    nFeatures: 2,
    engine: "test double",
    card: {} as LoadedModel["card"],
    async predict(rows, n) {
      calls.push(n);
      await new Promise((r) => setTimeout(r, 5));
      if (fail) throw new Error("onnx failed");
      // value = first feature + version number, so each row's answer is identifiable.
      return Float32Array.from({ length: n }, (_, i) => rows[i * 2]! + Number(version) * 1000);
    },
    async close() {},
  };
}

const rows = (...firsts: number[]) => Float32Array.from(firsts.flatMap((f) => [f, 0]));

describe("PredictionBatcher", () => {
  it("merges concurrent requests into one call and hands each its own values", async () => {
    const calls: number[] = [];
    const model = fakeModel("1", calls);
    const batcher = new PredictionBatcher(1024);
    const results = await Promise.all([batcher.predict(model, rows(1), 1), batcher.predict(model, rows(2, 3), 2), batcher.predict(model, rows(4), 1)]);
    expect(calls).toEqual([4]);
    expect(results.map((r) => Array.from(r))).toEqual([[1001], [1002, 1003], [1004]]);
  });

  it("fills the next batch while one runs, and caps a batch at maxRows", async () => {
    const calls: number[] = [];
    const model = fakeModel("1", calls);
    const batcher = new PredictionBatcher(3);
    const first = batcher.predict(model, rows(1), 1);
    await new Promise((r) => setImmediate(r));
    const more = [2, 3, 4, 5].map((v) => batcher.predict(model, rows(v), 1));
    const all = await Promise.all([first, ...more]);
    expect(calls).toEqual([1, 3, 1]);
    expect(all.map((r) => r[0])).toEqual([1001, 1002, 1003, 1004, 1005]);
  });

  it("never mixes models and fails only the batch whose call failed", async () => {
    const calls: number[] = [];
    const v1 = fakeModel("1", calls);
    const v2 = fakeModel("2", calls);
    const broken = fakeModel("3", calls, true);
    const batcher = new PredictionBatcher();
    const [a, b, c] = await Promise.allSettled([batcher.predict(v1, rows(1), 1), batcher.predict(v2, rows(1), 1), batcher.predict(broken, rows(1), 1)]);
    expect(calls).toEqual([1, 1, 1]);
    expect(a).toMatchObject({ status: "fulfilled", value: Float32Array.from([1001]) });
    expect(b).toMatchObject({ status: "fulfilled", value: Float32Array.from([2001]) });
    expect(c).toMatchObject({ status: "rejected", reason: new Error("onnx failed") });
  });
});
