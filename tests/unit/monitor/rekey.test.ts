// The monitor's re-key step on its own: each feature vector, prediction and outcome becomes
// one MonitorObservation keyed by its model — valid against the observation schema, with
// its kind's fields and nulls elsewhere — and incomplete vectors are skipped.
import { describe, expect, it } from "vitest";
import { MonitorObservation, type FeatureVector, type Outcome, type Prediction } from "../../../schemas/index.ts";
import type { InputRecord, Stream } from "../../../stream/runtime/index.ts";
import { monitorRekeyProcessor } from "../../../services/monitor/rekey-processor.ts";

const stream = <T>(topic: string) => ({ topic, codec: {} }) as unknown as Stream<T>;
const T0 = Date.UTC(2021, 2, 1, 8);
const HASH = "a".repeat(64);

describe("monitor re-key", () => {
  it("re-emits features, predictions and outcomes as observations keyed by model", async () => {
    const p = monitorRekeyProcessor({
      model: "bike",
      features: stream<FeatureVector>("f"),
      predictions: stream<Prediction>("p"),
      outcomes: stream<Outcome>("o"),
      observations: stream("obs"),
    });
    const record = (topic: string, value: unknown, partition: number): InputRecord<unknown> => ({ topic, key: "c1", value, timestamp: T0, partition, offset: "0" });
    const features: FeatureVector = { eventId: "e1", entityId: "c1", eventTime: T0, targetTime: T0 + 3_600_000, ingestedAt: T0, specHash: HASH, values: [1, 2, 3], complete: true };
    const prediction: Prediction = { eventId: "e1", entityId: "c1", eventTime: T0, targetTime: T0 + 3_600_000, value: 0, model: "bike", version: "3", ingestedAt: T0, scoredAt: T0 + 5, latencyMs: 5 };
    const outcome: Outcome = { eventId: "e1", entityId: "c1", targetTime: T0 + 3_600_000, prediction: 12, actual: 0, error: 12, model: "other", version: "2" };
    const emitted: Array<{ output: string; key: string; value: unknown }> = [];
    await p.process(
      [record("f", features, 4), record("f", { ...features, eventId: "e0", complete: false }, 4), record("p", prediction, 1), record("o", outcome, 2)],
      { state: { get: () => undefined, put: () => undefined, delete: () => undefined }, emit: (output, key, value) => void emitted.push({ output, key, value }), reject: () => expect.unreachable() },
    );
    const common = { eventId: "e1", entityId: "c1", time: T0 + 3_600_000 };
    expect(emitted).toEqual([
      { output: "observations", key: "bike", value: { kind: "features", model: "bike", version: null, ...common, sourcePartition: 4, values: [1, 2, 3], specHash: HASH, prediction: null, actual: null } },
      { output: "observations", key: "bike", value: { kind: "prediction", model: "bike", version: "3", ...common, sourcePartition: 1, values: [], specHash: null, prediction: 0, actual: null } },
      { output: "observations", key: "other", value: { kind: "outcome", model: "other", version: "2", ...common, sourcePartition: 2, values: [], specHash: null, prediction: 12, actual: 0 } },
    ]);
    for (const e of emitted) expect(MonitorObservation.safeParse(e.value).success).toBe(true);
  });
});
