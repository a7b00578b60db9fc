// Runs a Processor as a Kafka consumer group with exactly-once consume → transform → produce.
//
// Each input partition number p has its own transactional producer, id `<processor>-p<p>`
// (the classic one-producer-per-partition scheme): whoever owns p next initialises the same
// transactional id, which fences the previous owner and aborts its open transaction, so a
// crashed or partitioned-away instance cannot commit outputs twice. Outputs, dead letters,
// state changes and the input offsets of a batch are committed in one transaction; a
// `read_committed` consumer sees each input's outputs exactly once.
//
// Per-key state lives in memory and in a compacted changelog topic (one partition per input
// partition). On every assignment the owner restores its partitions from the changelog:
// it first commits a marker record through the partition's (fencing) producer, then reads
// the changelog until it meets its marker — everything committed before the fence is in.
// A changelog (not a rebuild from input) because state such as a week of counts per
// counter would otherwise need a week of input re-read on every rebalance.
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage, Message, Producer } from "kafkajs";
import { createLogger } from "../log.ts";
import { runBatchStep } from "../batch-step.ts";
import { batchAborts, batchDuration, streamEmitted, streamRecords } from "../metrics.ts";
import type { Processor, ProcessorStats, RunningProcessor } from "../processor.ts";
import { OverlayStateStore } from "../state.ts";
import { CoPartitionAssigner } from "./co-partition-assigner.ts";
import { ensureTopics } from "./client.ts";
import { restoreFromChangelog } from "./changelog-restore.ts";

export interface KafkaRuntimeOptions {
  kafka: Kafka;
  dlqTopic: string;
  /** Partitions for topics this runtime creates (outputs, changelog) when missing. */
  partitions?: number;
  /** Keep per-key state in a changelog topic (default true). */
  changelog?: boolean;
  /** Upper bound on how long a fetch waits for data; bounds latency when traffic is low. */
  maxWaitMs?: number;
  /**
   * Input partitions processed at the same time (default 1). Each partition number has its
   * own transactional producer and state store, so their transactions can overlap; on two
   * cores shared with the broker, 1 measured fastest (see bench/stream/README.md).
   */
  concurrency?: number;
  /** Called after each committed batch (tests, benchmarks). */
  onCommit?: (info: { partition: number; records: number; emitted: number }) => void;
}

const RUNTIME = "kafka";

export function changelogTopic(processorName: string): string {
  return `${processorName}.state-changelog`;
}

