// API keys: each has a name, the sha256 of its secret and scopes (`predict`, `admin`). The
// store holds hashes only, so a leaked config never leaks a key; a request's `X-API-Key` is
// hashed and looked up. Keys are random (≥ 128 bits, see `edgeflow keys new`), which is why a
// plain sha256 suffices: there is no dictionary to try against a random key.
import { createHash, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { z } from "zod";
import { ConfigError, issuesOf } from "../../schemas/index.ts";

export const Scope = z.enum(["predict", "admin"]);
export type Scope = z.infer<typeof Scope>;

export const ApiKeyEntry = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "key names are 1-64 letters, digits, '_', '.' or '-'"),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, "sha256 must be 64 lowercase hex characters"),
  scopes: z.array(Scope).min(1, "a key needs at least one scope"),
});
export type ApiKeyEntry = z.infer<typeof ApiKeyEntry>;

const KeysFile = z.union([z.array(ApiKeyEntry), z.strictObject({ keys: z.array(ApiKeyEntry) })]);

export interface ApiKey {
  readonly name: string;
  readonly scopes: ReadonlySet<Scope>;
}

export interface KeyStore {
  /** The key whose secret this is, or null. */
  verify(secret: string): ApiKey | null;
  readonly size: number;
}

export function hashApiKey(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** A new random key (32 bytes, base64url) and its store entry. */
export function newApiKey(name: string, scopes: Scope[]): { secret: string; entry: ApiKeyEntry; line: string } {
  const secret = `ef_${randomBytes(32).toString("base64url")}`;
  const entry = ApiKeyEntry.parse({ name, sha256: hashApiKey(secret), scopes });
  return { secret, entry, line: `${entry.name}:${entry.sha256}:${entry.scopes.join("|")}` };
}

export function createKeyStore(entries: ApiKeyEntry[]): KeyStore {
  const byHash = new Map<string, ApiKey>();
  for (const e of entries) {
    if (byHash.has(e.sha256)) throw new ConfigError(`API key "${e.name}" has the same hash as "${byHash.get(e.sha256)!.name}"`, ["EDGEFLOW_API_KEYS"]);
    byHash.set(e.sha256, { name: e.name, scopes: new Set(e.scopes) });
  }
  // Secrets already verified, so a busy client's key is hashed once, not per request. Only
  // valid keys enter, so it holds at most one entry per configured key; unknown secrets are
  // hashed every time and never kept.
  const verified = new Map<string, ApiKey>();
  return {
    size: byHash.size,
    verify: (secret) => {
      const known = verified.get(secret);
      if (known) return known;
      const key = byHash.get(hashApiKey(secret)) ?? null;
      if (key) verified.set(secret, key);
      return key;
    },
  };
}

/** Parses `name:sha256hex:scope1|scope2` entries separated by commas. */
export function parseKeyList(text: string): ApiKeyEntry[] {
  const entries: ApiKeyEntry[] = [];
  const problems: string[] = [];
  text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .forEach((item, i) => {
      const [name, sha256, scopes, ...rest] = item.split(":");
      const parsed = ApiKeyEntry.safeParse({ name, sha256: sha256?.toLowerCase(), scopes: scopes?.split("|").filter((s) => s.length > 0) });
      // Never echo the item: a key pasted here by mistake must not reach the logs.
      if (rest.length > 0) problems.push(`entry ${i + 1}: expected name:sha256hex:scope1|scope2`);
      else if (!parsed.success) problems.push(`entry ${i + 1}${name ? ` (${name})` : ""}: ${issuesOf(parsed.error).map((x) => `${x.path}: ${x.message}`).join("; ")}`);
      else entries.push(parsed.data);
    });
  if (problems.length > 0) throw new ConfigError(`EDGEFLOW_API_KEYS: ${problems.join("; ")}`, ["EDGEFLOW_API_KEYS"]);
  return entries;
}

export function readKeysFile(path: string): ApiKeyEntry[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new ConfigError(`EDGEFLOW_API_KEYS_FILE ${path}: ${(error as Error).message}`, ["EDGEFLOW_API_KEYS_FILE"]);
  }
  const parsed = KeysFile.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(`EDGEFLOW_API_KEYS_FILE ${path}: ${issuesOf(parsed.error).map((x) => `${x.path}: ${x.message}`).join("; ")}`, ["EDGEFLOW_API_KEYS_FILE"]);
  }
  return Array.isArray(parsed.data) ? parsed.data : parsed.data.keys;
}

/** Keys from EDGEFLOW_API_KEYS and EDGEFLOW_API_KEYS_FILE together. */
export function keyStoreFromConfig(config: { EDGEFLOW_API_KEYS?: string; EDGEFLOW_API_KEYS_FILE?: string }): KeyStore {
  const entries = [...(config.EDGEFLOW_API_KEYS ? parseKeyList(config.EDGEFLOW_API_KEYS) : [])];
  if (config.EDGEFLOW_API_KEYS_FILE) entries.push(...readKeysFile(config.EDGEFLOW_API_KEYS_FILE));
  return createKeyStore(entries);
}
