// POST /v1/predict and POST /v1/events: the bike use case over HTTP. Features come from the
// same pure `stepBikeFeatures` the stream runs — over the history sent with a record, or the
// state the API holds for the counter — so HTTP and stream forecasts cannot skew.
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { bikeEventId, type Issue } from "../../schemas/index.ts";
import { BIKE_FEATURE_NAMES, BIKE_FEATURE_SPEC, HOUR_MS, type BikeFeatureRow } from "../../stream/features/index.ts";
import type { LoadedModel } from "../../stream/scoring/index.ts";
import type { PredictionBatcher } from "./batcher.ts";
import type { ApiEnv, ApiLimits, AppDeps } from "./context.ts";
import { featuresFromHistory } from "./counter-state.ts";
import { AUTH_ERRORS, BODY_ERRORS, errorContent, errorResponse, issuesFromZod, summary } from "./http-errors.ts";
import { countPredictions } from "./metrics.ts";
import { EventsResponse, PredictResponse, predictSchemas, toEpochMs, type Timestamp } from "./predict-schemas.ts";

// Ids and times of a row, formatted once per row (held rows are reused across requests).
const labelsByRow = new WeakMap<BikeFeatureRow, { eventId: string; targetTime: string }>();
function labelsOf(row: BikeFeatureRow) {
  let labels = labelsByRow.get(row);
  if (!labels) {
    labels = { eventId: bikeEventId({ counterId: row.counterId, timestamp: row.eventTime }), targetTime: new Date(row.targetTime).toISOString() };
    labelsByRow.set(row, labels);
  }
  return labels;
}

export interface RecordInput {
  counterId: string;
  timestamp: Timestamp;
  history?: Array<{ timestamp: Timestamp; count: number }>;
}

export const PREDICT_ROUTE = "/v1/predict";

export type FeatureRows = { ok: true; rows: BikeFeatureRow[] } | { ok: false; issues: Issue[] };

/**
 * The feature row of each record — over its history, or the state held for its counter — or
 * every record's problem, by field path (`records.{i}.…` in a batch).
 */
export function featureRows(records: RecordInput[], batch: boolean, deps: Pick<AppDeps, "counters">): FeatureRows {
  const at = (i: number, field: string) => (batch ? `records.${i}.${field}` : field);
  const issues: Issue[] = [];
  const rows: BikeFeatureRow[] = [];
  records.forEach((r, i) => {
    const t = toEpochMs(r.timestamp);
    let row: BikeFeatureRow;
    let field: string;
    if (r.history) {
      field = "history";
      const result = featuresFromHistory(r.counterId, t, r.history.map((h) => ({ timestamp: toEpochMs(h.timestamp), count: h.count })));
      if (!result.ok) return void issues.push({ path: at(i, field), message: result.reason });
      row = result.row;
    } else {
      field = "counterId";
      const state = deps.counters.get(r.counterId);
      if (!state) {
        return void issues.push({ path: at(i, field), message: `no history sent and no state held for counter "${r.counterId}": send history, or POST /v1/events first` });
      }
      if (state.latestHour !== Math.floor(t / HOUR_MS)) {
        return void issues.push({
          path: at(i, "timestamp"),
          message: `the newest count held for "${r.counterId}" is for ${new Date(state.latestHour * HOUR_MS).toISOString()}, not the hour of timestamp; send history or POST that hour's count to /v1/events`,
        });
      }
      row = deps.counters.features(r.counterId)!;
    }
    if (!row.complete) {
      const missing = BIKE_FEATURE_NAMES.filter((_, k) => Number.isNaN(row.values[k]));
      return void issues.push({
        path: at(i, field),
        message: `history too short to compute complete features for counter "${r.counterId}" at ${new Date(row.eventTime).toISOString()}: missing ${missing.join(", ")} (complete features need the 180 hours up to t)`,
      });
    }
    rows.push(row);
  });
  return issues.length > 0 ? { ok: false, issues } : { ok: true, rows };
}

/** The rows as one row-major float32 matrix. */
export function rowsInput(rows: BikeFeatureRow[], nFeatures: number): Float32Array {
  const input = new Float32Array(rows.length * nFeatures);
  rows.forEach((row, i) => input.set(row.values, i * nFeatures));
  return input;
}

