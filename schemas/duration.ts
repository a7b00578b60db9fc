// Durations in configuration: "7d", "1h", "30m", "45s", "250ms", or a plain number of
// milliseconds. Parsed once at the boundary into epoch-millisecond counts.
import { z } from "zod";

const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?$/;

/** Milliseconds of a duration text; NaN when it is not one. */
export function parseDuration(text: string): number {
  const m = DURATION.exec(text.trim());
  if (!m) return Number.NaN;
  return Math.round(Number(m[1]) * UNIT_MS[m[2] ?? "ms"]!);
}

/** An environment duration with a default, e.g. envDuration("7d"). */
export const envDuration = (def: string, min = 0) =>
  z
    .string()
    .default(def)
    .transform((s, ctx) => {
      const ms = parseDuration(s);
      if (!Number.isFinite(ms) || ms < min) {
        ctx.addIssue({ code: "custom", message: `expected a duration such as 7d, 1h, 30m, 45s or 250ms${min > 0 ? ` (at least ${min} ms)` : ""}` });
        return z.NEVER;
      }
      return ms;
    });
