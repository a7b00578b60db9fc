// The gate in front of every protected route: a known `X-API-Key` (401), the scope the route
// needs (403), and the key's token bucket (429 + Retry-After). The key's name — never the
// key — is kept on the request for logs and metrics.
import { Counter, register } from "prom-client";
import type { MiddlewareHandler } from "hono";
import type { KeyStore, Scope } from "./auth.ts";
import type { ApiEnv } from "./context.ts";
import { errorResponse } from "./http-errors.ts";
import type { RateLimiter } from "./rate-limit.ts";

const rejected =
  (register.getSingleMetric("edgeflow_api_auth_rejections_total") as Counter | undefined) ??
  new Counter({ name: "edgeflow_api_auth_rejections_total", help: "Requests refused by the API key gate", labelNames: ["reason"] });

export function guard(keys: KeyStore, limiter: RateLimiter, scope: Scope): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const secret = c.req.header("x-api-key");
    if (!secret) {
      rejected.inc({ reason: "missing" });
      return errorResponse(c, 401, "UNAUTHENTICATED", "missing X-API-Key header", undefined, { "WWW-Authenticate": 'ApiKey header="X-API-Key"' });
    }
    const key = keys.verify(secret);
    if (!key) {
      rejected.inc({ reason: "unknown" });
      return errorResponse(c, 401, "UNAUTHENTICATED", "unknown API key", undefined, { "WWW-Authenticate": 'ApiKey header="X-API-Key"' });
    }
    c.set("apiKey", key);
    if (!key.scopes.has(scope)) {
      rejected.inc({ reason: "scope" });
      return errorResponse(c, 403, "FORBIDDEN", `key "${key.name}" lacks the "${scope}" scope`);
    }
    const decision = limiter.take(key.name);
    if (!decision.allowed) {
      rejected.inc({ reason: "rate" });
      return errorResponse(c, 429, "RATE_LIMITED", `key "${key.name}" exceeded its rate limit; retry in ${decision.retryAfterSeconds} s`, undefined, {
        "Retry-After": String(decision.retryAfterSeconds),
      });
    }
    await next();
  };
}
