// Reads a topic on a throw-away consumer group — read_committed, from the beginning — until
// every partition asked for is done, then leaves and deletes the group. What "done" means is
// the caller's: a marker seen (changelog restore), or an end offset passed (topic scans).
import type { Batch, Consumer, Kafka } from "kafkajs";

export interface ReadUntilDoneOptions {
  kafka: Kafka;
  topic: string;
  groupId: string;
  partitions: Iterable<number>;
  /** What the read is, for the timeout's message ("state restore from <topic>"). */
  what: string;
  timeoutMs: number;
  maxWaitTimeInMs: number;
  /** One fetched batch of a partition not yet done; call `done(partition)` when it is. */
  eachBatch(batch: Batch, done: (partition: number) => void): Promise<void> | void;
  /**
   * After every fetched batch of a partition not yet done — also a batch holding only
   * transaction markers, which read_committed never hands to eachBatch as messages.
   */
  afterBatch?(partition: number, lastOffset: string, done: (partition: number) => void): void;
  /** Once the consumer runs (to seek, say). */
  started?(consumer: Consumer): void;
}

export async function readUntilDone(o: ReadUntilDoneOptions): Promise<void> {
  const pending = new Set(o.partitions);
  if (pending.size === 0) return;
  const consumer = o.kafka.consumer({ groupId: o.groupId, readUncommitted: false, maxWaitTimeInMs: o.maxWaitTimeInMs, maxBytes: 16 * 1024 * 1024 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: o.topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${o.what} timed out waiting for partitions ${[...pending].join(", ")}`)), o.timeoutMs);
      const done = (partition: number) => {
        pending.delete(partition);
        if (pending.size === 0) {
          clearTimeout(timer);
          resolve();
        }
      };
      const afterBatch = o.afterBatch;
      if (afterBatch) {
        consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
          if (pending.has(payload.partition)) afterBatch(payload.partition, payload.lastOffset, done);
        });
      }
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            if (pending.has(batch.partition)) await o.eachBatch(batch, done);
          },
        })
        .then(() => o.started?.(consumer))
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
    const admin = o.kafka.admin();
    await admin.connect();
    await admin.deleteGroups([o.groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}