export async function runOnKafka<S>(processor: Processor<S>, options: KafkaRuntimeOptions): Promise<RunningProcessor> {
  const { kafka, dlqTopic } = options;
  const log = createLogger("kafka-runtime", { processor: processor.name });
  const partitions = options.partitions ?? 4;
  const useChangelog = options.changelog ?? true;
  const changelog = changelogTopic(processor.name);
  const outputs = Object.entries(processor.outputs);
  await ensureTopics(kafka, [
    ...processor.inputs.map((s) => ({ topic: s.topic, numPartitions: partitions })),
    ...outputs.map(([, s]) => ({ topic: s.topic, numPartitions: partitions })),
    { topic: dlqTopic, numPartitions: 1 },
    ...(useChangelog ? [{ topic: changelog, numPartitions: partitions, configEntries: [{ name: "cleanup.policy", value: "compact" }] }] : []),
  ]);

  const groupId = processor.name;
  const inputs = new Map(processor.inputs.map((s) => [s.topic, s]));
  const stores = new Map<number, OverlayStateStore<S>>();
  const producers = new Map<number, Producer>();
  const stats: ProcessorStats = { processed: 0, emitted: 0, deadLettered: 0, batches: 0 };
  let assigned: number[] = [];
  let restoreNeeded = true;
  let restoring: Promise<void> | null = null;
  const partitionTurns = new Map<number, Promise<void>>();

  const producerFor = async (partition: number): Promise<Producer> => {
    let p = producers.get(partition);
    if (!p) {
      p = kafka.producer({
        transactionalId: `${processor.name}-p${partition}`,
        idempotent: true,
        maxInFlightRequests: 1,
        transactionTimeout: 60_000,
        // A transaction that starts while the broker still writes the previous one's markers
        // gets CONCURRENT_TRANSACTIONS, retried after initialRetryTime: 25 ms (the Java
        // client uses 20 for this case) rather than the client's 100.
        retry: { retries: 10, initialRetryTime: 25 },
      });
      await p.connect(); // initialises the transactional id: fences any previous owner of p
      producers.set(partition, p);
    }
    return p;
  };

  const restore = async (): Promise<void> => {
    stores.clear();
    for (const p of assigned) stores.set(p, new OverlayStateStore<S>());
    if (!useChangelog || assigned.length === 0) return;
    const started = Date.now();
    const restored = await restoreFromChangelog<S>({
      kafka,
      topic: changelog,
      partitions: assigned,
      producerFor,
      groupPrefix: `${processor.name}.restore`,
    });
    for (const [p, entries] of restored) stores.get(p)!.load(entries);
    log.info("state restored", { partitions: assigned, keys: [...restored.values()].reduce((n, m) => n + m.size, 0), ms: Date.now() - started });
  };

  const consumer: Consumer = kafka.consumer({
    groupId,
    partitionAssigners: [CoPartitionAssigner],
    readUncommitted: false,
    maxWaitTimeInMs: options.maxWaitMs ?? 100,
    // Bigger fetches mean bigger batches, so fewer transactions (five round trips each) per event.
    maxBytesPerPartition: 4 * 1024 * 1024,
    maxBytes: 16 * 1024 * 1024,
    sessionTimeout: 30_000,
    heartbeatInterval: 3_000,
    rebalanceTimeout: 60_000,
  });
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    const set = new Set<number>();
    for (const parts of Object.values(payload.memberAssignment)) for (const p of parts) set.add(p);
    assigned = [...set].sort((a, b) => a - b);
    restoreNeeded = true;
    log.info("partitions assigned", { partitions: assigned, generation: payload.groupId });
  });

  await consumer.connect();
  for (const s of processor.inputs) await consumer.subscribe({ topic: s.topic, fromBeginning: true });

  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: options.concurrency ?? 1,
    eachBatch: async (payload) => {
      // Batches of the same partition number (several co-partitioned inputs) share a
      // transactional producer and a state store: they take turns.
      const p = payload.batch.partition;
      const previous = partitionTurns.get(p) ?? Promise.resolve();
      const turn = previous.then(() => processBatch(payload));
      partitionTurns.set(p, turn.catch(() => undefined));
      await turn;
    },
  });

  async function processBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    if (batch.messages.length === 0 || !isRunning() || isStale()) return;
    // After a (re)assignment, the first batch of any partition restores all of them; the
    // others wait for that one restore.
    while (restoreNeeded || restoring) {
      if (!restoring) {
        restoreNeeded = false;
        restoring = restore()
          .catch((error: unknown) => {
            restoreNeeded = true; // the next batch tries again
            throw error;
          })
          .finally(() => {
            restoring = null;
          });
      }
      await restoring;
    }
    const partition = batch.partition;
    const store = stores.get(partition) ?? new OverlayStateStore<S>();
    stores.set(partition, store);
    const timer = batchDuration.startTimer({ processor: processor.name, runtime: RUNTIME });
    try {
      const { records, emitted, dead } = await runBatchStep({
        processor,
        runtime: RUNTIME,
        store,
        input: inputs.get(batch.topic)!,
        messages: batch.messages,
        describe: (m: KafkaMessage) => ({ key: m.key, value: m.value, timestamp: Number(m.timestamp), partition, offset: m.offset }),
        log,
      });
      const byTopic = new Map<string, Message[]>();
      for (const e of emitted) {
        const stream = processor.outputs[e.output]!;
        const list = byTopic.get(stream.topic) ?? [];
        list.push({ key: e.key, value: stream.codec.serializeOwn(e.value) });
        byTopic.set(stream.topic, list);
      }
      if (dead.length > 0) byTopic.set(dlqTopic, dead.map((d) => ({ key: d.key, value: d.value, headers: d.headers })));
      if (useChangelog) {
        const changes = store.changes();
        if (changes.length > 0) {
          byTopic.set(
            changelog,
            changes.map(([key, v]) => ({ key, value: v === null ? null : Buffer.from(JSON.stringify(v)), partition })),
          );
        }
      }
      const last = batch.messages.at(-1)!.offset;
      const producer = await producerFor(partition);
      const tx = await producer.transaction();
      try {
        for (const request of chunkRequests(byTopic)) await tx.sendBatch({ topicMessages: request });
        await tx.sendOffsets({
          consumerGroupId: groupId,
          topics: [{ topic: batch.topic, partitions: [{ partition, offset: (BigInt(last) + 1n).toString() }] }],
        });
        await tx.commit();
      } catch (error) {
        await tx.abort().catch(() => undefined);
        throw error;
      }
      store.commit();
      resolveOffset(last);
      stats.batches += 1;
      stats.processed += records;
      stats.emitted += emitted.length;
      stats.deadLettered += dead.length;
      streamRecords.inc({ processor: processor.name, runtime: RUNTIME }, batch.messages.length);
      for (const [topic, msgs] of byTopic) {
        if (topic !== changelog && topic !== dlqTopic) streamEmitted.inc({ processor: processor.name, output: topic, runtime: RUNTIME }, msgs.length);
      }
      options.onCommit?.({ partition, records: batch.messages.length, emitted: emitted.length });
      timer();
      await heartbeat();
    } catch (error) {
      store.abort();
      batchAborts.inc({ processor: processor.name, runtime: RUNTIME });
      // A fenced producer belongs to an instance that lost the partition: drop it.
      const p = producers.get(partition);
      if (p && /fenc/i.test((error as Error).message)) {
        producers.delete(partition);
        await p.disconnect().catch(() => undefined);
      }
      log.error("batch failed; its transaction was aborted and it will be retried", { partition, error });
      throw error;
    }
  }

  let stopped = false;
  return {
    name: processor.name,
    stats: () => ({ ...stats }),
    async stop() {
      if (stopped) return;
      stopped = true;
      await consumer.disconnect(); // waits for the batch in flight to commit
      await Promise.all([...producers.values()].map((p) => p.disconnect().catch(() => undefined)));
      await processor.close?.();
    },
  };
}

/**
 * Splits a batch's outputs into requests that stay under the broker's default record batch
 * limit (message.max.bytes, 1 MiB, per partition; a request is kept under it in total): kafkajs puts a partition's messages of one request in
 * one record batch, and a 5,000-record input batch easily produces more than that.
 */
const MAX_REQUEST_BYTES = 896 * 1024;

function* chunkRequests(byTopic: Map<string, Message[]>): Generator<Array<{ topic: string; messages: Message[] }>> {
  let request: Array<{ topic: string; messages: Message[] }> = [];
  let bytes = 0;
  for (const [topic, messages] of byTopic) {
    let current: Message[] = [];
    request.push({ topic, messages: current });
    for (const m of messages) {
      const size = 64 + sizeOf(m.key) + sizeOf(m.value);
      if (bytes + size > MAX_REQUEST_BYTES && bytes > 0) {
        yield request;
        current = [];
        request = [{ topic, messages: current }];
        bytes = 0;
      }
      current.push(m);
      bytes += size;
    }
  }
  if (bytes > 0) yield request.filter((r) => r.messages.length > 0);
}

function sizeOf(v: Message["key"]): number {
  if (v === null || v === undefined) return 0;
  return typeof v === "string" ? Buffer.byteLength(v) : v.length;
}
