// The scoring routes' fast lane: a well-formed request to POST /v1/predict (held counter
// state) or POST /v2/models/{name}/infer is answered without Hono — no WHATWG Request or
// Headers, no middleware chain, no zod: checks that accept a subset of what the zod schemas
// accept, then the same domain functions, response bodies, limiter, batcher, metrics and
// access log as the Hono routes. For anything else — a missing or unknown key, another
// content type, a body that is not plainly valid, history records, a record the state cannot
// answer, a refused rate — it answers null and the request goes to Hono unchanged, so every
// error and its wording come from one place. fast-front.ts carries it over HTTP/1.1;
// tests/unit/api/fast-front.test.ts holds the two paths to the same answers.
import type { BikeFeatureRow } from "../../stream/features/index.ts";
import type { LoadedModel } from "../../stream/scoring/index.ts";
import type { ApiCore } from "./app.ts";
import type { ApiKey } from "./auth.ts";
import { requestIdFor, type AppDeps } from "./context.ts";
import { errorJson } from "./http-errors.ts";
import { countPredictions, fastLaneTotal, recordRequest } from "./metrics.ts";
import { INFER_ROUTE, inferBody, inferOutputProblem, inferTensor } from "./oip.ts";
import { DATATYPES, type InferRequest } from "./oip-tensor.ts";
import { featureRows, predictBody, predictModel, PREDICT_ROUTE, rowsInput, type RecordInput } from "./predict.ts";
import { ISO_TIME, MAX_TIME, MIN_TIME } from "./predict-schemas.ts";

export type FastRoute = "predict" | "infer";

export interface FastRequest {
  route: FastRoute;
  /** The request target as sent (for the access log). */
  path: string;
  /** The key `admit` returned for the request's headers. */
  key: ApiKey;
  requestId: string | undefined;
  body: string;
  /** performance.now() when the request was complete. */
  startedAt: number;
}

export interface FastReply {
  status: number;
  requestId: string;
  json: string;
}

export interface FastLane {
  /** The route a request line belongs to, or null (not a fast-lane request). */
  route(method: string, target: string): FastRoute | null;
  /** The request's key if a request with these headers may be fast (checked before its body is read), else null. */
  admit(apiKey: string | undefined, contentType: string | undefined): ApiKey | null;
  readonly bodyLimitBytes: number;
  /** The reply, or null: hand the request to Hono. */
  handle(request: FastRequest): Promise<FastReply | null>;
}

// As Hono's JSON validator decides.
const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;
const INFER_PREFIX = "/v2/models/";
const INFER_SUFFIX = "/infer";
const DATATYPE_SET: ReadonlySet<string> = new Set(DATATYPES);

export function createFastLane(deps: AppDeps, core: ApiCore): FastLane {
  const { limits, limiter, batcher, log } = core;
  const inferTarget = `${INFER_PREFIX}${deps.modelName}${INFER_SUFFIX}`;
  const routeName = { predict: PREDICT_ROUTE, infer: INFER_ROUTE } as const;
  const served = { predict: fastLaneTotal.labels(PREDICT_ROUTE, "served"), infer: fastLaneTotal.labels(INFER_ROUTE, "served") };
  const fellBack = { predict: fastLaneTotal.labels(PREDICT_ROUTE, "fallback"), infer: fastLaneTotal.labels(INFER_ROUTE, "fallback") };
  const declined = (route: FastRoute) => {
    fellBack[route].inc();
    return null;
  };

  return {
    bodyLimitBytes: limits.bodyLimitBytes,
    // Only the served model's exact name: a %-encoded or other name goes to Hono's router.
    route: (method, target) => (method !== "POST" ? null : target === PREDICT_ROUTE ? "predict" : target === inferTarget ? "infer" : null),
    admit(apiKey, contentType) {
      if (!apiKey || !contentType || !JSON_MEDIA_TYPE.test(contentType.split(";")[0]!.trim())) return null;
      const key = deps.keys.verify(apiKey);
      return key?.scopes.has("predict") ? key : null;
    },
    async handle(r) {
      const { key } = r;
      let body: unknown;
      try {
        body = JSON.parse(r.body);
      } catch {
        body = undefined;
      }
      if (body === undefined) return declined(r.route);
      const answered = deps.models.use(async (model) => {
        const work = r.route === "infer" ? inferWork(body, model, limits.maxBatch) : predictWork(body, model, deps, limits.maxBatch);
        if (!work || !limiter.take(key.name).allowed) return declined(r.route);
        const requestId = requestIdFor(r.requestId);
        let status = 200;
        let payload: unknown;
        try {
          const values = await batcher.predict(model, work.rows, work.n);
          const problem = r.route === "infer" ? inferOutputProblem(values) : null;
          if (problem) {
            status = 400;
            payload = errorJson(requestId, "INVALID_INFER_REQUEST", problem);
          } else {
            countPredictions(model, routeName[r.route], work.n);
            payload = work.respond(values, requestId, r.startedAt);
          }
        } catch (error) {
          log.error("unhandled error", { requestId, path: r.path, error });
          status = 500;
          payload = errorJson(requestId, "INTERNAL", "internal error; see the server log for this request id");
        }
        served[r.route].inc();
        recordRequest(log, { requestId, method: "POST", route: routeName[r.route], path: r.path, status, seconds: (performance.now() - r.startedAt) / 1000, keyId: key.name });
        return { status, requestId, json: JSON.stringify(payload) };
      });
      return answered ?? declined(r.route);
    },
  };
}

