// Builds the API in memory for tests: a file registry holding real tiny ONNX models
// (tests/support/linear-model.ts), a champion follower, keys with known secrets, a stepped clock.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FeatureSpec } from "../../../schemas/index.ts";
import { BIKE_FEATURE_SPEC, HOUR_MS } from "../../../stream/features/index.ts";
import { createLogger } from "../../../stream/runtime/index.ts";
import { ChampionFollower, createApiApp, type AppDeps, createCounterStateStore, createKeyStore, hashApiKey, type ApiApp, type ApiLimits } from "../../../services/api/index.ts";
import type { BodyReader } from "../../../services/api/node-body.ts";
import { InProcessModelEventPublisher, createFileStore, createModelRegistry, type ModelRegistry } from "../../../services/registry/index.ts";
import { createNodeApi } from "../../../services/api/node-listener.ts";
import { writeLinearModelFolder } from "../../support/linear-model.ts";

export const PREDICT_KEY = "test-predict-key-0123456789abcdef";
export const ADMIN_KEY = "test-admin-key-0123456789abcdef";
export const BOTH_KEY = "test-both-key-0123456789abcdef";
export const MODEL = "bike-next-hour";

export const silent = createLogger("test", {}, () => true);

export class SteppedClock {
  constructor(public t = Date.UTC(2021, 0, 1)) {}
  now = () => this.t;
  advance(ms: number) {
    this.t += ms;
  }
}

export interface Harness {
  app: ApiApp;
  /** What `app` was built from: build more servers over the same model, keys and state. */
  deps: AppDeps;
  registry: ModelRegistry;
  follower: ChampionFollower;
  clock: SteppedClock;
  work: string;
  logLines: string[];
  /** Registers a linear bike model (value = Σ weights·features + bias) and returns its version. */
  addVersion(weights: Record<string, number>, options?: { bias?: number; spec?: FeatureSpec; promote?: boolean }): Promise<string>;
  close(): Promise<void>;
}

export async function harness(
  options: {
    limits?: Partial<ApiLimits>;
    weights?: Record<string, number>;
    name?: string;
    /** Sync on model-events (default true). */
    followEvents?: boolean;
    bodyReader?: BodyReader;
  } = {},
): Promise<Harness> {
  const work = mkdtempSync(join(tmpdir(), "edgeflow-api-"));
  const publisher = new InProcessModelEventPublisher(silent);
  const registry = createModelRegistry(createFileStore({ root: join(work, "registry") }), { publisher, logger: silent });
  const name = options.name ?? MODEL;
  const follower = new ChampionFollower({ registry, name, featureSpecHash: BIKE_FEATURE_SPEC.hash, servingDir: join(work, "serving"), logger: silent });
  if (options.followEvents ?? true) publisher.subscribe((event) => void follower.onEvent(event));
  let n = 0;
  const addVersion: Harness["addVersion"] = async (weights, o = {}) => {
    const dir = join(work, "trained", String(n++));
    mkdirSync(dir, { recursive: true });
    writeLinearModelFolder(dir, { name, spec: o.spec ?? BIKE_FEATURE_SPEC, weights, bias: o.bias ?? 0 });
    const v = await registry.register(dir);
    if (o.promote ?? true) {
      await registry.promote(name, v.version);
      await follower.sync("test");
    }
    return v.version;
  };
  await addVersion(options.weights ?? { lag_1h: 1 });
  const clock = new SteppedClock();
  const logLines: string[] = [];
  const deps: AppDeps = {
    models: follower,
    modelName: name,
    registry,
    champion: follower,
    keys: createKeyStore([
      { name: "client", sha256: hashApiKey(PREDICT_KEY), scopes: ["predict"] },
      { name: "ops", sha256: hashApiKey(ADMIN_KEY), scopes: ["admin"] },
      { name: "both", sha256: hashApiKey(BOTH_KEY), scopes: ["predict", "admin"] },
    ]),
    counters: createCounterStateStore(100),
    limits: options.limits,
    clock,
    logger: createLogger("api", {}, (line) => logLines.push(line) > 0),
    bodyReader: options.bodyReader,
  };
  const app = createApiApp(deps);
  return {
    app,
    deps,
    registry,
    follower,
    clock,
    work,
    logLines,
    addVersion,
    async close() {
      await follower.close();
      await registry.close();
      rmSync(work, { recursive: true, force: true });
    },
  };
}

export interface Listening {
  base: string;
  close(): Promise<void>;
}

/** The API on a real port as server.ts serves it: the fast front before Node's http server (or Node's server alone). */
export async function listen(deps: AppDeps, options: Parameters<typeof createNodeApi>[1] = {}): Promise<Listening> {
  const api = createNodeApi(deps, options);
  const { server } = api;
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", () => ready()));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      const closed = new Promise<void>((done) => server.close(() => done()));
      api.closeAll();
      await closed;
    },
  };
}

/** Hourly counts for `hours` hours ending at hour `t` (inclusive): 100 + hour of day + a daily offset. */
export function history(t: number, hours: number): Array<{ timestamp: number; count: number }> {
  const out: Array<{ timestamp: number; count: number }> = [];
  for (let i = hours - 1; i >= 0; i--) {
    const ts = t - i * HOUR_MS;
    const h = Math.floor(ts / HOUR_MS);
    out.push({ timestamp: ts, count: 100 + (h % 24) + (Math.floor(h / 24) % 7) });
  }
  return out;
}

export const T = Date.UTC(2021, 2, 1, 8); // 2021-03-01T08:00Z, hour t

/** Test responses read JSON untyped: the assertions are the check. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type JsonResponse = Omit<Response, "json"> & { json(): Promise<any> };

export function post(app: ApiApp, path: string, body: unknown, key: string | null = PREDICT_KEY, headers: Record<string, string> = {}): Promise<JsonResponse> {
  return Promise.resolve(app.request(path, {
    method: "POST",
    headers: { "content-type": "application/json", ...(key ? { "x-api-key": key } : {}), ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  }));
}

export function get(app: ApiApp, path: string, key: string | null = PREDICT_KEY): Promise<JsonResponse> {
  return Promise.resolve(app.request(path, { headers: key ? { "x-api-key": key } : {} }));
}
