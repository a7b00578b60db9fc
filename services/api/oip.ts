// Open Inference Protocol v2 (KServe / Triton "predict protocol v2") over HTTP: server and
// model health, model metadata, and inference on raw feature tensors. Errors are
// `{"error": "..."}` as the protocol asks (our body adds code and requestId).
import { createRoute, z, type OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { LoadedModel } from "../../stream/scoring/index.ts";
import type { PredictionBatcher } from "./batcher.ts";
import type { ApiEnv, ApiLimits, AppDeps } from "./context.ts";
import { AUTH_ERRORS, BODY_ERRORS, errorContent, errorResponse, issuesFromZod, summary } from "./http-errors.ts";
import { countPredictions } from "./metrics.ts";
import { InferRequest, InferResponse, ModelMetadata, tensorRows, type TensorRows } from "./oip-tensor.ts";

export const SERVER_VERSION = "0.1.0";

const NameParam = z.object({
  name: z
    .string()
    .min(1)
    .openapi({ param: { name: "name", in: "path" }, example: "bike-next-hour" }),
});

const Live = z.object({ live: z.boolean() }).openapi("OipServerLive");
const Ready = z.object({ ready: z.boolean() }).openapi("OipServerReady");
const ModelReady = z.object({ name: z.string(), ready: z.boolean() }).openapi("OipModelReady");
const ServerMetadata = z.object({ name: z.string(), version: z.string(), extensions: z.array(z.string()) }).openapi("OipServerMetadata");

export const INFER_ROUTE = "/v2/models/:name/infer";

/** The request's one input tensor as model rows, or what is wrong with the request. */
export function inferTensor(request: InferRequest, model: LoadedModel, maxRows: number): TensorRows {
  if (request.inputs.length !== 1) return { ok: false, error: `the model takes exactly one input tensor, got ${request.inputs.length}` };
  const unknown = (request.outputs ?? []).map((o) => o.name).filter((o) => o !== model.card.onnx.output);
  if (unknown.length > 0) return { ok: false, error: `unknown output ${unknown.map((o) => `"${o}"`).join(", ")}; the model's output is "${model.card.onnx.output}"` };
  return tensorRows(request.inputs[0]!, model.nFeatures, maxRows);
}

/** Why the model's output cannot be returned, or null. */
export function inferOutputProblem(values: Float32Array): string | null {
  const nonFinite = values.findIndex((v) => !Number.isFinite(v));
  return nonFinite >= 0 ? `the model's output for row ${nonFinite} is not finite; check the input's scale` : null;
}

function toNumbers(values: Float32Array): number[] {
  const out = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i]!;
  return out;
}

/** The 200 body of infer: one FP32 output of shape [n, 1]. */
export function inferBody(model: LoadedModel, id: string, n: number, values: Float32Array) {
  return {
    model_name: model.name,
    model_version: model.version,
    id,
    outputs: [{ name: model.card.onnx.output, shape: [n, 1], datatype: "FP32", data: toNumbers(values) }],
  };
}

