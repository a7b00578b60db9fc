// Turns zod's issues into our `Issue` list: one entry per offending field, with its path.
import type { z } from "zod";
import type { Issue } from "./errors.ts";

export function issuesOf(error: z.ZodError): Issue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join("."),
    message: issue.message,
  }));
}
