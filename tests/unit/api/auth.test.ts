// API keys: hashed storage, parsing, 401 / 403 / 429 with Retry-After, request ids, and logs
// that never carry a key.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../../schemas/index.ts";
import { RateLimiter, createKeyStore, hashApiKey, keyStoreFromConfig, newApiKey, parseKeyList } from "../../../services/api/index.ts";
import { keysCommand } from "../../../services/api/cli.ts";
import { ADMIN_KEY, BOTH_KEY, PREDICT_KEY, T, get, harness, post, type Harness } from "./fixtures.ts";

describe("key store", () => {
  it("hashes keys with sha256 and finds a key only by its secret", () => {
    expect(hashApiKey("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    const store = createKeyStore(parseKeyList(`a:${hashApiKey("s1")}:predict, b:${hashApiKey("s2").toUpperCase()}:predict|admin`));
    expect(store.size).toBe(2);
    expect(store.verify("s1")?.name).toBe("a");
    expect([...store.verify("s2")!.scopes].sort()).toEqual(["admin", "predict"]);
    expect(store.verify(hashApiKey("s1"))).toBeNull();
  });

  it("refuses a malformed entry naming it, without echoing its text", () => {
    try {
      parseKeyList("ok:" + hashApiKey("x") + ":predict,bad:not-a-hash:predict,also:" + hashApiKey("y") + ":root");
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as Error).message;
      expect(message).toContain("entry 2 (bad): sha256");
      expect(message).toContain("entry 3 (also): scopes.0");
      expect(message).not.toContain("not-a-hash");
    }
  });

  it("reads a JSON keys file and merges it with the env list", () => {
    const dir = mkdtempSync(join(tmpdir(), "edgeflow-keys-"));
    try {
      const file = join(dir, "keys.json");
      writeFileSync(file, JSON.stringify({ keys: [{ name: "filekey", sha256: hashApiKey("f"), scopes: ["admin"] }] }));
      const store = keyStoreFromConfig({ EDGEFLOW_API_KEYS: `envkey:${hashApiKey("e")}:predict`, EDGEFLOW_API_KEYS_FILE: file });
      expect(store.verify("f")?.name).toBe("filekey");
      expect(store.verify("e")?.name).toBe("envkey");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("makes new random keys whose entry verifies them, and `edgeflow keys hash` prints the hash", async () => {
    const made = newApiKey("svc", ["predict"]);
    expect(made.secret).toMatch(/^ef_[A-Za-z0-9_-]{43}$/);
    expect(createKeyStore(parseKeyList(made.line)).verify(made.secret)?.name).toBe("svc");
    let out = "";
    expect(await keysCommand(["hash", "abc"], (s) => void (out += s))).toBe(0);
    expect(out).toBe(`${hashApiKey("abc")}\n`);
  });
});

describe("rate limiter", () => {
  it("allows the burst, then refills at the rate and says when to retry", () => {
    let now = 0;
    const limiter = new RateLimiter({ ratePerSecond: 2, burst: 3, clock: { now: () => now } });
    expect([1, 2, 3].map(() => limiter.take("k").allowed)).toEqual([true, true, true]);
    expect(limiter.take("k")).toEqual({ allowed: false, retryAfterSeconds: 1, remaining: 0 });
    expect(limiter.take("other").allowed).toBe(true);
    now += 500;
    expect(limiter.take("k").allowed).toBe(true);
    expect(limiter.take("k").allowed).toBe(false);
  });
});

describe("the API key gate", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness({ limits: { ratePerSecond: 1, burst: 2 } });
  });
  afterAll(() => h.close());

  it("answers 401 without a key and with an unknown one", async () => {
    const none = await post(h.app, "/v1/predict", { counterId: "x", timestamp: T }, null);
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ code: "UNAUTHENTICATED", error: "missing X-API-Key header" });
    expect(none.headers.get("www-authenticate")).toContain("X-API-Key");
    const wrong = await get(h.app, "/v2/models/bike-next-hour", "not-a-key");
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).error).toBe("unknown API key");
  });

  it("answers 403 to a key without the route's scope", async () => {
    const admin = await post(h.app, "/v1/predict", { counterId: "x", timestamp: T }, ADMIN_KEY);
    expect(admin.status).toBe(403);
    expect((await admin.json()).error).toContain('"predict" scope');
    const predict = await post(h.app, "/v1/models/bike-next-hour/rollback", {}, PREDICT_KEY);
    expect(predict.status).toBe(403);
  });

  it("answers 429 with Retry-After once a key's bucket is empty, per key", async () => {
    h.clock.advance(10_000);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await get(h.app, "/v2/models/bike-next-hour", BOTH_KEY)).status);
    expect(statuses).toEqual([200, 200, 429]);
    const limited = await get(h.app, "/v2/models/bike-next-hour", BOTH_KEY);
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("1");
    expect((await limited.json()).code).toBe("RATE_LIMITED");
    h.clock.advance(1_000);
    expect((await get(h.app, "/v2/models/bike-next-hour", BOTH_KEY)).status).toBe(200);
  });

  it("leaves health, readiness, metrics and the docs open", async () => {
    for (const path of ["/health", "/ready", "/metrics", "/openapi.json", "/docs", "/v2/health/live", "/v2/health/ready", "/v2"]) {
      expect((await h.app.request(path)).status, path).toBe(200);
    }
  });

  it("echoes a caller's X-Request-Id and logs the key's name, never the key", async () => {
    h.clock.advance(10_000);
    const res = await h.app.request("/v2/models/bike-next-hour", { headers: { "x-api-key": PREDICT_KEY, "x-request-id": "trace-42" } });
    expect(res.headers.get("x-request-id")).toBe("trace-42");
    await post(h.app, "/v1/predict", { counterId: "x", timestamp: T }, "some-secret-attempt");
    const lines = h.logLines.map((l) => JSON.parse(l));
    const line = lines.find((l) => l.requestId === "trace-42");
    expect(line).toMatchObject({ msg: "request", status: 200, route: "/v2/models/:name", keyId: "client" });
    const all = h.logLines.join("\n");
    for (const secret of [PREDICT_KEY, ADMIN_KEY, BOTH_KEY, "some-secret-attempt"]) expect(all).not.toContain(secret);
  });
});
