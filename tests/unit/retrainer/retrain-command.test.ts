// `edgeflow retrain` without Kafka: rows from the embedded runtime's logs, the snapshot
// written, the trainer launched — here one that crashes — the run reported failed (exit 1)
// and the champion unchanged.
import { chmodSync, existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BIKE_FEATURE_SPEC } from "../../../stream/features/index.ts";
import { retrainCommand } from "../../../services/retrainer/cli.ts";
import { CHAMPION, openRegistry } from "../../../services/registry/index.ts";
import { writeLinearModelFolder } from "../../support/linear-model.ts";
import { writeEmbeddedRows } from "../../support/embedded-features.ts";

const saved = { ...process.env };
beforeEach(() => {
  for (const k of Object.keys(process.env)) if (k === "KAFKA_BROKERS" || k.startsWith("EDGEFLOW_")) delete process.env[k];
});
afterEach(() => {
  process.env = { ...saved };
  vi.restoreAllMocks();
});

describe("edgeflow retrain", () => {
  it("snapshots the embedded runtime's rows, reports a crashing trainer as a failed run (exit 1) and keeps the champion", async () => {
    const home = mkdtempSync(join(tmpdir(), "ef-retrain-cli-"));
    const root = join(home, "registry");
    const registry = openRegistry({ backend: { kind: "file", root }, events: { kafkaBrokers: [], schemaRegistryUrl: "mock://", topicPrefix: "edgeflow" } });
    const v = await registry.register(writeLinearModelFolder(join(home, "v1"), { name: "bike-next-hour", spec: BIKE_FEATURE_SPEC, weights: { lag_1h: 1 } }).dir);
    await registry.promote(v.name, v.version);
    await writeEmbeddedRows(join(home, "embedded", "bike-traffic"), Date.UTC(2020, 10, 2), 24);
    const script = join(home, "trainer.sh");
    writeFileSync(script, "#!/bin/sh\necho boom >&2\nexit 1\n");
    chmodSync(script, 0o755);
    Object.assign(process.env, { EDGEFLOW_HOME: home, EDGEFLOW_REGISTRY: `file:${root}`, EDGEFLOW_TRAINER_PYTHON: script });
    const stdout: string[] = [];
    const stderr: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation((s) => (stdout.push(String(s)), true));
    vi.spyOn(process.stderr, "write").mockImplementation((s) => (stderr.push(String(s)), true));
    const code = await retrainCommand(["--window", "2d"]);
    vi.restoreAllMocks();
    expect(code).toBe(1);
    expect(stderr.filter((l) => l.startsWith("retrain ")).map((l) => l.split(": ")[1]!.split(" ")[0]!.trim())).toEqual(["requested", "snapshot", "training", "failed"]);
    expect(stdout.join("")).toMatch(/run manual-|failed/);
    expect(stdout.join("")).toContain("failed in training; the champion is unchanged");
    const snapshots = readdirSync(join(home, "retrainer", "snapshots"));
    expect(snapshots).toHaveLength(1);
    expect(existsSync(join(home, "retrainer", "snapshots", snapshots[0]!, "rows.csv"))).toBe(true);
    expect((await registry.get("bike-next-hour", CHAMPION)).version).toBe("1");
    await registry.close();
  });
});
