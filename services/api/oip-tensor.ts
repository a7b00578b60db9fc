// Open Inference Protocol v2 tensors (KServe, Triton): the JSON contract and the pure
// conversion of a request input — flat or nested `data`, any numeric datatype — into the
// float32 row-major matrix an ONNX model takes.
import { z } from "@hono/zod-openapi";

export const DATATYPES = ["BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64", "FP16", "FP32", "FP64", "BYTES"] as const;
export type Datatype = (typeof DATATYPES)[number];

// OIP $parameters: string, number or boolean values.
const Parameters = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).openapi("OipParameters");

const TensorData = z
  .array(z.union([z.number(), z.boolean(), z.array(z.any())]))
  .openapi({ description: "Tensor contents in row-major order, flat or nested to the tensor's shape" });

export const RequestInput = z
  .strictObject({
    name: z.string().min(1),
    shape: z.array(z.number().int().min(0)).min(1).max(8),
    datatype: z.enum(DATATYPES),
    parameters: Parameters.optional(),
    data: TensorData,
  })
  .openapi("OipRequestInput");

export const InferRequest = z
  .strictObject({
    id: z.string().optional(),
    parameters: Parameters.optional(),
    inputs: z.array(RequestInput).min(1),
    outputs: z.array(z.strictObject({ name: z.string().min(1), parameters: Parameters.optional() })).optional(),
  })
  .openapi("OipInferRequest");
export type InferRequest = z.infer<typeof InferRequest>;

export const ResponseOutput = z
  .object({ name: z.string(), shape: z.array(z.number().int()), datatype: z.string(), data: z.array(z.number()) })
  .openapi("OipResponseOutput");

export const InferResponse = z
  .object({ model_name: z.string(), model_version: z.string(), id: z.string(), outputs: z.array(ResponseOutput) })
  .openapi("OipInferResponse");

export const MetadataTensor = z.object({ name: z.string(), datatype: z.string(), shape: z.array(z.number().int()) }).openapi("OipMetadataTensor");

export const ModelMetadata = z
  .object({ name: z.string(), versions: z.array(z.string()), platform: z.string(), inputs: z.array(MetadataTensor), outputs: z.array(MetadataTensor) })
  .openapi("OipModelMetadata");

const FLOAT32_MAX = 3.4028234663852886e38;

export type TensorRows = { ok: true; rows: Float32Array; n: number } | { ok: false; error: string };

const INTEGER_RANGE: Partial<Record<Datatype, [number, number]>> = {
  UINT8: [0, 255],
  UINT16: [0, 65_535],
  UINT32: [0, 4_294_967_295],
  UINT64: [0, Number.MAX_SAFE_INTEGER],
  INT8: [-128, 127],
  INT16: [-32_768, 32_767],
  INT32: [-2_147_483_648, 2_147_483_647],
  INT64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

/** Copies flat data of exactly rows.length finite float32-range numbers; false otherwise (the general path then says why). */
function flatFloats(data: readonly unknown[], rows: Float32Array): boolean {
  if (data.length !== rows.length) return false;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (typeof v !== "number" || !(Math.abs(v) <= FLOAT32_MAX)) return false;
    rows[i] = v;
  }
  return true;
}

/**
 * Checks one input tensor against a model taking [n, nFeatures] and flattens it. Shape may be
 * [n, nFeatures] or [nFeatures] (one row); `data` holds exactly the shape's element count.
 */
export function tensorRows(input: z.infer<typeof RequestInput>, nFeatures: number, maxRows: number): TensorRows {
  const { shape, datatype, name } = input;
  if (datatype === "BYTES") return { ok: false, error: `input "${name}": datatype BYTES is not supported, the model takes numbers` };
  let n: number;
  if (shape.length === 2 && shape[1] === nFeatures) n = shape[0]!;
  else if (shape.length === 1 && shape[0] === nFeatures) n = 1;
  else return { ok: false, error: `input "${name}": shape [${shape.join(", ")}] does not fit the model's [-1, ${nFeatures}] (or [${nFeatures}] for one row)` };
  if (n < 1) return { ok: false, error: `input "${name}": shape [${shape.join(", ")}] has no rows` };
  if (n > maxRows) return { ok: false, error: `input "${name}": ${n} rows exceed the limit of ${maxRows} per request` };
  const expected = n * nFeatures;
  const rows = new Float32Array(expected);
  if (!INTEGER_RANGE[datatype] && datatype !== "BOOL" && flatFloats(input.data, rows)) return { ok: true, rows, n };
  let count = 0;
  let problem: string | null = null;
  const range = INTEGER_RANGE[datatype];
  const visit = (value: unknown, depth: number): void => {
    if (problem) return;
    if (Array.isArray(value)) {
      if (depth > shape.length) problem = `input "${name}": data is nested deeper than its shape`;
      else for (const v of value) visit(v, depth + 1);
      return;
    }
    if (count >= expected) {
      problem = `input "${name}": data has more than the ${expected} elements of shape [${shape.join(", ")}]`;
      return;
    }
    let x: number;
    if (datatype === "BOOL") {
      if (typeof value !== "boolean") return void (problem = `input "${name}": element ${count} is not a boolean (datatype BOOL)`);
      x = value ? 1 : 0;
    } else {
      if (typeof value !== "number" || !Number.isFinite(value)) return void (problem = `input "${name}": element ${count} is not a finite number`);
      if (range && (!Number.isInteger(value) || value < range[0] || value > range[1])) {
        return void (problem = `input "${name}": element ${count} (${value}) is not a ${datatype} value`);
      }
      // The model computes in float32: a value beyond its range would become Infinity.
      if (Math.abs(value) > FLOAT32_MAX) return void (problem = `input "${name}": element ${count} (${value}) is beyond the float32 range`);
      x = value;
    }
    rows[count++] = x;
  };
  visit(input.data, 0);
  if (problem) return { ok: false, error: problem };
  if (count !== expected) return { ok: false, error: `input "${name}": data has ${count} elements, shape [${shape.join(", ")}] needs ${expected}` };
  return { ok: true, rows, n };
}
