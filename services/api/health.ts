// Unauthenticated operational routes: /health (liveness: the process answers), /ready (a
// verified model is loaded; what a load balancer should route on) and /metrics (Prometheus).
import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import { register } from "prom-client";
import type { ApiEnv, AppDeps } from "./context.ts";

const Health = z.object({ status: z.literal("ok") }).openapi("Health");
const Readiness = z
  .object({ ready: z.boolean(), model: z.object({ name: z.string(), version: z.string() }).nullable() })
  .openapi("Readiness");

export function healthRoutes(app: OpenAPIHono<ApiEnv>, deps: AppDeps): void {
  const tags = ["operations"];
  app.openapi(
    createRoute({ method: "get", path: "/health", tags, summary: "Liveness", responses: { 200: { description: "The process answers", content: { "application/json": { schema: Health } } } } }),
    (c) => c.json({ status: "ok" as const }, 200),
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/ready",
      tags,
      summary: "Readiness: a verified model is loaded",
      responses: {
        200: { description: "Serving", content: { "application/json": { schema: Readiness } } },
        503: { description: "No model loaded yet", content: { "application/json": { schema: Readiness } } },
      },
    }),
    (c) => {
      const m = deps.models.current();
      return m ? c.json({ ready: true, model: { name: m.name, version: m.version } }, 200) : c.json({ ready: false, model: null }, 503);
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/metrics",
      tags,
      summary: "Prometheus metrics",
      responses: { 200: { description: "Prometheus text exposition format", content: { "text/plain": { schema: z.string() } } } },
    }),
    async (c) => c.text(await register.metrics(), 200, { "Content-Type": register.contentType }),
  );
}
