import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { register } from "prom-client";
import { describe, expect, it } from "vitest";
import { DriftEvent, DriftEventAvro, MonitorObservation, MonitorObservationAvro, createAvroCodec, createRegistryClient, type MonitorObservation as Observation } from "../../../schemas/index.ts";
import { EmbeddedRuntime, type Stream } from "../../../stream/runtime/index.ts";
import { driftMonitorProcessor } from "../../../services/monitor/monitor-processor.ts";
import { loadMonitoredModel, MonitoredModelHolder } from "../../../services/monitor/monitored-model.ts";
import { MemorySink } from "../../../services/monitor/points.ts";
import { DRIFT_SPEC, normalValues, writeDriftModelFolder } from "../../support/drift-fixtures.ts";

const DAY = 86_400_000;
const T0 = Date.UTC(2021, 0, 4);
const DRIFTED = new Set([3, 4, 5, 6, 7, 10, 11, 12]);
const DEGRADED = new Set([10, 11, 12]);

async function streams(prefix: string) {
  const registry = createRegistryClient("mock://");
  const observations: Stream<Observation> = {
    topic: `${prefix}.observations`,
    codec: await createAvroCodec({ registry, topic: `${prefix}.observations`, avroSchema: MonitorObservationAvro, schema: MonitorObservation }),
  };
  const events: Stream<DriftEvent> = { topic: `${prefix}.drift`, codec: await createAvroCodec({ registry, topic: `${prefix}.drift`, avroSchema: DriftEventAvro, schema: DriftEvent }) };
  return { observations, events };
}

/** Observations of one day: 300 feature rows, 100 predictions, 100 outcomes. */
function day(d: number, model = "drift-model", version = "1"): Observation[] {
  const drifted = DRIFTED.has(d);
  const a = normalValues(300, drifted ? 80 : 50, 10, 100 + d);
  const b = normalValues(300, drifted ? 2 : 0, 1, 200 + d);
  const base = { model, eventId: "", entityId: "e", sourcePartition: 0, specHash: null, prediction: null, actual: null, values: [] as number[] };
  const rows: Observation[] = [];
  for (let i = 0; i < 300; i++) {
    rows.push({ ...base, kind: "features", version: null, eventId: `f${d}-${i}`, time: T0 + d * DAY + i * 288_000, values: [a[i]!, b[i]!, drifted ? 1 : 0], specHash: DRIFT_SPEC.hash });
  }
  const p = normalValues(100, 50, 10, 300 + d);
  const noise = normalValues(100, 0, DEGRADED.has(d) ? 80 : 5, 400 + d);
  for (let i = 0; i < 100; i++) {
    const time = T0 + d * DAY + i * 864_000;
    rows.push({ ...base, kind: "prediction", version, eventId: `p${d}-${i}`, time, prediction: p[i]! });
    rows.push({ ...base, kind: "outcome", version, eventId: `p${d}-${i}`, time, prediction: p[i]!, actual: p[i]! + noise[i]! });
  }
  return rows;
}

async function decodeAll<T>(rt: EmbeddedRuntime, stream: Stream<T>): Promise<T[]> {
  return Promise.all(rt.read(stream.topic, 0).map((r) => stream.codec.deserialize(r.value!)));
}

async function setup(dir: string, prefix: string, holder: MonitoredModelHolder, sink: MemorySink) {
  const s = await streams(prefix);
  const rt = EmbeddedRuntime.open({ dir, dlqTopic: `${prefix}.dlq` });
  rt.add(
    driftMonitorProcessor({
      observations: s.observations,
      events: s.events,
      model: holder,
      sink,
      window: { sizeMs: DAY },
      sourcePartitions: 1,
      driftHysteresis: { trigger: 3, rearm: 2 },
      performance: { maxRmse: 60, minR2: 0.65, minOutcomes: 50 },
      performanceHysteresis: { trigger: 1, rearm: 1 },
      now: () => 0,
    }),
  );
  return { rt, ...s };
}

