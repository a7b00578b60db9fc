// The feature processor updates a counter's state in place within a batch (one copy per
// key per batch, not per event): the results must equal the pure function's, and an
// aborted batch must leave the committed state exactly as it was.
import { beforeAll, describe, expect, it } from "vitest";
import type { BikeCountEvent, FeatureVector } from "../../../schemas/index.ts";
import { bikeFeatureProcessor, stepBikeFeatures, type BikeCounterState } from "../../../stream/features/index.ts";
import { OverlayStateStore, type InputRecord, type ProcessorContext } from "../../../stream/runtime/index.ts";
import { readParisEvents } from "../../../examples/bike-traffic/dataset.ts";
import { bikeStreams, type BikeStreams } from "../../support/bike-pipeline.ts";

let sample: BikeCountEvent[];
let streams: BikeStreams;

beforeAll(async () => {
  sample = [];
  for await (const e of readParisEvents()) {
    if (e.timestamp >= Date.UTC(2020, 8, 20)) break;
    sample.push(e);
  }
  streams = await bikeStreams("unit-state");
});

function run(store: OverlayStateStore<BikeCounterState>, events: BikeCountEvent[]): FeatureVector[] {
  const out: FeatureVector[] = [];
  const records: InputRecord<unknown>[] = events.map((e, i) => ({ topic: "events", key: e.counterId, value: e, timestamp: 0, partition: 0, offset: String(i) }));
  const ctx: ProcessorContext<BikeCounterState> = {
    state: store,
    emit: (_o, _k, v) => void out.push(v as FeatureVector),
    reject: () => {
      throw new Error("unexpected reject");
    },
  };
  void bikeFeatureProcessor({ events: streams.events, features: streams.features }).process(records, ctx);
  return out;
}

describe("feature processor state", () => {
  it("gives the pure function's rows, batch after batch, with duplicates, late events and gaps", () => {
    // Duplicates and late events mixed in; a gap of a day for one counter.
    const events = sample.filter((e, i) => !(e.counterId === sample[0]!.counterId && e.timestamp > Date.UTC(2020, 8, 10) && e.timestamp < Date.UTC(2020, 8, 11)) || i % 2);
    const mixed = events.flatMap((e, i) => (i % 97 === 0 ? [e, e] : i % 89 === 0 && i > 100 ? [e, events[i - 60]!] : [e]));
    const store = new OverlayStateStore<BikeCounterState>();
    const got: FeatureVector[] = [];
    for (let i = 0; i < mixed.length; i += 700) {
      got.push(...run(store, mixed.slice(i, i + 700)));
      store.commit();
    }
    const states = new Map<string, BikeCounterState>();
    const expected: number[][] = [];
    for (const e of mixed) {
      const step = stepBikeFeatures(states.get(e.counterId), e);
      states.set(e.counterId, step.state);
      if (step.kind === "features") expected.push(step.row.values);
    }
    expect(got.length).toBeGreaterThan(5_000);
    expect(got.map((f) => f.values)).toEqual(expected);
    for (const [id, s] of states) expect(store.get(id)).toEqual(s);
  });

  it("leaves the committed state untouched when a batch is aborted", () => {
    const store = new OverlayStateStore<BikeCounterState>();
    const half = Math.floor(sample.length / 2);
    run(store, sample.slice(0, half));
    store.commit();
    const before = JSON.stringify([...store.committed]);
    run(store, sample.slice(half, half + 2_000));
    store.abort();
    expect(JSON.stringify([...store.committed])).toBe(before);
  });
});
