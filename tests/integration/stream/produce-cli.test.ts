// `edgeflow produce` publishes Avro events to real Kafka at the requested speed-up.
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { createKafka } from "../../../stream/runtime/index.ts";
import { bikeStreams } from "../../support/bike-pipeline.ts";
import { collect, deleteTopicsWithPrefix } from "../../support/kafka-collect.ts";

const ROOT = resolve(import.meta.dirname, "../../..");
const services = inject("services");
const prefix = `it-produce-${randomUUID().slice(0, 8)}`;
const kafka = createKafka({ brokers: services.kafkaBrokers, clientId: "it-produce" });

afterAll(async () => {
  await deleteTopicsWithPrefix(kafka, prefix);
});

describe("edgeflow produce", () => {
  it("publishes synthetic counters with a scenario, paced by the speed-up factor", async () => {
    const started = Date.now();
    const run = spawnSync(
      process.execPath,
      [join(ROOT, "node_modules/tsx/dist/cli.mjs"), join(ROOT, "services/cli/main.ts"), "produce", "--source", "synthetic",
        "--counters", "3", "--from", "2021-01-04T00:00:00Z", "--to", "2021-01-06T00:00:00Z", "--speed", "43200",
        "--scenarios", "broken-counter@2021-01-05:counter=1", "--brokers", services.kafkaBrokers.join(",")],
      { env: { ...process.env, EDGEFLOW_TOPIC_PREFIX: prefix, LOG_LEVEL: "warn" }, encoding: "utf8", timeout: 120_000 },
    );
    expect(run.status, run.stderr).toBe(0);
    // Two days of event time at 43,200× take at least four seconds.
    expect(Date.now() - started).toBeGreaterThanOrEqual(4_000);
    expect(JSON.parse(run.stdout.trim().split("\n").at(-1)!)).toMatchObject({ events: 144 });
    expect(run.stderr).toMatch(/done: 144 events/);

    const streams = await bikeStreams(prefix);
    const got = await collect(kafka, streams.topics.events);
    await got.until((n) => n >= 144, 60_000);
    await got.stop();
    const events = await Promise.all(got.messages.map(({ message }) => streams.events.codec.deserialize(message.value!)));
    const broken = events.filter((e) => e.counterId === "synthetic-002" && e.timestamp >= Date.UTC(2021, 0, 5));
    expect(broken).toHaveLength(24);
    expect(broken.every((e) => e.count === 0)).toBe(true);
  });

  it("refuses an unknown scenario with a usage error naming it (exit 2)", () => {
    const run = spawnSync(
      process.execPath,
      [join(ROOT, "node_modules/tsx/dist/cli.mjs"), join(ROOT, "services/cli/main.ts"), "produce", "--source", "synthetic", "--scenarios", "meteor", "--embedded", join("/tmp", prefix)],
      { encoding: "utf8", timeout: 60_000 },
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/unknown scenario "meteor"/);
  });
});
