// Request and response contracts of /v1/predict and /v1/events. Built per configuration
// (batch and history limits appear in the OpenAPI document as they are enforced). Strict
// objects: an unknown field is reported, never dropped.
import { z } from "@hono/zod-openapi";
import type { ApiLimits } from "./context.ts";

export const MIN_TIME = Date.UTC(2000, 0, 1);
export const MAX_TIME = Date.UTC(2100, 0, 1);
const TIME_MESSAGE = "expected an ISO 8601 date-time of 2000-2099 with seconds and an offset (2021-03-01T08:00:00Z), or epoch milliseconds between 2000-01-01 and 2100-01-01";

// The exact strings accepted, as a pattern the OpenAPI document can carry (a `format` cannot
// say "years 2000-2099"), so what a client or a fuzzer reads is what the server enforces.
export const ISO_TIME = /^20\d{2}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;
const IsoTime = z.string().regex(ISO_TIME, TIME_MESSAGE);
const EpochMs = z.number().int().min(MIN_TIME).max(MAX_TIME - 1);

export const Timestamp = z
  .union([IsoTime, EpochMs], { error: TIME_MESSAGE })
  .openapi({ description: "Hour start as ISO 8601 (with Z or an offset) or epoch milliseconds UTC", example: "2021-03-01T08:00:00Z" });
export type Timestamp = z.infer<typeof Timestamp>;

export function toEpochMs(t: Timestamp): number {
  return typeof t === "number" ? t : Date.parse(t);
}

const Count = z.number().int("count must be a whole number").min(0, "count must not be negative").max(1_000_000_000);
const CounterId = z.string().min(1, "counterId must not be empty").max(128).openapi({ example: "100003096-353245971" });

export function predictSchemas(limits: ApiLimits) {
  const HistoryEntry = z.strictObject({ timestamp: Timestamp, count: Count }).openapi("HistoryEntry");
  const PredictRecord = z
    .strictObject({
      counterId: CounterId,
      timestamp: Timestamp.openapi({ description: "Hour t: the forecast is for t + 1 h" }),
      history: z
        .array(HistoryEntry)
        .min(1)
        .max(limits.maxHistory)
        .optional()
        .openapi({
          description:
            "Hourly counts up to and including hour t (any order). Complete features need the 180 hours up to t (lags up to 169 h, a 24 h mean a week back). Omit to use the state the API holds for the counter (POST /v1/events).",
        }),
    })
    .openapi("PredictRecord");
  const PredictBatch = z.strictObject({ records: z.array(PredictRecord).min(1).max(limits.maxBatch) }).openapi("PredictBatch");
  const PredictRequest = z.union([PredictRecord, PredictBatch]).openapi("PredictRequest");

  const CountEventBody = z.strictObject({ counterId: CounterId, timestamp: Timestamp, count: Count }).openapi("CountEvent");
  const EventsRequest = z.strictObject({ events: z.array(CountEventBody).min(1).max(limits.maxBatch) }).openapi("EventsRequest");
  return { PredictRecord, PredictBatch, PredictRequest, EventsRequest };
}

export const Prediction = z
  .object({
    eventId: z.string().openapi({ example: "100003096-353245971@2021-03-01T08:00:00.000Z" }),
    counterId: z.string(),
    targetTime: z.string().openapi({ description: "The hour forecast (t + 1 h), ISO 8601 UTC" }),
    value: z.number(),
  })
  .openapi("Prediction");

export const ModelRef = z.object({ name: z.string(), version: z.string() }).openapi("ModelRef");

export const PredictResponse = z
  .object({
    model: ModelRef,
    predictions: z.array(Prediction),
    latencyMs: z.number().openapi({ description: "Time spent in the API for this request" }),
  })
  .openapi("PredictResponse");

export const EventsResponse = z
  .object({
    accepted: z.number().int().openapi({ description: "Events that advanced their counter to a new hour" }),
    late: z.number().int().openapi({ description: "Events for an hour already passed, kept to fill gaps" }),
    duplicates: z.number().int().openapi({ description: "Events for an hour already held (first count wins)" }),
    counters: z.number().int().openapi({ description: "Counters held after this request" }),
  })
  .openapi("EventsResponse");
