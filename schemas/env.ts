// Reads configuration from the environment once, through a zod schema. A bad or missing
// value stops the process with a message naming each variable and what is wrong with it.
import { join, resolve } from "node:path";
import { z } from "zod";
import { ConfigError } from "./errors.ts";

const REPO_ROOT = resolve(import.meta.dirname, "..");

export type Env = Record<string, string | undefined>;

export function parseEnv<S extends z.ZodType>(schema: S, env: Env = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const variables = [...new Set(result.error.issues.map((i) => String(i.path[0] ?? "(env)")))];
  const lines = result.error.issues.map((i) => {
    const name = String(i.path[0] ?? "(env)");
    const got = env[name];
    return `  ${name}=${got === undefined ? "(unset)" : JSON.stringify(got)}: ${i.message}`;
  });
  throw new ConfigError(`invalid configuration:\n${lines.join("\n")}`, variables);
}

/** Common env field helpers: strings from the environment coerced with a clear message. */
export const envInt = (def: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .default(String(def))
    .transform((s, ctx) => {
      const n = Number(s);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: "custom", message: `expected an integer between ${min} and ${max}` });
        return z.NEVER;
      }
      return n;
    });

export const envList = (def: string[] = []) =>
  z
    .string()
    .optional()
    .transform((s) =>
      s === undefined
        ? def
        : s
            .split(",")
            .map((x) => x.trim())
            .filter((x) => x.length > 0),
    );

export const envBool = (def: boolean) =>
  z
    .enum(["true", "false", "1", "0", "yes", "no"], { message: "expected true or false" })
    .optional()
    .transform((s) => (s === undefined ? def : s === "true" || s === "1" || s === "yes"));

export const envUrl = () => z.url({ message: "expected a URL such as http://127.0.0.1:8086" });

/**
 * Where local state lives (serving caches, embedded logs, venvs, local services):
 * EDGEFLOW_HOME, or `.edgeflow` at the repository root — the same default as the shell scripts
 * (deploy/local/services.sh, services/trainer/install.sh).
 */
export function edgeflowHome(env: { EDGEFLOW_HOME?: string | undefined } = process.env): string {
  return env.EDGEFLOW_HOME ?? join(REPO_ROOT, ".edgeflow");
}

/** Prints a ConfigError and exits; any other error is re-thrown. For use in each main.ts. */
export function exitOnConfigError(error: unknown): never {
  if (error instanceof ConfigError) {
    process.stderr.write(`edgeflow: ${error.message}\n`);
    process.exit(78); // EX_CONFIG
  }
  throw error;
}
