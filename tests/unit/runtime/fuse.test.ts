// fuse(): the feature processor and the scorer as one processor give the same features
// and predictions as the two run apart; a feature vector the scorer refuses sends the
// event it came from to the DLQ with the scorer's reason.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { bikeEventId, type BikeCountEvent, type FeatureVector, type Prediction } from "../../../schemas/index.ts";
import { BIKE_FEATURE_SPEC, bikeFeatureProcessor } from "../../../stream/features/index.ts";
import { EmbeddedRuntime, decodeDeadLetter, deadLetterInfo, fuse, type Processor } from "../../../stream/runtime/index.ts";
import { ModelHolder, scoringProcessor } from "../../../stream/scoring/index.ts";
import { bikeStreams, lastWeekModelDir, parisEventsBefore, type BikeStreams } from "../../support/bike-pipeline.ts";
import { writeLinearModelFolder } from "../../support/linear-model.ts";

let sample: BikeCountEvent[];
let streams: BikeStreams;
let modelDir: string;

beforeAll(async () => {
  sample = await parisEventsBefore(Date.UTC(2020, 8, 16));
  streams = await bikeStreams("unit-fuse");
  modelDir = lastWeekModelDir();
});

function readAll(rt: EmbeddedRuntime, topic: string): Buffer[] {
  const out: Buffer[] = [];
  for (let pos = 0; ; ) {
    const batch = rt.read(topic, pos);
    if (batch.length === 0) return out;
    for (const r of batch) out.push(r.value!);
    pos = batch.at(-1)!.next;
  }
}

async function run(processors: Processor<never>[] | Processor<unknown>[], events: BikeCountEvent[]) {
  const rt = EmbeddedRuntime.open({ dir: mkdtempSync(join(tmpdir(), "ef-fuse-")), dlqTopic: streams.topics.dlq });
  for (const p of processors) rt.add(p as Processor<unknown>);
  for (const e of events) await rt.produce(streams.events, e.counterId, e);
  await rt.drain();
  const features: FeatureVector[] = await Promise.all(readAll(rt, streams.topics.features).map((b) => streams.features.codec.deserialize(b)));
  const predictions: Prediction[] = await Promise.all(readAll(rt, streams.topics.predictions).map((b) => streams.predictions.codec.deserialize(b)));
  const dead = readAll(rt, streams.topics.dlq);
  await rt.stop();
  return { features, predictions, dead, rt };
}

describe("fuse", { timeout: 60_000 }, () => {
  it("produces the same features and predictions as the two processors apart", async () => {
    const models = await ModelHolder.fromFolder(modelDir, BIKE_FEATURE_SPEC.hash);
    const features = () => bikeFeatureProcessor({ events: streams.events, features: streams.features });
    const scorer = () => scoringProcessor({ features: streams.features, predictions: streams.predictions, models, now: () => 0 });
    const apart = await run([features(), scorer()] as Processor<unknown>[], sample);
    const fused = await run([fuse(features(), "features", scorer(), { name: "fused" })] as Processor<unknown>[], sample);
    expect(fused.features.length).toBeGreaterThan(25 * 24 * 10);
    // ingestedAt is the time each run appended the event.
    const unstamp = <T extends { ingestedAt: number }>(x: T) => ({ ...x, ingestedAt: 0 });
    expect(fused.features.map(unstamp)).toEqual(apart.features.map(unstamp));
    expect(fused.predictions.length).toBeGreaterThan(25 * 24 * 5);
    const strip = (p: Prediction) => ({ ...p, ingestedAt: 0, scoredAt: 0, latencyMs: 0 });
    expect(fused.predictions.map(strip)).toEqual(apart.predictions.map(strip));
    expect(fused.dead).toHaveLength(0);
  });

  it("dead-letters the source event, with the scorer's reason, when the scorer refuses a feature vector", async () => {
    // A model trained on another feature spec: every complete vector is refused.
    const other = writeLinearModelFolder(mkdtempSync(join(tmpdir(), "ef-model-")), { name: "bike", version: "9", spec: { ...BIKE_FEATURE_SPEC, hash: "0".repeat(64) }, weights: { lag_168h: 1 } });
    const models = await ModelHolder.fromFolder(other.dir, "0".repeat(64));
    const events = sample.slice(0, 25 * 24 * 9);
    const fused = await run(
      [fuse(bikeFeatureProcessor({ events: streams.events, features: streams.features }), "features", scoringProcessor({ features: streams.features, predictions: streams.predictions, models }), { name: "fused" })] as Processor<unknown>[],
      events,
    );
    expect(fused.predictions).toHaveLength(0);
    // Every feature vector was still written, and each refused one's event is in the DLQ.
    expect(fused.features.length).toBeGreaterThan(0);
    expect(fused.dead).toHaveLength(fused.features.length);
    const first = decodeDeadLetter(fused.dead[0]!);
    const info = deadLetterInfo(first.headers);
    expect(info.code).toBe("FEATURE_SPEC_MISMATCH");
    expect(info.origin.topic).toBe(streams.topics.events);
    expect(info.reason).toContain("scorer");
    // The dead letters are the events of the refused vectors, in order.
    const deadIds = await Promise.all(fused.dead.map(async (d) => bikeEventId(await streams.events.codec.deserialize(decodeDeadLetter(d).value!))));
    expect(deadIds).toEqual(fused.features.map((f) => f.eventId));
  });

  it("refuses processors that do not fit together", () => {
    const f = bikeFeatureProcessor({ events: streams.events, features: streams.features });
    const s = scoringProcessor({ features: streams.features, predictions: streams.predictions, models: null as never });
    expect(() => fuse(f, "nope", s, { name: "x" })).toThrow(/no output "nope"/);
    const wrong = scoringProcessor({ features: { ...streams.features, topic: "other" }, predictions: streams.predictions, models: null as never });
    expect(() => fuse(f, "features", wrong, { name: "x" })).toThrow(/must have exactly one input/);
  });
});
