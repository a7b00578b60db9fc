import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defineFeatureSpec, type ModelEvent } from "../../../schemas/index.ts";
import { InProcessModelEventPublisher, createFileStore, createModelRegistry, modelsCommand, type ModelRegistry } from "../../../services/registry/index.ts";
import { createLogger } from "../../../stream/runtime/index.ts";
import { writeLinearModelFolder } from "../../support/linear-model.ts";

const spec = defineFeatureSpec({ name: "cli-test", version: 1, features: [{ name: "hour", type: "numeric" }] });
const work = mkdtempSync(join(tmpdir(), "edgeflow-models-cli-"));
const root = join(work, "registry");
const events: ModelEvent[] = [];
let registry: ModelRegistry;

async function models(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await modelsCommand(args, {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    registry,
  });
  return { code, out, err };
}

beforeAll(async () => {
  const publisher = new InProcessModelEventPublisher();
  publisher.subscribe((e) => {
    events.push(e);
  });
  registry = createModelRegistry(createFileStore({ root }), { publisher, logger: createLogger("registry", {}, () => true) });
  for (const [i, rmse] of [52.5, 41.25].entries()) {
    writeLinearModelFolder(join(work, `v${i}`), { name: "bike", spec, weights: { hour: i + 1 }, metrics: { rmse, mae: 20, r2: 0.7 + i / 10 } });
    await registry.register(join(work, `v${i}`));
  }
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("edgeflow models", () => {
  it("promotes a version and says which champion it replaced", async () => {
    const first = await models("promote", "bike", "1");
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/^bike: promoted, champion \(none\) → 1 \(event [0-9a-f-]{36}\)\n$/);
    const second = await models("promote", "bike", "2", "--reason", "better RMSE");
    expect(second.out).toMatch(/^bike: promoted, champion 1 → 2 /);
    expect(events.at(-1)).toMatchObject({ type: "promoted", version: "2", previousVersion: "1", reason: "better RMSE" });
  });

  it("lists models as a table", async () => {
    const { code, out } = await models("list");
    expect(code).toBe(0);
    expect(out.split("\n")[0]).toMatch(/^MODEL\s+VERSIONS\s+LATEST\s+CHAMPION\s+OTHER ALIASES$/);
    expect(out.split("\n")[1]).toMatch(/^bike\s+2\s+2\s+2\s+-$/);
  });

  it("lists one model's versions with aliases and test metrics", async () => {
    const { out } = await models("list", "bike");
    const lines = out.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^VERSION\s+ALIASES\s+CREATED\s+CHOSEN\s+RMSE\s+MAE\s+R2\s+GATE\s+SHA256$/);
    expect(lines[1]).toMatch(/^1\s+-\s+\S+ \S+\s+linear\s+52\.5\s+20\s+0\.7\s+-\s+[0-9a-f]{12}$/);
    expect(lines[2]).toMatch(/^2\s+champion\s+.*41\.25\s+20\s+0\.8\s+-/);
  });

  it("shows the champion by default, and a given version or alias", async () => {
    const champion = await models("show", "bike");
    expect(champion.out).toMatch(/^model\s+bike$/m);
    expect(champion.out).toMatch(/^version\s+2$/m);
    expect(champion.out).toMatch(/^aliases\s+champion$/m);
    expect((await models("show", "bike", "1")).out).toMatch(/^version\s+1$/m);
  });

  it("prints JSON with --json", async () => {
    const { out } = await models("show", "bike", "champion", "--json");
    const parsed = JSON.parse(out) as { version: string; card: { featureSpecHash: string } };
    expect(parsed.version).toBe("2");
    expect(parsed.card.featureSpecHash).toBe(spec.hash);
    const list = JSON.parse((await models("list", "--json")).out) as Array<{ name: string; aliases: Record<string, string> }>;
    expect(list).toEqual([{ name: "bike", versions: ["1", "2"], aliases: { champion: "2" } }]);
  });

  it("rolls back to the previous champion, then fails with exit 1 when there is none", async () => {
    const back = await models("rollback", "bike", "--reason=regressed");
    expect(back.code).toBe(0);
    expect(back.out).toMatch(/^bike: rolled back, champion 2 → 1 /);
    expect(events.at(-1)).toMatchObject({ type: "rolled_back", version: "1", previousVersion: "2", reason: "regressed" });
    const none = await models("rollback", "bike");
    expect(none.code).toBe(1);
    expect(none.err).toBe("edgeflow models rollback: bike: there is no previous champion to roll back to [NO_PREVIOUS_CHAMPION]\n");
  });

  it("exits 1 naming an unknown version", async () => {
    const { code, err } = await models("show", "bike", "9");
    expect(code).toBe(1);
    expect(err).toContain("[MODEL_NOT_FOUND]");
  });

  it("exits 2 with usage on a bad command line", async () => {
    expect((await models()).code).toBe(2);
    expect((await models("frobnicate")).err).toContain('unknown subcommand "frobnicate"');
    expect((await models("promote", "bike")).err).toContain("promote needs a model name and a version");
    expect((await models("rollback", "bike", "extra")).err).toContain("too many arguments to rollback");
    expect((await models("list", "--bogus")).code).toBe(2);
  });

  it("opens the registry named by EDGEFLOW_REGISTRY when none is given", async () => {
    let out = "";
    const code = await modelsCommand(["list", "bike", "--json"], {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: () => true },
      env: { EDGEFLOW_REGISTRY: `file:${root}` },
    });
    expect(code).toBe(0);
    expect((JSON.parse(out) as Array<{ version: string }>).map((v) => v.version)).toEqual(["1", "2"]);
  });
});
