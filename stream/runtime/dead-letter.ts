// Dead-letter records: the original key and bytes, untouched, with where they came from and
// why they were refused in headers (the Kafka Connect convention), so a message can be
// inspected and replayed as it was.
import { EdgeflowError } from "../../schemas/index.ts";

export interface DeadLetter {
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

export interface DeadLetterOrigin {
  processor: string;
  topic: string;
  partition: number;
  offset: string;
  timestamp: number;
}

export function deadLetter(origin: DeadLetterOrigin, key: Buffer | null, value: Buffer | null, error: unknown, now: number): DeadLetter {
  // Our errors carry a code, and so do processors' rejections (ctx.reject(record, reason, code)).
  const own = (error as { code?: unknown } | null)?.code;
  const code = error instanceof EdgeflowError ? error.code : typeof own === "string" && own !== "" ? own : "PROCESSING_FAILED";
  const reason = error instanceof Error ? error.message : String(error);
  return {
    key,
    value,
    headers: {
      "edgeflow.dlq.processor": origin.processor,
      "edgeflow.dlq.topic": origin.topic,
      "edgeflow.dlq.partition": String(origin.partition),
      "edgeflow.dlq.offset": origin.offset,
      "edgeflow.dlq.timestamp": String(origin.timestamp),
      "edgeflow.dlq.code": code,
      "edgeflow.dlq.reason": reason.slice(0, 4_000),
      "edgeflow.dlq.at": new Date(now).toISOString(),
    },
  };
}

/** Reads the origin and reason back from a dead letter's headers. */
export function deadLetterInfo(headers: Record<string, string | Buffer | undefined>): { origin: DeadLetterOrigin; code: string; reason: string } {
  const h = (k: string): string => {
    const v = headers[`edgeflow.dlq.${k}`];
    return v === undefined ? "" : v.toString();
  };
  return {
    origin: {
      processor: h("processor"),
      topic: h("topic"),
      partition: Number(h("partition")),
      offset: h("offset"),
      timestamp: Number(h("timestamp")),
    },
    code: h("code"),
    reason: h("reason"),
  };
}