describe("drift monitor processor", () => {
  it("writes every closed window and emits one drift event per episode of three drifted windows", async () => {
    const holder = new MonitoredModelHolder(await loadMonitoredModel(writeDriftModelFolder(mkdtempSync(join(tmpdir(), "ef-mon-model-")))));
    const sink = new MemorySink();
    const { rt, observations, events } = await setup(mkdtempSync(join(tmpdir(), "ef-mon-")), "t1", holder, sink);
    for (let d = 0; d <= 14; d++) {
      for (const o of day(d)) await rt.produce(observations, o.model, o);
      await rt.drain();
    }
    const dataset = sink.points.filter((p) => p.measurement === "drift_dataset").sort((x, y) => x.time - y.time);
    expect(dataset.map((p) => (p.time - T0) / DAY)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
    expect(dataset.map((p) => p.fields.drifted)).toEqual(dataset.map((p) => DRIFTED.has((p.time - T0) / DAY)));
    expect(dataset.every((p) => p.fields.rows === 300)).toBe(true);
    // three features × (ks, wasserstein, psi, js) or (chisquare, js, psi) per window
    expect(sink.points.filter((p) => p.measurement === "drift_feature" && p.time === T0)).toHaveLength(4 + 4 + 3);
    expect(sink.points.filter((p) => p.measurement === "drift_prediction")).toHaveLength(14 * 4);

    const emitted = await decodeAll(rt, events);
    const drift = emitted.filter((e) => e.type === "dataset_drift");
    expect(drift.map((e) => (e.windowStart - T0) / DAY)).toEqual([5, 12]);
    expect(drift.every((e) => e.consecutiveWindows === 3 && e.driftedShare === 1)).toBe(true);
    expect(drift[0]!.driftedFeatures.sort()).toEqual(["a", "b", "flag"]);
    expect(drift[0]!.eventId).toBe(`drift-model/1/dataset_drift/${T0 + 5 * DAY}`);

    const perf = sink.points.filter((p) => p.measurement === "performance").sort((x, y) => x.time - y.time);
    expect(perf).toHaveLength(14);
    expect(perf.map((p) => p.fields.degraded)).toEqual(perf.map((p) => DEGRADED.has((p.time - T0) / DAY)));
    const degradation = emitted.filter((e) => e.type === "performance_degradation");
    expect(degradation.map((e) => (e.windowStart - T0) / DAY)).toEqual([10]);
    expect(degradation[0]!.rmse).toBeGreaterThan(60);

    const gauge = (await register.getSingleMetric("edgeflow_outcomes_rmse")!.get()).values.find((v) => v.labels.model === "drift-model" && v.labels.version === "1");
    expect(gauge?.value).toBeCloseTo(perf.at(-1)!.fields.rmse as number, 9);
    await rt.stop();
  });

  it("gives the same windows and events when restarted half-way (state is durable)", async () => {
    const folder = writeDriftModelFolder(mkdtempSync(join(tmpdir(), "ef-mon-model-")));
    const once = new MemorySink();
    const a = await setup(mkdtempSync(join(tmpdir(), "ef-mon-")), "t2", new MonitoredModelHolder(await loadMonitoredModel(folder)), once);
    for (let d = 0; d <= 14; d++) for (const o of day(d)) await a.rt.produce(a.observations, o.model, o);
    await a.rt.drain();
    const expected = await decodeAll(a.rt, a.events);
    await a.rt.stop();

    const dir = mkdtempSync(join(tmpdir(), "ef-mon-"));
    const twice = new MemorySink();
    for (const [from, to] of [
      [0, 6],
      [7, 14],
    ] as const) {
      const b = await setup(dir, "t2", new MonitoredModelHolder(await loadMonitoredModel(folder)), twice);
      for (let d = from; d <= to; d++) for (const o of day(d)) await b.rt.produce(b.observations, o.model, o);
      await b.rt.drain();
      if (to === 14) expect((await decodeAll(b.rt, b.events)).map((e) => e.eventId).sort()).toEqual(expected.map((e) => e.eventId).sort());
      await b.rt.stop();
    }
    const key = (p: { measurement: string; time: number; tags: Record<string, string> }) => `${p.measurement}/${p.time}/${JSON.stringify(p.tags)}`;
    expect(twice.points.map(key).sort()).toEqual(once.points.map(key).sort());
    expect(twice.points.find((p) => p.measurement === "drift_dataset" && p.time === T0 + 6 * DAY)?.fields).toEqual(
      once.points.find((p) => p.measurement === "drift_dataset" && p.time === T0 + 6 * DAY)?.fields,
    );
  });

  it("restarts drift windows on the new reference when the champion changes, marking the window in progress partial", async () => {
    const holder = new MonitoredModelHolder(await loadMonitoredModel(writeDriftModelFolder(mkdtempSync(join(tmpdir(), "ef-mon-model-")))));
    const sink = new MemorySink();
    const { rt, observations, events } = await setup(mkdtempSync(join(tmpdir(), "ef-mon-")), "t3", holder, sink);
    const half = (d: number, first: boolean, version: string) => day(d, "drift-model", version).filter((o) => o.time - (T0 + d * DAY) < DAY / 2 === first);
    for (let d = 0; d <= 4; d++) for (const o of day(d)) await rt.produce(observations, o.model, o);
    for (const o of half(5, true, "1")) await rt.produce(observations, o.model, o);
    await rt.drain();
    holder.set(await loadMonitoredModel(writeDriftModelFolder(mkdtempSync(join(tmpdir(), "ef-mon-model-")), { version: "2" })));
    for (const o of half(5, false, "2")) await rt.produce(observations, o.model, o);
    for (let d = 6; d <= 9; d++) for (const o of day(d, "drift-model", "2")) await rt.produce(observations, o.model, o);
    await rt.drain();
    const dataset = sink.points.filter((p) => p.measurement === "drift_dataset");
    // Day 5 under v1 (its first half) is closed early and written as v1's; its second half starts v2's windows.
    const day5 = dataset.filter((p) => p.time === T0 + 5 * DAY).map((p) => [p.tags.version, p.fields.rows, p.fields.partial]);
    expect(day5).toEqual([
      ["1", 150, true],
      ["2", 150, true],
    ]);
    expect(dataset.filter((p) => p.time > T0 + 5 * DAY).every((p) => p.tags.version === "2" && p.fields.partial === false && p.fields.rows === 300)).toBe(true);
    // v1 saw drift on days 3 and 4 only; v2 counts from scratch: 6, 7 drifted, 8 clean → no event
    expect((await decodeAll(rt, events)).filter((e) => e.type === "dataset_drift")).toEqual([]);
    const perfVersions = sink.points.filter((p) => p.measurement === "performance" && p.time === T0 + 5 * DAY).map((p) => p.tags.version).sort();
    expect(perfVersions).toEqual(["1", "2"]);
    // The old version's gauge is gone once the champion has its own window (no stale alert).
    const series = (await register.getSingleMetric("edgeflow_outcomes_rmse")!.get()).values.filter((v) => v.labels.model === "drift-model");
    expect(series.map((v) => v.labels.version)).toEqual(["2"]);
    await rt.stop();
  });
});
