// `edgeflow serve` (the HTTP scoring API in the foreground) and `edgeflow keys` (make and
// hash API keys for EDGEFLOW_API_KEYS).
import { readFileSync } from "node:fs";
import { parseArgs, stringOption, UsageError } from "../cli/args.ts";
import { Scope, hashApiKey, newApiKey } from "./auth.ts";
import { startApi } from "./server.ts";

export const SERVE_USAGE = `usage: edgeflow serve [--port 8080] [--host 127.0.0.1] [--model-dir <version folder>]
  serves the registry champion of EDGEFLOW_MODEL_NAME (hot-swapped) or a pinned folder; env: see docs/api.md`;

export const KEYS_USAGE = `usage: edgeflow keys new <name> [predict] [admin]   print a new random key and its EDGEFLOW_API_KEYS entry
       edgeflow keys hash <key | ->                  print the sha256 of a key (- reads it from stdin)`;

export async function serveCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  const env = { ...process.env };
  const port = stringOption(args, "port");
  const host = stringOption(args, "host");
  const modelDir = stringOption(args, "model-dir");
  if (port !== undefined) env.PORT = port;
  if (host !== undefined) env.HOST = host;
  if (modelDir !== undefined) env.EDGEFLOW_MODEL_DIR = modelDir;
  const api = await startApi(env);
  process.stdout.write(`${JSON.stringify({ listening: api.url })}\n`);
  const signal = await new Promise<string>((done) => {
    process.once("SIGTERM", () => done("SIGTERM"));
    process.once("SIGINT", () => done("SIGINT"));
  });
  process.stderr.write(`edgeflow serve: ${signal}, stopping\n`);
  await api.close();
  return 0;
}

export async function keysCommand(argv: string[], out: (s: string) => void = (s) => process.stdout.write(s)): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === "hash") {
    const key = rest[0] === "-" ? readFileSync(0, "utf8").trim() : rest[0];
    if (!key) throw new UsageError(KEYS_USAGE);
    out(`${hashApiKey(key)}\n`);
    return 0;
  }
  if (verb === "new") {
    const [name, ...scopeWords] = rest;
    if (!name) throw new UsageError(KEYS_USAGE);
    const scopes = (scopeWords.length > 0 ? scopeWords : ["predict"]).map((s) => {
      const parsed = Scope.safeParse(s);
      if (!parsed.success) throw new UsageError(`unknown scope "${s}" (predict, admin)`);
      return parsed.data;
    });
    const made = newApiKey(name, scopes);
    out(`key (give it to the client; it is not stored):\n  ${made.secret}\nEDGEFLOW_API_KEYS entry:\n  ${made.line}\n`);
    return 0;
  }
  throw new UsageError(KEYS_USAGE);
}
