// Duration options on the command line (`--window 84d`), parsed like the environment's.
import { parseDuration } from "../../schemas/index.ts";
import { stringOption, UsageError, type ParsedArgs } from "../cli/args.ts";

export function durationOption(args: ParsedArgs, name: string): number | undefined {
  const v = stringOption(args, name);
  if (v === undefined) return undefined;
  const ms = parseDuration(v);
  if (!Number.isFinite(ms) || ms <= 0) throw new UsageError(`--${name} must be a duration such as 84d, 12h or 30m, got "${v}"`);
  return ms;
}
