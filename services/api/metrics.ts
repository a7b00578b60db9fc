// The API's Prometheus metrics (prom-client default registry, so /metrics also shows the
// process defaults and the model holder's edgeflow_model_swaps_total / _swap_failures_total),
// and the middleware that times every request and writes its access log line. The ones
// updated on every request are hot-metrics (no label hashing per update).
import { Counter, collectDefaultMetrics, register, type Metric } from "prom-client";
import { HotCounter, HotHistogram } from "../../stream/runtime/hot-metrics.ts";
import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import type { Logger } from "../../stream/runtime/index.ts";
import type { ApiEnv } from "./context.ts";

function metric<T extends Metric>(name: string, make: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? make();
}

export const httpDuration = HotHistogram.of({
  name: "edgeflow_http_request_duration_seconds",
  help: "HTTP request duration by route and status",
  labelNames: ["method", "route", "status"],
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
});

export const predictionsTotal = HotCounter.of({ name: "edgeflow_api_predictions_total", help: "Rows scored over HTTP by model version", labelNames: ["model", "version", "route"] });

export const batchSize = HotHistogram.of({
  name: "edgeflow_api_batch_size",
  help: "Records (or tensor rows) per scoring request",
  labelNames: ["route"],
  buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000],
});

export const championChecks = metric(
  "edgeflow_api_champion_checks_total",
  () => new Counter({ name: "edgeflow_api_champion_checks_total", help: "Registry champion checks by trigger and result", labelNames: ["trigger", "result"] }),
);

export const fastLaneTotal = HotCounter.of({
  name: "edgeflow_api_fast_lane_total",
  help: "Scoring requests answered by the fast lane (served) or handed to the full Hono path (fallback: errors, history records, anything unusual)",
  labelNames: ["route", "result"],
});

/** Counts `n` rows scored by `model` on `route` and the request's batch size. */
export function countPredictions(model: { name: string; version: string }, route: string, n: number): void {
  predictionsTotal.labels(model.name, model.version, route).inc(n);
  batchSize.labels(route).observe(n);
}

let defaultsStarted = false;
export function startDefaultMetrics(): void {
  if (defaultsStarted || register.getSingleMetric("process_cpu_user_seconds_total")) return;
  defaultsStarted = true;
  collectDefaultMetrics();
}

/** Times the request, labels it by its route pattern (not the raw path: bounded cardinality), logs one line. */
export function observe(log: Logger): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const started = performance.now();
    c.set("startedAt", started);
    await next();
    const seconds = (performance.now() - started) / 1000;
    const matched = routePath(c, -1);
    const route = matched === "*" || matched === "/*" || matched === "" ? "unmatched" : matched;
    recordRequest(log, { requestId: c.get("requestId"), method: c.req.method, route, path: c.req.path, status: c.res.status, seconds, keyId: c.get("apiKey")?.name });
  };
}

/** Times one request and writes its access log line (the Hono path and the fast lane alike). */
export function recordRequest(log: Logger, r: { requestId: string; method: string; route: string; path: string; status: number; seconds: number; keyId: string | undefined }): void {
  httpDuration.labels(r.method, r.route, String(r.status)).observe(r.seconds);
  const fields = { requestId: r.requestId, method: r.method, route: r.route, path: r.path, status: r.status, ms: Math.round(r.seconds * 1e6) / 1e3, keyId: r.keyId };
  if (r.status >= 500) log.error("request failed", fields);
  else log.info("request", fields);
}
