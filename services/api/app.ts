// Builds the HTTP scoring API (Hono + zod-openapi) from injected dependencies: the served
// model, the registry, the key store, the counter state and a clock. No I/O of its own
// beyond what those do, so tests drive it in memory with `app.request(...)`.
import { OpenAPIHono } from "@hono/zod-openapi";
import { swaggerUI } from "@hono/swagger-ui";
import { bodyLimit } from "hono/body-limit";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { methodNotAllowed } from "hono/method-not-allowed";
import { createLogger, type Logger } from "../../stream/runtime/index.ts";
import { PredictionBatcher } from "./batcher.ts";
import { DEFAULT_LIMITS, requestIdFor, type ApiEnv, type ApiLimits, type AppDeps } from "./context.ts";
import { guard } from "./guard.ts";
import { healthRoutes } from "./health.ts";
import { errorResponse, issuesFromZod, summary, type ErrorStatus } from "./http-errors.ts";
import { observe, startDefaultMetrics } from "./metrics.ts";
import { modelRoutes } from "./models.ts";
import { oipRoutes, SERVER_VERSION } from "./oip.ts";
import { predictRoutes } from "./predict.ts";
import { RateLimiter } from "./rate-limit.ts";

export type ApiApp = OpenAPIHono<ApiEnv>;

/** What the Hono app and the Node fast lane (fast-lane.ts) share: one limiter, one batcher. */
export interface ApiCore {
  limits: ApiLimits;
  log: Logger;
  limiter: RateLimiter;
  batcher: PredictionBatcher;
}

export function apiCore(deps: AppDeps): ApiCore {
  const limits: ApiLimits = { ...DEFAULT_LIMITS, ...deps.limits };
  return {
    limits,
    log: deps.logger ?? createLogger("api"),
    limiter: new RateLimiter({ ratePerSecond: limits.ratePerSecond, burst: limits.burst, clock: deps.clock }),
    batcher: new PredictionBatcher(Math.max(1_024, limits.maxBatch)),
  };
}

export function createApiApp(deps: AppDeps, core: ApiCore = apiCore(deps)): ApiApp {
  const { limits, log, limiter, batcher } = core;
  startDefaultMetrics();

  const app: ApiApp = new OpenAPIHono<ApiEnv>({
    defaultHook: (result, c) => {
      if (result.success) return;
      const issues = issuesFromZod(result.error);
      return errorResponse(c, result.target === "param" ? 404 : 422, "VALIDATION_FAILED", summary(issues), issues);
    },
  });

  app.use("*", async (c, next) => {
    const id = requestIdFor(c.req.header("x-request-id"));
    c.set("requestId", id);
    c.header("x-request-id", id);
    await next();
  });
  app.use("*", observe(log));
  app.use("*", methodNotAllowed({ app, onMethodNotAllowed: (c, methods) => errorResponse(c, 405, "METHOD_NOT_ALLOWED", `${c.req.method} is not allowed here; use ${methods.join(", ")}`, undefined, { Allow: methods.join(", ") }) }));

  // Authentication before the body is read: an unknown caller never makes us buffer a body.
  const predictGate = guard(deps.keys, limiter, "predict");
  const adminGate = guard(deps.keys, limiter, "admin");
  app.use("/v1/predict", predictGate);
  app.use("/v1/events", predictGate);
  app.on("GET", "/v1/models", predictGate);
  app.use("/v1/models/:name/*", adminGate);
  app.use("/v2/models/*", predictGate);
  const tooLarge = (c: Context) => errorResponse(c, 413, "PAYLOAD_TOO_LARGE", `the body exceeds ${limits.bodyLimitBytes} bytes`);
  const fallbackLimit = bodyLimit({ maxSize: limits.bodyLimitBytes, onError: tooLarge });
  app.use("*", async (c, next) => {
    if (c.req.method === "GET" || c.req.method === "HEAD") return next();
    const read = deps.bodyReader ? await deps.bodyReader(c, limits.bodyLimitBytes) : ({ kind: "unhandled" } as const);
    if (read.kind === "too-large") return tooLarge(c);
    if (read.kind === "unhandled") return fallbackLimit(c, next);
    // Hono's validators read the body through this cache.
    (c.req.bodyCache as Record<string, unknown>).text = Promise.resolve(read.text);
    return next();
  });

  app.openAPIRegistry.registerComponent("securitySchemes", "ApiKeyAuth", { type: "apiKey", in: "header", name: "X-API-Key" });
  healthRoutes(app, deps);
  predictRoutes(app, deps, limits, batcher);
  oipRoutes(app, deps, limits, batcher);
  modelRoutes(app, deps, log);

  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "edgeflow scoring API",
      version: SERVER_VERSION,
      description: "Next-hour bike counter forecasts (/v1), Open Inference Protocol v2 (/v2), model admin. Keys go in X-API-Key; /health, /ready, /metrics, /openapi.json and /docs are open.",
    },
  });
  app.get("/docs", swaggerUI({ url: "/openapi.json" }));

  app.notFound((c) => errorResponse(c, 404, "NOT_FOUND", `no route ${c.req.method} ${c.req.path}`));
  app.onError((error, c) => {
    if (error instanceof HTTPException) {
      const status = error.status as ErrorStatus;
      const code = status === 400 ? "MALFORMED_JSON" : status === 415 ? "UNSUPPORTED_MEDIA_TYPE" : status === 413 ? "PAYLOAD_TOO_LARGE" : "HTTP_ERROR";
      const message = status === 400 ? "the body is not valid JSON" : status === 415 ? "the body must be application/json" : error.message;
      return errorResponse(c, status, code, message);
    }
    log.error("unhandled error", { requestId: c.get("requestId"), path: c.req.path, error });
    return errorResponse(c, 500, "INTERNAL", "internal error; see the server log for this request id");
  });
  return app;
}
