// `edgeflow drift report` over an embedded runtime directory (no Kafka): the champion's
// reference from a file registry, the features of the range, one HTML file out.
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BIKE_FEATURE_SPEC } from "../../../stream/features/index.ts";
import { driftCommand } from "../../../services/monitor/report-command.ts";
import { openRegistry } from "../../../services/registry/index.ts";
import { writeLinearModelFolder } from "../../support/linear-model.ts";
import { HOUR, writeEmbeddedRows } from "../../support/embedded-features.ts";

const T0 = Date.UTC(2020, 10, 2);
const saved = { ...process.env };

beforeEach(() => {
  for (const k of ["KAFKA_BROKERS", "EDGEFLOW_TOPIC_PREFIX", "SCHEMA_REGISTRY_URL", "EDGEFLOW_DRIFT_METHOD", "EDGEFLOW_DRIFT_THRESHOLD", "EDGEFLOW_MODEL_NAME"]) delete process.env[k];
});
afterEach(() => {
  process.env = { ...saved };
});

describe("edgeflow drift report", () => {
  it("writes a self-contained page with one histogram per feature from the embedded runtime's features", async () => {
    const home = mkdtempSync(join(tmpdir(), "ef-report-cli-"));
    const registry = openRegistry({ backend: { kind: "file", root: join(home, "registry") }, events: { kafkaBrokers: [], schemaRegistryUrl: "mock://", topicPrefix: "edgeflow" } });
    const v = await registry.register(writeLinearModelFolder(join(home, "v1"), { name: "bike-next-hour", spec: BIKE_FEATURE_SPEC, weights: { lag_1h: 1 } }).dir);
    await registry.promote(v.name, v.version);
    await registry.close();
    const dir = join(home, "embedded");
    await writeEmbeddedRows(dir, T0, 48);
    process.env.EDGEFLOW_REGISTRY = `file:${join(home, "registry")}`;
    const out = join(home, "report.html");
    const code = await driftCommand(["report", "--from", "2020-11-02", "--to", "2020-11-03", "--out", out, "--dir", dir]);
    expect(code).toBe(0);
    expect(existsSync(out)).toBe(true);
    const html = readFileSync(out, "utf8");
    expect(html).toContain("Drift report — bike-next-hour v1");
    expect(html).toContain("(72 rows)");
    expect([...html.matchAll(/<svg[^>]*data-feature="([^"]+)"/g)].map((m) => m[1])).toEqual(BIKE_FEATURE_SPEC.features.map((f) => f.name));
    expect(html).toContain(`embedded runtime ${dir}`);
  });

  it("refuses a range without rows, and a range that ends before it starts", async () => {
    const home = mkdtempSync(join(tmpdir(), "ef-report-cli-"));
    const registry = openRegistry({ backend: { kind: "file", root: join(home, "registry") }, events: { kafkaBrokers: [], schemaRegistryUrl: "mock://", topicPrefix: "edgeflow" } });
    const v = await registry.register(writeLinearModelFolder(join(home, "v1"), { name: "bike-next-hour", spec: BIKE_FEATURE_SPEC, weights: { lag_1h: 1 } }).dir);
    await registry.promote(v.name, v.version);
    await registry.close();
    const dir = join(home, "embedded");
    await writeEmbeddedRows(dir, T0, 5);
    process.env.EDGEFLOW_REGISTRY = `file:${join(home, "registry")}`;
    await expect(driftCommand(["report", "--from", "2021-01-01", "--to", "2021-01-02", "--dir", dir])).rejects.toThrow(/no complete feature vector for bike-next-hour v1 with a target hour in 2021-01-01T00:00:00.000Z .. 2021-01-02T00:00:00.000Z \(read 15 from embedded runtime/);
    await expect(driftCommand(["report", "--from", "2021-01-02", "--to", "2021-01-01", "--dir", dir])).rejects.toThrow(/--to must be after --from/);
    expect(T0 + 5 * HOUR).toBeGreaterThan(T0);
  });
});
