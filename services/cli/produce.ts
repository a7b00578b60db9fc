// `edgeflow produce`: publishes bike counter events as Avro (Schema Registry serde) to Kafka
// (KAFKA_BROKERS) or into the embedded runtime's log — the real Paris sample replayed in
// event-time order, or synthetic counters with named drift scenarios — at a speed-up
// factor of event time over wall-clock time, with progress.
import { join } from "node:path";
import { BikeCountEvent, BikeCountEventAvro, createAvroCodec, createRegistryClient, edgeflowHome, topicsFor } from "../../schemas/index.ts";
import { readParisEvents } from "../../examples/bike-traffic/dataset.ts";
import { SCENARIOS, parseScenario, syntheticBikeEvents } from "../../examples/bike-traffic/generator.ts";
import { EmbeddedRuntime, createKafka, ensureTopics } from "../../stream/runtime/index.ts";
import { numberOption, parseArgs, stringOption, UsageError } from "./args.ts";

export const PRODUCE_USAGE = `usage: edgeflow produce [--source paris|synthetic] [--speed max|N] [--limit N]
                        [--counters 25 --from ISO --to ISO --seed 42 --scenarios name[@date][:counter=i],...]
                        [--brokers host:port,...] [--embedded DIR]
  --speed N   N seconds of event time per wall-clock second (3600: an hour of counts per second)
  scenarios:  ${SCENARIOS.join(", ")}
  target:     Kafka when --brokers or KAFKA_BROKERS is set, else the embedded log (default .edgeflow/embedded/bike-traffic)`;

export interface ProduceSink {
  send(events: BikeCountEvent[]): Promise<void>;
  close(): Promise<void>;
  label: string;
}

export async function produceCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  const source = stringOption(args, "source") ?? "paris";
  if (source !== "paris" && source !== "synthetic") throw new UsageError(`--source must be paris or synthetic, got "${source}"`);
  const speedText = stringOption(args, "speed") ?? "max";
  const speed = speedText === "max" ? Infinity : Number(speedText);
  if (!(speed > 0)) throw new UsageError(`--speed must be max or a positive number, got "${speedText}"`);
  const limit = numberOption(args, "limit") ?? Infinity;

  let events: AsyncIterable<BikeCountEvent> | Iterable<BikeCountEvent>;
  if (source === "paris") {
    events = readParisEvents();
  } else {
    const from = Date.parse(stringOption(args, "from") ?? "2021-01-01T00:00:00Z");
    const to = Date.parse(stringOption(args, "to") ?? "2021-03-01T00:00:00Z");
    if (Number.isNaN(from) || Number.isNaN(to) || to <= from) throw new UsageError("--from and --to must be dates with from < to");
    const scenarios = (stringOption(args, "scenarios") ?? "")
      .split(",")
      .filter(Boolean)
      .map((s) => {
        try {
          return parseScenario(s, from + (to - from) / 2);
        } catch (error) {
          throw new UsageError((error as Error).message);
        }
      });
    events = syntheticBikeEvents({ counters: numberOption(args, "counters") ?? 25, from, to, seed: numberOption(args, "seed") ?? 42, scenarios });
  }

  const sink = await openSink(stringOption(args, "brokers") ?? process.env.KAFKA_BROKERS, stringOption(args, "embedded"));
  const say = (line: string) => process.stderr.write(`${line}\n`);
  say(`producing ${source} events to ${sink.label} at speed ${speedText}`);
  const started = Date.now();
  let firstEventTime = NaN;
  let sent = 0;
  let lastReport = started;
  let batch: BikeCountEvent[] = [];
  let stop = false;
  process.once("SIGINT", () => (stop = true));
  process.once("SIGTERM", () => (stop = true));
  try {
    for await (const e of events) {
      if (stop || sent + batch.length >= limit) break;
      if (Number.isNaN(firstEventTime)) firstEventTime = e.timestamp;
      if (Number.isFinite(speed)) {
        // Hold the event until its place on the sped-up clock.
        const due = started + (e.timestamp - firstEventTime) / speed;
        if (due > Date.now()) {
          if (batch.length > 0) {
            await sink.send(batch);
            sent += batch.length;
            batch = [];
          }
          await new Promise((r) => setTimeout(r, due - Date.now()));
        }
      }
      batch.push(e);
      if (batch.length >= 1_000) {
        await sink.send(batch);
        sent += batch.length;
        batch = [];
      }
      if (Date.now() - lastReport >= 2_000) {
        lastReport = Date.now();
        say(`  ${sent} events  event time ${new Date(e.timestamp).toISOString().slice(0, 16)}  ${((sent / (Date.now() - started)) * 1000).toFixed(0)} ev/s`);
      }
    }
    if (batch.length > 0) {
      await sink.send(batch);
      sent += batch.length;
    }
  } finally {
    await sink.close();
  }
  say(`done: ${sent} events in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  process.stdout.write(`${JSON.stringify({ events: sent, target: sink.label })}\n`);
  return 0;
}

export async function openSink(brokers: string | undefined, embeddedDir: string | undefined): Promise<ProduceSink> {
  const registry = createRegistryClient(process.env.SCHEMA_REGISTRY_URL ?? "mock://");
  const topics = topicsFor("bike-traffic", process.env.EDGEFLOW_TOPIC_PREFIX ?? "edgeflow");
  const codec = await createAvroCodec({ registry, topic: topics.events, avroSchema: BikeCountEventAvro, schema: BikeCountEvent });
  if (brokers && !embeddedDir) {
    const kafka = createKafka({ brokers: brokers.split(","), clientId: "edgeflow-produce" });
    await ensureTopics(kafka, [{ topic: topics.events, numPartitions: 4 }]);
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    return {
      label: `Kafka ${brokers} topic ${topics.events}`,
      async send(events) {
        const messages = await Promise.all(events.map(async (e) => ({ key: e.counterId, value: await codec.serialize(e) })));
        await producer.send({ topic: topics.events, acks: -1, messages });
      },
      close: () => producer.disconnect(),
    };
  }
  const dir = embeddedDir ?? join(edgeflowHome(), "embedded", "bike-traffic");
  const rt = EmbeddedRuntime.open({ dir, dlqTopic: topics.dlq });
  const stream = { topic: topics.events, codec };
  return {
    label: `embedded log ${dir} topic ${topics.events}`,
    async send(events) {
      for (const e of events) await rt.produce(stream, e.counterId, e);
      await rt.drain(); // commits the appends
    },
    close: () => rt.stop(),
  };
}