export function oipRoutes(app: OpenAPIHono<ApiEnv>, deps: AppDeps, limits: ApiLimits, batcher: PredictionBatcher): void {
  const security = [{ ApiKeyAuth: [] }];
  const tags = ["open inference protocol v2"];

  app.openapi(
    createRoute({ method: "get", path: "/v2", tags, summary: "Server metadata", responses: { 200: { description: "Server metadata", content: { "application/json": { schema: ServerMetadata } } } } }),
    (c) => c.json({ name: "edgeflow", version: SERVER_VERSION, extensions: [] }, 200),
  );
  app.openapi(
    createRoute({ method: "get", path: "/v2/health/live", tags, summary: "Server live", responses: { 200: { description: "The server answers", content: { "application/json": { schema: Live } } } } }),
    (c) => c.json({ live: true }, 200),
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/v2/health/ready",
      tags,
      summary: "Server ready: a verified model is loaded",
      responses: {
        200: { description: "Ready", content: { "application/json": { schema: Ready } } },
        503: { description: "No model loaded yet", content: { "application/json": { schema: Ready } } },
      },
    }),
    (c) => (deps.models.current() ? c.json({ ready: true }, 200) : c.json({ ready: false }, 503)),
  );

  const notServed = (c: Context<ApiEnv>, name: string) => errorResponse(c, 404, "MODEL_NOT_FOUND", `model "${name}" is not served here (this server serves "${deps.modelName}")`);
  const notLoaded = (c: Context<ApiEnv>, name: string) => errorResponse(c, 503, "NOT_READY", `model "${name}" is not loaded yet`);
  /** The served model if `name` is it, else the error response to send. */
  const served = (c: Context<ApiEnv>, name: string): LoadedModel | Response => {
    if (name !== deps.modelName) return notServed(c, name);
    return deps.models.current() ?? notLoaded(c, name);
  };
  const notFound = errorContent("No such model on this server");
  const notReady = errorContent("The model is not loaded yet");

  app.openapi(
    createRoute({
      method: "get",
      path: "/v2/models/{name}",
      tags,
      summary: "Model metadata",
      security,
      request: { params: NameParam },
      responses: { 200: { description: "Model metadata", content: { "application/json": { schema: ModelMetadata } } }, ...AUTH_ERRORS, 404: notFound, 503: notReady },
    }),
    (c) => {
      const model = served(c, c.req.valid("param").name);
      if (model instanceof Response) return model as never;
      return c.json(
        {
          name: model.name,
          versions: [model.version],
          platform: "onnxruntime_onnx",
          inputs: [{ name: model.card.onnx.input, datatype: "FP32", shape: [-1, model.nFeatures] }],
          outputs: [{ name: model.card.onnx.output, datatype: "FP32", shape: [-1, 1] }],
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/v2/models/{name}/ready",
      tags,
      summary: "Model ready",
      security,
      request: { params: NameParam },
      responses: {
        200: { description: "Ready", content: { "application/json": { schema: ModelReady } } },
        ...AUTH_ERRORS,
        404: notFound,
        503: { description: "Not loaded yet", content: { "application/json": { schema: ModelReady } } },
      },
    }),
    (c) => {
      const { name } = c.req.valid("param");
      if (name !== deps.modelName) return notServed(c, name) as never;
      return deps.models.current() ? c.json({ name, ready: true }, 200) : c.json({ name, ready: false }, 503);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/v2/models/{name}/infer",
      tags,
      summary: "Inference on a [n, features] tensor",
      description:
        "One input tensor of shape [n, nFeatures] (or [nFeatures]) in any numeric datatype, data flat or nested; its name is not checked since the model has exactly one input. Returns one FP32 output of shape [n, 1].",
      security,
      request: { params: NameParam, body: { required: true, content: { "application/json": { schema: InferRequest } } } },
      responses: {
        200: { description: "Output tensor", content: { "application/json": { schema: InferResponse } } },
        ...BODY_ERRORS,
        400: errorContent("The request does not fit the protocol or the model (shape, datatype, data)"),
        ...AUTH_ERRORS,
        404: notFound,
        503: notReady,
      },
    }),
    async (c) => {
      const { name } = c.req.valid("param");
      if (name !== deps.modelName) return notServed(c, name) as never;
      const request = c.req.valid("json");
      const answer = deps.models.use(async (model) => {
        const tensor = inferTensor(request, model, limits.maxBatch);
        if (!tensor.ok) return errorResponse(c, 400, "INVALID_INFER_REQUEST", tensor.error);
        const values = await batcher.predict(model, tensor.rows, tensor.n);
        const outputProblem = inferOutputProblem(values);
        if (outputProblem) return errorResponse(c, 400, "INVALID_INFER_REQUEST", outputProblem);
        countPredictions(model, INFER_ROUTE, tensor.n);
        return c.json(inferBody(model, request.id ?? c.get("requestId"), tensor.n, values), 200);
      });
      return (answer ? await answer : notLoaded(c, name)) as never;
    },
    (result, c) => {
      if (result.success) return;
      const issues = issuesFromZod(result.error);
      return errorResponse(c, result.target === "param" ? 404 : 400, "INVALID_INFER_REQUEST", summary(issues), issues) as never;
    },
  );
}
