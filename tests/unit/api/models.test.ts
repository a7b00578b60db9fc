// /v1/models and the admin routes: promote and rollback move the registry's champion and
// this replica swaps at once; refusals and unknown names get their 4xx.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineFeatureSpec } from "../../../schemas/index.ts";
import { ADMIN_KEY, BOTH_KEY, MODEL, PREDICT_KEY, T, get, harness, history, post, type Harness } from "./fixtures.ts";

let h: Harness;
beforeAll(async () => {
  h = await harness({ weights: { lag_1h: 1 } });
  await h.addVersion({ lag_1h: 2 }, { promote: false });
});
afterAll(() => h.close());

const servedVersion = async () => (await (await post(h.app, "/v1/predict", { counterId: "c", timestamp: T, history: history(T, 200) }, BOTH_KEY)).json()).model.version;

describe("GET /v1/models", () => {
  it("lists versions with aliases and cards, and what this replica serves", async () => {
    const res = await get(h.app, "/v1/models");
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.registry).toMatch(/^file:/);
    expect(body.models).toHaveLength(1);
    const m = body.models[0];
    expect(m).toMatchObject({ name: MODEL, aliases: { champion: "1" }, championHistory: [], serving: { version: "1" } });
    expect(m.versions.map((v: { version: string; aliases: string[] }) => [v.version, v.aliases])).toEqual([
      ["1", ["champion"]],
      ["2", []],
    ]);
    expect(m.versions[1].card).toMatchObject({ name: MODEL, version: "2", task: "regression" });
  });
});

describe("admin routes", () => {
  it("promotes a version and serves it before answering", async () => {
    const res = await post(h.app, `/v1/models/${MODEL}/promote`, { version: "2", reason: "better offline" }, ADMIN_KEY);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ model: MODEL, alias: "champion", version: "2", previousVersion: "1", serving: { version: "2" } });
    expect(body.eventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await servedVersion()).toBe("2");
    expect((await h.registry.aliases(MODEL)).championHistory).toEqual(["1"]);
  });

  it("rolls back to the previous champion, with or without a body", async () => {
    const res = await h.app.request(`/v1/models/${MODEL}/rollback`, { method: "POST", headers: { "x-api-key": ADMIN_KEY } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ version: "1", previousVersion: "2", serving: { version: "1" } });
    expect(await servedVersion()).toBe("1");
  });

  it("answers 409 when there is no earlier champion to roll back to", async () => {
    const res = await post(h.app, `/v1/models/${MODEL}/rollback`, { reason: "again" }, ADMIN_KEY);
    expect(res.status).toBe(409);
    expect((await res.json()).code).toBe("NO_PREVIOUS_CHAMPION");
  });

  it("answers 404 for an unknown model or version, 422 for a bad body, 403 for a predict-only key", async () => {
    expect((await post(h.app, "/v1/models/nope/promote", { version: "1" }, ADMIN_KEY)).status).toBe(404);
    const missing = await post(h.app, `/v1/models/${MODEL}/promote`, { version: "99" }, ADMIN_KEY);
    expect(missing.status).toBe(404);
    expect((await missing.json()).code).toBe("MODEL_NOT_FOUND");
    const bad = await post(h.app, `/v1/models/${MODEL}/promote`, { version: "v2", force: true }, ADMIN_KEY);
    expect(bad.status).toBe(422);
    expect((await bad.json()).issues.map((i: { path: string }) => i.path).sort()).toEqual(["force", "version"]);
    expect((await post(h.app, `/v1/models/${MODEL}/promote`, { version: "2" }, PREDICT_KEY)).status).toBe(403);
  });

  it("answers 409 when the stored model fails its integrity check, and keeps serving", async () => {
    const v3 = await h.addVersion({ lag_1h: 3 }, { promote: false });
    writeFileSync(join(h.work, "registry", MODEL, v3, "model.onnx"), "tampered");
    const res = await post(h.app, `/v1/models/${MODEL}/promote`, { version: v3 }, ADMIN_KEY);
    expect(res.status).toBe(409);
    expect((await res.json()).code).toBe("MODEL_INTEGRITY");
    expect(await servedVersion()).toBe("1");
  });

  it("keeps serving when the champion takes other features (refused at load)", async () => {
    const other = defineFeatureSpec({ name: "other", version: 1, features: [{ name: "x", type: "numeric" }] });
    const v = await h.addVersion({ x: 1 }, { spec: other, promote: false });
    const res = await post(h.app, `/v1/models/${MODEL}/promote`, { version: v }, ADMIN_KEY);
    expect(res.status).toBe(200);
    expect((await res.json()).serving).toEqual({ version: "1" });
    expect(await servedVersion()).toBe("1");
  });
});
