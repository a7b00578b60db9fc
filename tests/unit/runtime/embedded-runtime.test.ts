import { appendFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { BikeCountEvent, FeatureVector, Outcome, Prediction } from "../../../schemas/index.ts";
import { BIKE_FEATURE_SPEC, bikeActualFromFeatures, bikeFeatureProcessor, stepBikeFeatures, type BikeCounterState } from "../../../stream/features/index.ts";
import { decodeDeadLetter, deadLetterInfo, EmbeddedRuntime } from "../../../stream/runtime/index.ts";
import { ModelHolder, scoringProcessor } from "../../../stream/scoring/index.ts";
import { outcomeJoiner } from "../../../stream/outcomes/index.ts";
import { bikeStreams, lastWeekModelDir, parisEventsBefore, type BikeStreams } from "../../support/bike-pipeline.ts";

let sample: BikeCountEvent[];
let streams: BikeStreams;
let modelDir: string;

beforeAll(async () => {
  sample = await parisEventsBefore(Date.UTC(2020, 8, 22));
  streams = await bikeStreams("unit");
  modelDir = lastWeekModelDir();
});

const dirOf = () => mkdtempSync(join(tmpdir(), "ef-embedded-"));

function readAll<T>(rt: EmbeddedRuntime, topic: string, decode: (b: Buffer) => T): T[] {
  const out: T[] = [];
  let pos = 0;
  for (;;) {
    const batch = rt.read(topic, pos);
    if (batch.length === 0) return out;
    for (const r of batch) out.push(decode(r.value!));
    pos = batch.at(-1)!.next;
  }
}

async function decodeAll<T>(rt: EmbeddedRuntime, topic: string, codec: { deserialize(b: Buffer): Promise<T> }): Promise<T[]> {
  return Promise.all(readAll(rt, topic, (b) => b).map((b) => codec.deserialize(b)));
}

/** Expected feature vectors: the pure function over the same events. */
function expectedFeatures(events: BikeCountEvent[]): Map<string, number[]> {
  const states = new Map<string, BikeCounterState>();
  const out = new Map<string, number[]>();
  for (const e of events) {
    const step = stepBikeFeatures(states.get(e.counterId), e);
    states.set(e.counterId, step.state);
    if (step.kind === "features") out.set(step.row.eventId, step.row.values);
  }
  return out;
}

describe("embedded runtime", { timeout: 60_000 }, () => {
  it("runs events → features → predictions → outcomes with one prediction per scorable event", async () => {
    const rt = EmbeddedRuntime.open({ dir: dirOf(), dlqTopic: streams.topics.dlq });
    rt.add(bikeFeatureProcessor({ events: streams.events, features: streams.features }));
    rt.add(scoringProcessor({ features: streams.features, predictions: streams.predictions, models: await ModelHolder.fromFolder(modelDir, BIKE_FEATURE_SPEC.hash) }));
    rt.add(outcomeJoiner({ predictions: streams.predictions, actuals: streams.features, outcomes: streams.outcomes, actualOf: bikeActualFromFeatures }));
    for (const e of sample) await rt.produce(streams.events, e.counterId, e);
    await rt.drain();

    const features: FeatureVector[] = await decodeAll(rt, streams.topics.features, streams.features.codec);
    const expected = expectedFeatures(sample);
    expect(features).toHaveLength(expected.size);
    for (const f of features) expect(f.values).toEqual(expected.get(f.eventId));

    const predictions: Prediction[] = await decodeAll(rt, streams.topics.predictions, streams.predictions.codec);
    const scorable = features.filter((f) => f.complete);
    expect(scorable.length).toBeGreaterThan(25 * 24 * 5);
    expect(predictions.map((p) => p.eventId).sort()).toEqual(scorable.map((f) => f.eventId).sort());
    const lag168 = BIKE_FEATURE_SPEC.features.findIndex((f) => f.name === "lag_168h");
    const byId = new Map(scorable.map((f) => [f.eventId, f]));
    for (const p of predictions) expect(p.value).toBe(byId.get(p.eventId)!.values[lag168]);

    const outcomes: Outcome[] = await decodeAll(rt, streams.topics.outcomes, streams.outcomes.codec);
    // Actuals are read off the feature vectors (one per new counter hour).
    const counts = new Map(sample.map((e) => [`${e.counterId}@${e.timestamp}`, e.count]));
    const actual = new Map(features.map((f) => [`${f.entityId}@${f.eventTime}`, counts.get(`${f.entityId}@${f.eventTime}`)!]));
    const joinable = predictions.filter((p) => actual.has(`${p.entityId}@${p.targetTime}`));
    expect(outcomes).toHaveLength(joinable.length);
    for (const o of outcomes) expect(o.actual).toBe(actual.get(`${o.entityId}@${o.targetTime}`));
    await rt.stop();
  });

  it("sends undecodable and schema-violating messages to the DLQ with origin and reason, and goes on", async () => {
    const rt = EmbeddedRuntime.open({ dir: dirOf(), dlqTopic: streams.topics.dlq });
    rt.add(bikeFeatureProcessor({ events: streams.events, features: streams.features }));
    const good = sample.slice(0, 100);
    for (const e of good.slice(0, 50)) await rt.produce(streams.events, e.counterId, e);
    rt.produceRaw(streams.topics.events, "c-garbage", Buffer.from("definitely not avro"));
    const lenient = await streams.events.codec.serialize(good[0]!);
    lenient[lenient.length - 17] = 0x09; // count → -5: valid Avro, invalid event
    rt.produceRaw(streams.topics.events, good[0]!.counterId, lenient);
    for (const e of good.slice(50)) await rt.produce(streams.events, e.counterId, e);
    await rt.drain();

    expect(await decodeAll(rt, streams.topics.features, streams.features.codec)).toHaveLength(100);
    const dead = readAll(rt, streams.topics.dlq, decodeDeadLetter);
    expect(dead).toHaveLength(2);
    const [first, second] = dead.map((d) => ({ ...deadLetterInfo(d.headers), value: d.value }));
    expect(first!.code).toBe("DECODE_FAILED");
    expect(first!.origin.topic).toBe(streams.topics.events);
    expect(first!.value!.toString()).toBe("definitely not avro");
    expect(second!.code).toBe("SCHEMA_VIOLATION");
    expect(second!.reason).toContain("count");
    expect(Number(second!.origin.offset)).toBeGreaterThan(Number(first!.origin.offset));
    await rt.stop();
  });

  it("recovers from a crash after outputs were written but before the commit: nothing lost, nothing twice", async () => {
    const dir = dirOf();
    const first = EmbeddedRuntime.open({ dir, dlqTopic: streams.topics.dlq, batchSize: 500 });
    first.add(bikeFeatureProcessor({ events: streams.events, features: streams.features }));
    for (const e of sample) await first.produce(streams.events, e.counterId, e);
    await first.drain();
    const committed = first.lag();
    expect(committed["edgeflow-features-bike-traffic"]).toBe(0);
    // A crash mid-commit leaves bytes past the committed length; simulate it, then reopen.
    appendFileSync(join(dir, "topics", `${streams.topics.features}.log`), Buffer.alloc(300, 7));
    const more = sample.slice(-200).map((e) => ({ ...e, timestamp: e.timestamp + 7 * 86_400_000 }));

    const second = EmbeddedRuntime.open({ dir, dlqTopic: streams.topics.dlq, batchSize: 500 });
    second.add(bikeFeatureProcessor({ events: streams.events, features: streams.features }));
    for (const e of more) await second.produce(streams.events, e.counterId, e);
    await second.drain();
    const features: FeatureVector[] = await decodeAll(second, streams.topics.features, streams.features.codec);
    const ids = features.map((f) => f.eventId);
    expect(new Set(ids).size).toBe(ids.length);
    const expected = expectedFeatures([...sample, ...more]);
    expect(ids.sort()).toEqual([...expected.keys()].sort());
    // State survived the restart: the new week's rows have their lags from the first run.
    for (const f of features.slice(-50)) expect(f.values).toEqual(expected.get(f.eventId));
    await second.stop();
  });
});
