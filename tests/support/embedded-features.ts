// Writes feature vectors and outcomes into an embedded runtime directory, as `edgeflow start`
// leaves them, for the CLI tests of the drift report and the retrainer.
import { EmbeddedRuntime } from "../../stream/runtime/index.ts";
import { createRegistryClient, type FeatureVector, type Outcome } from "../../schemas/index.ts";
import { BIKE_FEATURE_SPEC } from "../../stream/features/index.ts";
import { pipelineStreams } from "../../services/monitor/index.ts";

export const HOUR = 3_600_000;

/** `hours` hourly rows for three counters from `start`; lag_1h grows with `level`. */
export async function writeEmbeddedRows(dir: string, start: number, hours: number, level = 50): Promise<void> {
  const streams = await pipelineStreams(createRegistryClient("mock://"), "edgeflow", "bike-traffic");
  const rt = EmbeddedRuntime.open({ dir, dlqTopic: streams.topics.dlq });
  for (let h = 0; h < hours; h++) {
    for (const entityId of ["c1", "c2", "c3"]) {
      const t = start + h * HOUR;
      const eventId = `${entityId}@${t}`;
      const values = BIKE_FEATURE_SPEC.features.map((_, i) => ((h * 13 + i * 7) % 40) + (i === 5 ? level : 0));
      const f: FeatureVector = { eventId, entityId, eventTime: t - HOUR, targetTime: t, ingestedAt: t, specHash: BIKE_FEATURE_SPEC.hash, values, complete: true };
      const o: Outcome = { eventId, entityId, targetTime: t, prediction: values[5]!, actual: values[5]! + 1, error: -1, model: "bike-next-hour", version: "1" };
      await rt.produce(streams.features, entityId, f, t);
      await rt.produce(streams.outcomes, entityId, o, t);
    }
  }
  await rt.drain();
  await rt.stop();
}
