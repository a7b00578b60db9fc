// A small argv parser for the edgeflow CLI: positional words, `--name value`, `--flag`.
export interface ParsedArgs {
  positional: string[];
  options: Map<string, string | true>;
}

export function parseArgs(argv: string[], flags: ReadonlySet<string> = new Set()): ParsedArgs {
  const positional: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith("--")) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf("=");
    if (eq > 0) options.set(a.slice(2, eq), a.slice(eq + 1));
    else if (flags.has(a.slice(2)) || i + 1 >= argv.length || argv[i + 1]!.startsWith("--")) options.set(a.slice(2), true);
    else options.set(a.slice(2), argv[++i]!);
  }
  return { positional, options };
}

export class UsageError extends Error {}

export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const v = args.options.get(name);
  if (v === true) throw new UsageError(`--${name} needs a value`);
  return v;
}

export function numberOption(args: ParsedArgs, name: string): number | undefined {
  const v = stringOption(args, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got "${v}"`);
  return n;
}
