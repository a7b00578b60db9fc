// Operational surface: /health, /ready, /metrics, the OpenAPI document (every route, valid
// references) and Swagger UI; 404 and 405 in the common error body.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { T, get, harness, history, post, type Harness } from "./fixtures.ts";

let h: Harness;
beforeAll(async () => {
  h = await harness();
});
afterAll(() => h.close());

describe("operations routes", () => {
  it("answers /health and /ready with the served model", async () => {
    expect(await (await h.app.request("/health")).json()).toEqual({ status: "ok" });
    expect(await (await h.app.request("/ready")).json()).toEqual({ ready: true, model: { name: "bike-next-hour", version: "1" } });
  });

  it("exports request durations by route and status, predictions by version, batch sizes and model swaps", async () => {
    await post(h.app, "/v1/predict", { records: [1, 2, 3].map((i) => ({ counterId: `m${i}`, timestamp: T, history: history(T, 180) })) });
    await post(h.app, "/v1/predict", { counterId: "" });
    const res = await h.app.request("/metrics");
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = await res.text();
    expect(text).toMatch(/edgeflow_http_request_duration_seconds_count\{method="POST",route="\/v1\/predict",status="200"\} [1-9]/);
    expect(text).toMatch(/edgeflow_http_request_duration_seconds_count\{method="POST",route="\/v1\/predict",status="422"\} [1-9]/);
    expect(text).toMatch(/edgeflow_api_predictions_total\{model="bike-next-hour",version="1",route="\/v1\/predict"\} [3-9]/);
    expect(text).toMatch(/edgeflow_api_batch_size_bucket\{le="5",route="\/v1\/predict"\} [1-9]/);
    expect(text).toMatch(/edgeflow_model_swaps_total\{model="bike-next-hour",version="1"\} [1-9]/);
    expect(text).toContain("edgeflow_model_swap_failures_total");
    expect(text).toContain("process_cpu_user_seconds_total");
  });

  it("answers 404 and 405 (with Allow) in the common error body", async () => {
    const missing = await get(h.app, "/v3/nothing", null);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ code: "NOT_FOUND", requestId: expect.any(String) });
    const wrong = await h.app.request("/health", { method: "DELETE" });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toContain("GET");
    expect(await wrong.json()).toMatchObject({ code: "METHOD_NOT_ALLOWED" });
  });

  it("serves Swagger UI at /docs", async () => {
    const res = await h.app.request("/docs");
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(await res.text()).toContain("/openapi.json");
  });
});

describe("the OpenAPI document", () => {
  it("lists every route with its method, security and error responses", async () => {
    const doc = await (await get(h.app, "/openapi.json", null)).json();
    expect(doc.openapi).toBe("3.1.0");
    const routes = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
    expect(routes.sort()).toEqual(
      [
        "GET /health",
        "GET /ready",
        "GET /metrics",
        "POST /v1/predict",
        "POST /v1/events",
        "GET /v1/models",
        "POST /v1/models/{name}/promote",
        "POST /v1/models/{name}/rollback",
        "GET /v2",
        "GET /v2/health/live",
        "GET /v2/health/ready",
        "GET /v2/models/{name}",
        "GET /v2/models/{name}/ready",
        "POST /v2/models/{name}/infer",
      ].sort(),
    );
    expect(doc.components.securitySchemes.ApiKeyAuth).toEqual({ type: "apiKey", in: "header", name: "X-API-Key" });
    const predict = doc.paths["/v1/predict"].post;
    expect(predict.security).toEqual([{ ApiKeyAuth: [] }]);
    expect(Object.keys(predict.responses).sort()).toEqual(["200", "400", "401", "403", "409", "413", "415", "422", "429", "503"]);
    expect(predict.responses["429"].headers["Retry-After"]).toBeDefined();
    expect(doc.paths["/health"].get.security).toBeUndefined();
    expect(doc.components.schemas.PredictRecord.additionalProperties).toBe(false);
    expect(doc.components.schemas.PredictBatch.properties.records.maxItems).toBe(1000);
  });

  it("has no dangling $ref", async () => {
    const doc = await (await get(h.app, "/openapi.json", null)).json();
    const refs = new Set<string>();
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === "object") {
        for (const [k, x] of Object.entries(v)) {
          if (k === "$ref" && typeof x === "string") refs.add(x);
          else walk(x);
        }
      }
    };
    walk(doc.paths);
    walk(doc.components);
    expect(refs.size).toBeGreaterThan(5);
    for (const ref of refs) {
      const target = ref.replace(/^#\//, "").split("/").reduce<unknown>((o, k) => (o as Record<string, unknown>)?.[k], doc);
      expect(target, ref).toBeDefined();
    }
  });
});