/** The 200 body of /v1/predict. */
export function predictBody(model: LoadedModel, rows: BikeFeatureRow[], values: Float32Array, startedAt: number) {
  return {
    model: { name: model.name, version: model.version },
    predictions: rows.map((row, i) => {
      const { eventId, targetTime } = labelsOf(row);
      return { eventId, counterId: row.counterId, targetTime, value: values[i]! };
    }),
    latencyMs: Math.round((performance.now() - startedAt) * 1000) / 1000,
  };
}

/** The served model if it can answer /v1/predict, else why not. */
export function predictModel(model: LoadedModel | null): { ok: true; model: LoadedModel } | { ok: false; status: 503 | 409; code: string; message: string } {
  if (!model) return { ok: false, status: 503, code: "NOT_READY", message: "no verified model is loaded yet" };
  if (model.card.featureSpecHash !== BIKE_FEATURE_SPEC.hash) {
    return { ok: false, status: 409, code: "FEATURE_SPEC_MISMATCH", message: `${model.name} v${model.version} does not take the ${BIKE_FEATURE_SPEC.name} v${BIKE_FEATURE_SPEC.version} features` };
  }
  return { ok: true, model };
}

export function predictRoutes(app: OpenAPIHono<ApiEnv>, deps: AppDeps, limits: ApiLimits, batcher: PredictionBatcher): void {
  const schemas = predictSchemas(limits);
  const security = [{ ApiKeyAuth: [] }];

  const predict = createRoute({
    method: "post",
    path: "/v1/predict",
    tags: ["predict"],
    summary: "Next-hour forecast for one bike counter record or a batch",
    security,
    request: { body: { required: true, content: { "application/json": { schema: schemas.PredictRequest } } } },
    responses: {
      200: { description: "One prediction per record, in order", content: { "application/json": { schema: PredictResponse } } },
      ...BODY_ERRORS,
      ...AUTH_ERRORS,
      409: errorContent("The served model does not take the bike feature spec"),
      422: errorContent("Invalid body (every offending field named), or a record whose features cannot be computed"),
      503: errorContent("No verified model is loaded yet"),
    },
  });

  app.openapi(
    predict,
    async (c) => {
      const body = c.req.valid("json");
      const answer = deps.models.use(async (current) => {
        const served = predictModel(current);
        if (!served.ok) return errorResponse(c, served.status, served.code, served.message);
        const { model } = served;
        const batch = "records" in body;
        const built = featureRows(batch ? body.records : [body], batch, deps);
        if (!built.ok) return errorResponse(c, 422, "FEATURES_UNAVAILABLE", summary(built.issues), built.issues);
        const values = await batcher.predict(model, rowsInput(built.rows, model.nFeatures), built.rows.length);
        countPredictions(model, PREDICT_ROUTE, built.rows.length);
        return c.json(predictBody(model, built.rows, values, c.get("startedAt")), 200);
      });
      if (answer) return (await answer) as never;
      const notReady = predictModel(null) as { status: 503; code: string; message: string };
      return errorResponse(c, notReady.status, notReady.code, notReady.message) as never;
    },
    (result, c) => {
      if (result.success) return;
      // A union's error lists both branches; re-check against the branch the body meant.
      const reply = async () => {
        const body: unknown = await c.req.json().catch(() => null);
        const meant = body !== null && typeof body === "object" && "records" in body ? schemas.PredictBatch : schemas.PredictRecord;
        const again = meant.safeParse(body);
        const issues = again.success ? issuesFromZod(result.error) : issuesFromZod(again.error);
        return errorResponse(c, 422, "VALIDATION_FAILED", summary(issues), issues);
      };
      return reply() as never;
    },
  );

  const events = createRoute({
    method: "post",
    path: "/v1/events",
    tags: ["predict"],
    summary: "Feed hourly counts into the per-counter state used by history-less predictions",
    security,
    request: { body: { required: true, content: { "application/json": { schema: schemas.EventsRequest } } } },
    responses: {
      200: { description: "Counts folded into the counters' state", content: { "application/json": { schema: EventsResponse } } },
      ...BODY_ERRORS,
      ...AUTH_ERRORS,
      422: errorContent("Invalid body; every offending field is named"),
    },
  });

  app.openapi(events, (c) => {
    const tally = { features: 0, late: 0, duplicate: 0 };
    for (const e of c.req.valid("json").events) tally[deps.counters.apply({ counterId: e.counterId, timestamp: toEpochMs(e.timestamp), count: e.count })] += 1;
    return c.json({ accepted: tally.features, late: tally.late, duplicates: tally.duplicate, counters: deps.counters.size }, 200);
  });
}