interface Work {
  rows: Float32Array;
  n: number;
  respond(values: Float32Array, requestId: string, startedAt: number): unknown;
}

// Classes, not object literals with arrow functions: tsx's keepNames wraps every named
// closure in a defineProperty call when it is created, ≈ 4 µs of a single-row request.
class InferWork implements Work {
  constructor(
    private readonly model: LoadedModel,
    private readonly id: string | undefined,
    readonly rows: Float32Array,
    readonly n: number,
  ) {}

  respond(values: Float32Array, requestId: string): unknown {
    return inferBody(this.model, this.id ?? requestId, this.n, values);
  }
}

class PredictWork implements Work {
  readonly n: number;
  constructor(
    private readonly model: LoadedModel,
    private readonly built: BikeFeatureRow[],
    readonly rows: Float32Array,
  ) {
    this.n = built.length;
  }

  respond(values: Float32Array, _requestId: string, startedAt: number): unknown {
    return predictBody(this.model, this.built, values, startedAt);
  }
}

function isScalarOrArray(v: unknown): boolean {
  return typeof v === "number" || typeof v === "boolean" || Array.isArray(v);
}

/** Plain JSON object with exactly these keys (required ∪ some optional), no others. */
function hasOnlyKeys(x: unknown, required: readonly string[], optional: readonly string[] = []): x is Record<string, unknown> {
  if (typeof x !== "object" || x === null || Array.isArray(x)) return false;
  for (const k in x) {
    if (!Object.hasOwn(x, k) || (!required.includes(k) && !optional.includes(k))) return false;
  }
  let present = 0;
  for (const k of required) if (Object.hasOwn(x, k)) present += 1;
  return present === required.length;
}

const isNonNegativeInt = (v: unknown) => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

/** OIP infer body the zod schema surely accepts, as model rows; null sends it to Hono. */
function inferWork(body: unknown, model: LoadedModel, maxRows: number): Work | null {
  if (!hasOnlyKeys(body, ["inputs"], ["id"])) return null;
  if (body.id !== undefined && typeof body.id !== "string") return null;
  const inputs = body.inputs;
  if (!Array.isArray(inputs) || inputs.length !== 1) return null;
  const input: unknown = inputs[0];
  if (!hasOnlyKeys(input, ["name", "shape", "datatype", "data"])) return null;
  const { name, shape, datatype, data } = input;
  if (typeof name !== "string" || name.length === 0 || typeof datatype !== "string" || !DATATYPE_SET.has(datatype)) return null;
  if (!Array.isArray(shape) || shape.length < 1 || shape.length > 8 || !shape.every(isNonNegativeInt)) return null;
  if (!Array.isArray(data) || !data.every(isScalarOrArray)) return null;
  const request = body as unknown as InferRequest;
  const tensor = inferTensor(request, model, maxRows);
  if (!tensor.ok) return null;
  return new InferWork(model, request.id, tensor.rows, tensor.n);
}

function isTimestamp(t: unknown): boolean {
  if (typeof t === "number") return Number.isSafeInteger(t) && t >= MIN_TIME && t < MAX_TIME;
  return typeof t === "string" && ISO_TIME.test(t);
}

/** A history-less record the zod schema surely accepts. */
function isHeldRecord(r: unknown): r is RecordInput {
  return hasOnlyKeys(r, ["counterId", "timestamp"]) && typeof r.counterId === "string" && r.counterId.length >= 1 && r.counterId.length <= 128 && isTimestamp(r.timestamp);
}

/** /v1/predict body of held-state records that all have complete features; null sends it to Hono. */
function predictWork(body: unknown, model: LoadedModel, deps: AppDeps, maxBatch: number): Work | null {
  if (!predictModel(model).ok) return null;
  let records: RecordInput[];
  let batch: boolean;
  if (isHeldRecord(body)) {
    records = [body];
    batch = false;
  } else if (hasOnlyKeys(body, ["records"]) && Array.isArray(body.records) && body.records.length >= 1 && body.records.length <= maxBatch && body.records.every(isHeldRecord)) {
    records = body.records as RecordInput[];
    batch = true;
  } else return null;
  const built = featureRows(records, batch, deps);
  if (!built.ok) return null;
  return new PredictWork(model, built.rows, rowsInput(built.rows, model.nFeatures));
}
