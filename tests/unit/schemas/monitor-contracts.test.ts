import { describe, expect, it } from "vitest";
import {
  DriftEvent,
  DriftEventAvro,
  MonitorObservation,
  MonitorObservationAvro,
  RetrainRun,
  RetrainRunAvro,
  createAvroCodec,
  createRegistryClient,
  parseDuration,
} from "../../../schemas/index.ts";

const run: RetrainRun = {
  runId: "drift-1234",
  model: "bike-next-hour",
  status: "gated",
  trigger: "drift",
  triggerEvents: ["bike-next-hour/1/dataset_drift/1605484800000"],
  reasons: ["drift", "rmse 16.7 vs champion 17.6"],
  requestedAt: 1,
  at: 2,
  durations: { requested: 1, snapshot: 2.5 },
  snapshot: { id: "bike-traffic-abc", sha256: "c".repeat(64), rows: 10, from: "2020-09-01T00:00:00.000Z", to: "2020-11-23T00:00:00.000Z", source: "t:0:0-10" },
  candidateVersion: "2",
  championVersion: "1",
  holdoutId: "bike-traffic-abc:a..b",
  candidateMetrics: { rmse: 16.7, r2: 0.95 },
  championMetrics: { rmse: 17.6, r2: 0.94 },
  error: null,
};

describe("monitor and retrainer contracts", () => {
  it("round-trip a retrain run, nested snapshot record and maps included, through Avro", async () => {
    const codec = await createAvroCodec({ registry: createRegistryClient("mock://"), topic: "t.retrain-runs", avroSchema: RetrainRunAvro, schema: RetrainRun });
    expect(await codec.deserialize(await codec.serialize(run))).toEqual(run);
    const empty = { ...run, status: "requested" as const, snapshot: null, candidateMetrics: null, championMetrics: null, candidateVersion: null, holdoutId: null };
    expect(await codec.deserialize(await codec.serialize(empty))).toEqual(empty);
  });

  it("round-trips drift events and observations, and refuses an unknown event type naming the field", async () => {
    const registry = createRegistryClient("mock://");
    const drift = await createAvroCodec({ registry, topic: "t.drift", avroSchema: DriftEventAvro, schema: DriftEvent });
    const e: DriftEvent = {
      eventId: "m/1/performance_degradation/0",
      type: "performance_degradation",
      model: "m",
      version: "1",
      windowStart: 0,
      windowEnd: 604_800_000,
      consecutiveWindows: 1,
      driftedShare: null,
      driftedFeatures: [],
      rmse: 61.5,
      mae: 30,
      r2: null,
      rows: 4000,
      reason: "rmse 61.50 > 60",
      at: 5,
    };
    expect(await drift.deserialize(await drift.serialize(e))).toEqual(e);
    await expect(drift.serialize({ ...e, type: "other" } as never)).rejects.toThrow(/type/);
    const obs = await createAvroCodec({ registry, topic: "t.obs", avroSchema: MonitorObservationAvro, schema: MonitorObservation });
    const o: MonitorObservation = { kind: "features", model: "m", version: null, eventId: "e", entityId: "c", time: 3, sourcePartition: 2, values: [1, Number.NaN], specHash: "h", prediction: null, actual: null };
    const back = await obs.deserialize(await obs.serialize(o));
    expect(back.values[0]).toBe(1);
    expect(Number.isNaN(back.values[1])).toBe(true);
  });

  it("parses configuration durations", () => {
    expect([parseDuration("7d"), parseDuration("1h"), parseDuration("90s"), parseDuration("250ms"), parseDuration("1500"), parseDuration("2w")]).toEqual([
      604_800_000, 3_600_000, 90_000, 250, 1500, 1_209_600_000,
    ]);
    expect(parseDuration("soon")).toBeNaN();
  });
});
