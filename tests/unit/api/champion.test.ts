// Following the champion without events (the poll, for CLI promotions in another process) and
// serving a pinned folder (no registry: admin routes refuse, /v1/models shows what is served).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ChampionFollower, createApiApp, createCounterStateStore, createKeyStore, hashApiKey, pinnedModel } from "../../../services/api/index.ts";
import { InProcessModelEventPublisher, createFileStore, createModelRegistry } from "../../../services/registry/index.ts";
import { BIKE_FEATURE_SPEC } from "../../../stream/features/index.ts";
import { writeLinearModelFolder } from "../../support/linear-model.ts";
import { ADMIN_KEY, MODEL, PREDICT_KEY, get, harness, post, silent } from "./fixtures.ts";

describe("champion poll", () => {
  it("picks up a promotion made without any event reaching the API", async () => {
    const h = await harness({ followEvents: false });
    try {
      const v2 = await h.addVersion({ lag_1h: 2 }, { promote: false });
      h.follower.startPolling(50);
      await h.registry.promote(MODEL, v2);
      const deadline = Date.now() + 10_000;
      while (h.follower.current()?.version !== v2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
      expect(h.follower.current()?.version).toBe(v2);
      expect(await h.follower.sync("test")).toEqual({ status: "unchanged", version: v2 });
    } finally {
      await h.close();
    }
  });

  it("serves nothing (not ready) until a champion exists, then loads it", async () => {
    const work = mkdtempSync(join(tmpdir(), "edgeflow-no-champion-"));
    const registry = createModelRegistry(createFileStore({ root: join(work, "registry") }), { publisher: new InProcessModelEventPublisher(silent), logger: silent });
    const follower = new ChampionFollower({ registry, name: MODEL, featureSpecHash: BIKE_FEATURE_SPEC.hash, servingDir: join(work, "serving"), logger: silent });
    try {
      expect(await follower.sync("start")).toEqual({ status: "no-champion" });
      writeLinearModelFolder(join(work, "v"), { name: MODEL, spec: BIKE_FEATURE_SPEC, weights: { lag_1h: 1 } });
      await registry.register(join(work, "v"));
      expect(await follower.sync("poll")).toEqual({ status: "no-champion" });
      expect(follower.current()).toBeNull();
      await registry.promote(MODEL, "1");
      expect(await follower.sync("poll")).toEqual({ status: "loaded", version: "1" });
      expect(follower.current()?.version).toBe("1");
    } finally {
      await follower.close();
      await registry.close();
      rmSync(work, { recursive: true, force: true });
    }
  });
});

describe("pinned model folder", () => {
  it("serves the folder, lists it without a registry, and refuses admin changes with 409", async () => {
    const dir = mkdtempSync(join(tmpdir(), "edgeflow-pinned-"));
    try {
      writeLinearModelFolder(dir, { name: MODEL, spec: BIKE_FEATURE_SPEC, weights: { lag_1h: 1 }, version: "5" });
      const served = await pinnedModel(dir, BIKE_FEATURE_SPEC.hash);
      const app = createApiApp({
        models: served,
        modelName: MODEL,
        registry: null,
        keys: createKeyStore([
          { name: "client", sha256: hashApiKey(PREDICT_KEY), scopes: ["predict"] },
          { name: "ops", sha256: hashApiKey(ADMIN_KEY), scopes: ["admin"] },
        ]),
        counters: createCounterStateStore(),
        logger: silent,
      });
      const models = await (await get(app, "/v1/models")).json();
      expect(models).toMatchObject({ registry: null, models: [{ name: MODEL, serving: { version: "5" }, versions: [{ version: "5" }] }] });
      const rollback = await post(app, `/v1/models/${MODEL}/rollback`, {}, ADMIN_KEY);
      expect(rollback.status).toBe(409);
      expect((await rollback.json()).code).toBe("PINNED_MODEL");
      await served.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
