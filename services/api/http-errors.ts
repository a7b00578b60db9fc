// One error body for every route: `{error, code, requestId, issues?}`. `error` is the
// human-readable message the Open Inference Protocol asks for (`{"error": "..."}`); `code` is
// stable for programs; `issues` names every offending field of a rejected body.
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Issue } from "../../schemas/index.ts";

export const IssueBody = z.object({ path: z.string(), message: z.string() }).openapi("Issue");

export const ErrorBody = z
  .object({
    error: z.string().openapi({ example: "records.0.timestamp: expected an ISO 8601 date-time or epoch milliseconds" }),
    code: z.string().openapi({ example: "VALIDATION_FAILED" }),
    requestId: z.string(),
    issues: z.array(IssueBody).optional(),
  })
  .openapi("Error");
export type ErrorBody = z.infer<typeof ErrorBody>;

export type ErrorStatus = 400 | 401 | 403 | 404 | 405 | 409 | 413 | 415 | 422 | 429 | 500 | 503;

export function errorJson(requestId: string, code: string, message: string, issues?: Issue[]): ErrorBody {
  return issues === undefined ? { error: message, code, requestId } : { error: message, code, requestId, issues };
}

export function errorBody(c: Context, code: string, message: string, issues?: Issue[]): ErrorBody {
  return errorJson((c.get("requestId") as string | undefined) ?? "", code, message, issues);
}

export function errorResponse(c: Context, status: ErrorStatus, code: string, message: string, issues?: Issue[], headers?: Record<string, string>) {
  return c.json(errorBody(c, code, message, issues), status as ContentfulStatusCode, headers);
}

/** zod issues → our issue list, with the zod 4 union/unrecognized-key detail flattened. */
export function issuesFromZod(error: z.ZodError, prefix: Array<string | number> = []): Issue[] {
  const out: Issue[] = [];
  const seen = new Set<string>();
  const push = (i: Issue) => {
    // A failed format and a failed refinement of one field often say the same thing twice.
    const k = `${i.path}\u0000${i.message}`;
    if (seen.has(k)) return;
    seen.add(k);
    out.push(i);
  };
  for (const issue of error.issues) {
    const path = [...prefix, ...issue.path.map((p) => (typeof p === "symbol" ? String(p) : p))];
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) push({ path: [...path, key].join("."), message: "unknown field" });
    } else {
      push({ path: path.join("."), message: issue.message });
    }
  }
  return out;
}

export function summary(issues: Issue[]): string {
  const shown = issues.slice(0, 5).map((i) => `${i.path || "(body)"}: ${i.message}`);
  return issues.length > 5 ? `${shown.join("; ")}; … ${issues.length - 5} more` : shown.join("; ");
}

/** Shared OpenAPI response entries. */
export const errorContent = (description: string) => ({ description, content: { "application/json": { schema: ErrorBody } } });

export const AUTH_ERRORS = {
  401: errorContent("Missing or unknown X-API-Key"),
  403: errorContent("The key lacks the scope this route needs"),
  429: {
    ...errorContent("Rate limit of this key exceeded; retry after Retry-After seconds"),
    headers: { "Retry-After": { schema: { type: "integer" as const }, description: "Seconds until a request is allowed again" } },
  },
};

export const BODY_ERRORS = {
  400: errorContent("The body is not JSON"),
  413: errorContent("The body exceeds the size limit"),
  415: errorContent("The body is not application/json"),
};
