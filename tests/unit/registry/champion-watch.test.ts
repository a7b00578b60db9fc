// The champion follower every serving process uses: what a sync hands over, what it refuses
// and for how long, which model-events it reacts to, and how concurrent syncs share one run.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ChampionWatch, InProcessModelEventPublisher, createFileStore, createModelRegistry, type ModelRegistry, type ModelVersion } from "../../../services/registry/index.ts";
import { BIKE_FEATURE_SPEC } from "../../../stream/features/index.ts";
import { createLogger } from "../../../stream/runtime/index.ts";
import { writeLinearModelFolder } from "../../support/linear-model.ts";

const NAME = "bike-next-hour";
const silent = createLogger("test", {}, () => true);

let work: string;
let registry: ModelRegistry;
let n = 0;

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), "edgeflow-watch-"));
  registry = createModelRegistry(createFileStore({ root: join(work, "registry") }), { publisher: new InProcessModelEventPublisher(silent), logger: silent });
});

afterEach(async () => {
  await registry.close();
  rmSync(work, { recursive: true, force: true });
});

async function addVersion(promote = true): Promise<string> {
  const dir = join(work, "trained", String(n++));
  writeLinearModelFolder(dir, { name: NAME, spec: BIKE_FEATURE_SPEC, weights: { lag_1h: n } });
  const v = await registry.register(dir);
  if (promote) await registry.promote(NAME, v.version);
  return v.version;
}

function watchWith(onChampion: (dir: string, version: ModelVersion) => Promise<void>, extra: { now?: () => number; refusalRetryMs?: number } = {}) {
  const handed: Array<{ dir: string; version: string }> = [];
  const refusals: string[] = [];
  const synced: string[] = [];
  const watch = new ChampionWatch({
    registry,
    name: NAME,
    servingDir: join(work, "serving"),
    logger: silent,
    onChampion: async (dir, version) => {
      handed.push({ dir, version: version.version });
      await onChampion(dir, version);
    },
    onRefused: (error, champion) => refusals.push(`${champion.version}: ${(error as Error).message}`),
    onSynced: (trigger, result) => synced.push(`${trigger}:${result.status}`),
    ...extra,
  });
  return { watch, handed, refusals, synced };
}

describe("ChampionWatch", () => {
  it("hands each new champion's downloaded folder over once: loaded, then unchanged, then swapped", async () => {
    const { watch, handed, synced } = watchWith(async () => undefined);
    expect(await watch.sync("start")).toEqual({ status: "no-champion" });
    const v1 = await addVersion();
    expect(await watch.sync("poll")).toEqual({ status: "loaded", version: v1 });
    expect(await watch.sync("poll")).toEqual({ status: "unchanged", version: v1 });
    const v2 = await addVersion();
    expect(await watch.sync("poll")).toEqual({ status: "swapped", version: v2 });
    expect(watch.version).toBe(v2);
    expect(handed).toEqual([
      { dir: join(work, "serving", NAME, v1), version: v1 },
      { dir: join(work, "serving", NAME, v2), version: v2 },
    ]);
    expect(synced).toEqual(["start:no-champion", "poll:loaded", "poll:unchanged", "poll:swapped"]);
    await watch.close();
  });

  it("keeps the current champion when one is refused and tries that version again only after refusalRetryMs", async () => {
    let t = 1_000;
    let refuse = true;
    const v1 = await addVersion();
    const { watch, handed, refusals } = watchWith(
      async (_dir, version) => {
        if (refuse && version.version !== v1) throw new Error("feature spec hash differs");
      },
      { now: () => t, refusalRetryMs: 60_000 },
    );
    await watch.sync("start");
    const v2 = await addVersion();
    expect(await watch.sync("poll")).toEqual({ status: "refused", version: v2, reason: "feature spec hash differs" });
    expect(watch.version).toBe(v1);
    expect(refusals).toEqual([`${v2}: feature spec hash differs`]);

    t += 59_999;
    expect(await watch.sync("poll")).toEqual({ status: "refused", version: v2, reason: "refused recently" });
    expect(handed.map((h) => h.version)).toEqual([v1, v2]);

    t += 1;
    refuse = false;
    expect(await watch.sync("poll")).toEqual({ status: "swapped", version: v2 });
    expect(handed.map((h) => h.version)).toEqual([v1, v2, v2]);
    await watch.close();
  });

  it("never tries a refused version again with refusalRetryMs Infinity", async () => {
    let t = 0;
    await addVersion();
    const { watch, handed } = watchWith(async () => Promise.reject(new Error("no")), { now: () => t, refusalRetryMs: Number.POSITIVE_INFINITY });
    expect((await watch.sync("start")).status).toBe("refused");
    t += 365 * 86_400_000;
    expect(await watch.sync("poll")).toMatchObject({ status: "refused", reason: "refused recently" });
    expect(handed).toHaveLength(1);
    expect(watch.version).toBeNull();
  });

  it("reacts to promotions and rollbacks of its own model only", async () => {
    const v1 = await addVersion();
    const { watch } = watchWith(async () => undefined);
    expect(watch.onModelEvent({ model: "another-model", type: "promoted" })).toBeNull();
    expect(watch.onModelEvent({ model: NAME, type: "registered" })).toBeNull();
    expect(await watch.onModelEvent({ model: NAME, type: "rolled_back" })).toEqual({ status: "loaded", version: v1 });
  });

  it("runs one sync at a time; calls made while one is queued share it", async () => {
    await addVersion();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    let started: () => void = () => undefined;
    const running = new Promise<void>((r) => (started = r));
    const { watch, handed, synced } = watchWith(() => {
      started();
      return gate;
    });
    const first = watch.sync("a");
    expect(watch.sync("a again")).toBe(first); // not started yet: the same run
    await running;
    const second = watch.sync("b");
    const third = watch.sync("c");
    expect(second).not.toBe(first);
    expect(third).toBe(second);
    release();
    expect((await first).status).toBe("loaded");
    expect((await second).status).toBe("unchanged");
    expect(handed).toHaveLength(1);
    expect(synced).toEqual(["a:loaded", "b:unchanged"]);
  });

  it("reports a registry that cannot be read as failed, keeping what it follows", async () => {
    const watch = new ChampionWatch({
      registry: { get: () => Promise.reject(new Error("connection refused")), download: () => Promise.reject(new Error("unused")) },
      name: NAME,
      servingDir: join(work, "serving"),
      logger: silent,
      onChampion: async () => undefined,
    });
    expect(await watch.sync("poll")).toEqual({ status: "failed", reason: "connection refused" });
    expect(watch.version).toBeNull();
  });
});
