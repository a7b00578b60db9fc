// GET /v1/models (versions, aliases, cards, what this replica serves) and the admin routes
// POST /v1/models/{name}/promote and /rollback, which move `champion` in the registry; the
// registry then publishes the model-event every replica swaps on (this one re-syncs at once).
import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { EdgeflowError } from "../../schemas/index.ts";
import type { Logger } from "../../stream/runtime/index.ts";
import type { ApiEnv, AppDeps } from "./context.ts";
import { AUTH_ERRORS, BODY_ERRORS, errorContent, errorResponse } from "./http-errors.ts";

const NameParam = z.object({
  name: z
    .string()
    .min(1)
    .openapi({ param: { name: "name", in: "path" }, example: "bike-next-hour" }),
});

const VersionInfo = z
  .object({
    version: z.string(),
    aliases: z.array(z.string()),
    card: z.record(z.string(), z.unknown()).openapi({ description: "The version's model card (card.json)" }),
  })
  .openapi("ModelVersionInfo");

const ModelInfo = z
  .object({
    name: z.string(),
    aliases: z.record(z.string(), z.string()),
    championHistory: z.array(z.string()),
    versions: z.array(VersionInfo),
    serving: z.object({ version: z.string() }).nullable().openapi({ description: "The version this replica serves now" }),
  })
  .openapi("ModelInfo");

const ModelsResponse = z.object({ registry: z.string().nullable(), models: z.array(ModelInfo) }).openapi("ModelsResponse");

const ChangeRequest = z.strictObject({ reason: z.string().max(500).optional() });
const PromoteRequest = z.strictObject({ version: z.string().regex(/^[1-9]\d{0,8}$/, "version must be a positive integer string"), reason: z.string().max(500).optional() });

const AliasChangeResponse = z
  .object({
    model: z.string(),
    alias: z.string(),
    version: z.string(),
    previousVersion: z.string().nullable(),
    eventId: z.string(),
    serving: z.object({ version: z.string() }).nullable(),
  })
  .openapi("AliasChange");

const STATUS_BY_CODE: Record<string, 404 | 409 | 422 | 503> = {
  MODEL_NOT_FOUND: 404,
  REGISTRY_NAME_INVALID: 404,
  NO_PREVIOUS_CHAMPION: 409,
  MODEL_INTEGRITY: 409,
  SCHEMA_VIOLATION: 409,
  REGISTRY_LOCKED: 503,
  MODEL_EVENT_NOT_PUBLISHED: 503,
};

function registryError(c: Context<ApiEnv>, error: unknown, log: Logger): Response {
  if (error instanceof EdgeflowError && STATUS_BY_CODE[error.code] !== undefined) {
    const status = STATUS_BY_CODE[error.code]!;
    return errorResponse(c, status, error.code, error.message, undefined, status === 503 ? { "Retry-After": "1" } : undefined);
  }
  log.error("registry call failed", { requestId: c.get("requestId"), error });
  return errorResponse(c, 500, "INTERNAL", "the registry call failed; see the server log for this request id");
}

export function modelRoutes(app: OpenAPIHono<ApiEnv>, deps: AppDeps, log: Logger): void {
  const serving = () => {
    const m = deps.models.current();
    return m ? { version: m.version } : null;
  };

  app.openapi(
    createRoute({
      method: "get",
      path: "/v1/models",
      tags: ["models"],
      summary: "Versions, aliases and cards of the served model",
      security: [{ ApiKeyAuth: [] }],
      responses: { 200: { description: "Models", content: { "application/json": { schema: ModelsResponse } } }, ...AUTH_ERRORS, 500: errorContent("The registry failed"), 503: errorContent("The registry is busy") },
    }),
    async (c) => {
      const current = deps.models.current();
      if (!deps.registry) {
        const pinned = current ? [{ version: current.version, aliases: [], card: current.card as Record<string, unknown> }] : [];
        return c.json({ registry: null, models: [{ name: deps.modelName, aliases: {}, championHistory: [], versions: pinned, serving: serving() }] }, 200) as never;
      }
      try {
        const [versions, aliases] = await Promise.all([deps.registry.list(deps.modelName), deps.registry.aliases(deps.modelName)]);
        const info = {
          name: deps.modelName,
          aliases: aliases.aliases,
          championHistory: aliases.championHistory,
          versions: versions.map((v) => ({ version: v.version, aliases: v.aliases, card: v.card as Record<string, unknown> })),
          serving: serving(),
        };
        return c.json({ registry: `${deps.registry.backend}:${deps.registry.location}`, models: [info] }, 200) as never;
      } catch (error) {
        return registryError(c, error, log) as never;
      }
    },
  );

  const adminResponses = {
    200: { description: "Champion moved; this replica re-synced", content: { "application/json": { schema: AliasChangeResponse } } },
    ...BODY_ERRORS,
    ...AUTH_ERRORS,
    404: errorContent("No such model or version"),
    409: errorContent("Refused: no previous champion, integrity check failed, or serving a pinned folder"),
    422: errorContent("Invalid body"),
    500: errorContent("The registry failed"),
    503: errorContent("The registry is busy; retry"),
  };

  const change = async (c: Context<ApiEnv>, name: string, move: () => Promise<{ model: string; alias: string; version: string; previousVersion: string | null; event: { eventId: string } }>) => {
    if (!deps.registry) return errorResponse(c, 409, "PINNED_MODEL", "this server serves a pinned model folder (EDGEFLOW_MODEL_DIR), not a registry");
    if (name !== deps.modelName) return errorResponse(c, 404, "MODEL_NOT_FOUND", `model "${name}" is not served here (this server serves "${deps.modelName}")`);
    try {
      const moved = await move();
      log.info("champion moved over HTTP", { requestId: c.get("requestId"), keyId: c.get("apiKey").name, model: moved.model, version: moved.version, previousVersion: moved.previousVersion });
      await deps.champion?.sync("admin").catch(() => undefined);
      return c.json({ model: moved.model, alias: moved.alias, version: moved.version, previousVersion: moved.previousVersion, eventId: moved.event.eventId, serving: serving() }, 200);
    } catch (error) {
      return registryError(c, error, log);
    }
  };

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/models/{name}/promote",
      tags: ["models"],
      summary: "Make a version the champion (admin)",
      security: [{ ApiKeyAuth: [] }],
      request: { params: NameParam, body: { required: true, content: { "application/json": { schema: PromoteRequest } } } },
      responses: adminResponses,
    }),
    async (c) => {
      const { name } = c.req.valid("param");
      const body = c.req.valid("json");
      return (await change(c, name, () => deps.registry!.promote(name, body.version, { reason: body.reason ?? `promoted over HTTP by ${c.get("apiKey").name}` }))) as never;
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v1/models/{name}/rollback",
      tags: ["models"],
      summary: "Move the champion back to the previous one (admin)",
      security: [{ ApiKeyAuth: [] }],
      request: { params: NameParam, body: { required: false, content: { "application/json": { schema: ChangeRequest } } } },
      responses: adminResponses,
    }),
    async (c) => {
      const { name } = c.req.valid("param");
      const body = c.req.valid("json") as z.infer<typeof ChangeRequest>;
      return (await change(c, name, () => deps.registry!.rollback(name, { reason: body.reason ?? `rolled back over HTTP by ${c.get("apiKey").name}` }))) as never;
    },
  );
}
