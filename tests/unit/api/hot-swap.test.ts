// Hot swap under load over a real port, served as server.ts serves (fast front + Node/Hono): concurrent clients keep scoring while the champion
// moves to v2 (served), then to a v3 whose model.onnx was tampered with after promotion and a
// v4 built for other features (both refused). Every response is a 200 from v1 or v2.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { register } from "prom-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineFeatureSpec } from "../../../schemas/index.ts";
import { BIKE_FEATURE_NAMES } from "../../../stream/features/index.ts";
import { MODEL, PREDICT_KEY, T, harness, history, listen, type Harness, type Listening } from "./fixtures.ts";

let h: Harness;
let server: Listening;
let base: string;

beforeAll(async () => {
  h = await harness({ weights: { lag_1h: 1 }, followEvents: false, limits: { ratePerSecond: 1_000_000, burst: 1_000_000, bodyLimitBytes: 64 * 1024 } });
  server = await listen(h.deps);
  base = server.base;
});
afterAll(async () => {
  await server.close();
  await h.close();
});

const fastServed = async () => {
  const metric = await register.getSingleMetric("edgeflow_api_fast_lane_total")?.get();
  return (metric?.values ?? []).filter((v) => v.labels.result === "served").reduce((sum, v) => sum + v.value, 0);
};

const failures = async () => {
  const metric = await register.getSingleMetric("edgeflow_model_swap_failures_total")?.get();
  return (metric?.values ?? []).reduce((sum, v) => sum + v.value, 0);
};

describe("hot swap under concurrent load", () => {
  it("answers every request with 200 while swapping to v2 and refusing a tampered v3 and a wrong-spec v4", async () => {
    const v2 = await h.addVersion({ lag_1h: 2 }, { promote: false });
    const v3 = await h.addVersion({ lag_1h: 3 }, { promote: false });
    const other = defineFeatureSpec({ name: "other", version: 1, features: [{ name: "x", type: "numeric" }] });
    const v4 = await h.addVersion({ x: 1 }, { promote: false, spec: other });
    const failuresBefore = await failures();
    const fastBefore = await fastServed();

    const row = BIKE_FEATURE_NAMES.map((n) => (n === "lag_1h" ? 10 : 1));
    const infer = JSON.stringify({ inputs: [{ name: "input", shape: [1, row.length], datatype: "FP32", data: row }] });
    const predict = JSON.stringify({ counterId: "c", timestamp: T, history: history(T, 180) });
    const results: Array<{ status: number; version: string; value: number }> = [];
    let running = true;
    const client = async (i: number) => {
      const seen: string[] = [];
      while (running) {
        const oip = i % 2 === 0;
        const res = await fetch(`${base}${oip ? `/v2/models/${MODEL}/infer` : "/v1/predict"}`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-api-key": PREDICT_KEY },
          body: oip ? infer : predict,
        });
        const body = (await res.json()) as { model_version?: string; model?: { version: string }; outputs?: Array<{ data: number[] }>; predictions?: Array<{ value: number }> };
        const version = oip ? body.model_version! : body.model?.version ?? "?";
        seen.push(version);
        results.push({ status: res.status, version, value: oip ? body.outputs?.[0]?.data[0] ?? NaN : body.predictions?.[0]?.value ?? NaN });
      }
      return seen;
    };
    const clients = Array.from({ length: 12 }, (_, i) => client(i));
    const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

    await pause(300);
    await h.registry.promote(MODEL, v2);
    expect(await h.follower.sync("test")).toEqual({ status: "swapped", version: v2 });
    await pause(300);
    await h.registry.promote(MODEL, v3);
    writeFileSync(join(h.work, "registry", MODEL, v3, "model.onnx"), Buffer.from("not the registered model"));
    expect(await h.follower.sync("test")).toMatchObject({ status: "refused", version: v3, reason: expect.stringContaining("sha256") });
    await pause(200);
    await h.registry.promote(MODEL, v4);
    expect(await h.follower.sync("test")).toMatchObject({ status: "refused", version: v4, reason: expect.stringContaining("spec hash") });
    await pause(300);
    running = false;
    const perClient = await Promise.all(clients);

    expect(results.length).toBeGreaterThan(100);
    expect(results.filter((r) => r.status !== 200)).toEqual([]);
    expect(new Set(results.map((r) => r.version))).toEqual(new Set(["1", "2"]));
    // Each client sees v1 then v2, never back: the swap is atomic per request.
    for (const seen of perClient) expect(seen.join("")).toMatch(/^1*2*$/);
    // v1 = lag_1h (10 on the OIP row), v2 = 2 · lag_1h: the values match the version named.
    for (const r of results.filter((x) => x.value === 10 || x.value === 20)) expect(r.version).toBe(r.value === 10 ? "1" : "2");
    expect(h.follower.current()?.version).toBe(v2);
    expect((await failures()) - failuresBefore).toBe(2);
    // The OIP clients went through the fast lane, the history clients through Hono.
    expect((await fastServed()) - fastBefore).toBeGreaterThan(50);
  }, 30_000);

  it("reads bodies from Node directly: 413 over the limit, declared or streamed, and the connection still answers", async () => {
    const big = JSON.stringify({ counterId: "c", timestamp: T, pad: "x".repeat(70_000) });
    const declared = await fetch(`${base}/v1/predict`, { method: "POST", headers: { "content-type": "application/json", "x-api-key": PREDICT_KEY }, body: big });
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as { code: string }).code).toBe("PAYLOAD_TOO_LARGE");
    const streamed = await fetch(`${base}/v1/predict`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": PREDICT_KEY },
      body: new Blob([big]).stream(),
      duplex: "half",
    } as RequestInit);
    expect(streamed.status).toBe(413);
    const bad = await fetch(`${base}/v1/predict`, { method: "POST", headers: { "content-type": "application/json", "x-api-key": PREDICT_KEY }, body: JSON.stringify({ counterId: "c", timestamp: T, extra: 1 }) });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { issues: Array<{ path: string }> }).issues.map((i) => i.path)).toEqual(["extra"]);
  });
});
