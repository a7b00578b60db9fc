// Restores per-key state of some partitions from a compacted changelog topic. A marker is
// committed to each partition through the partition's transactional producer first (which
// has fenced any previous owner); reading with read_committed until each marker appears
// therefore yields every state change the previous owners committed, and nothing they did not.
import { randomUUID } from "node:crypto";
import type { Kafka, Producer } from "kafkajs";

const MARKER_KEY = "__edgeflow_restore_marker__";

export interface RestoreOptions {
  kafka: Kafka;
  topic: string;
  partitions: number[];
  producerFor(partition: number): Promise<Producer>;
  groupPrefix: string;
  timeoutMs?: number;
}

export async function restoreFromChangelog<S>(options: RestoreOptions): Promise<Map<number, Map<string, S>>> {
  const { kafka, topic, partitions, producerFor } = options;
  const marker = randomUUID();
  for (const partition of partitions) {
    const tx = await (await producerFor(partition)).transaction();
    try {
      await tx.send({ topic, messages: [{ key: MARKER_KEY, value: marker, partition }] });
      await tx.commit();
    } catch (error) {
      await tx.abort().catch(() => undefined);
      throw error;
    }
  }

  const state = new Map<number, Map<string, S>>(partitions.map((p) => [p, new Map()]));
  const pending = new Set(partitions);
  const groupId = `${options.groupPrefix}.${marker}`;
  const consumer = kafka.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 100, maxBytes: 16 * 1024 * 1024 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`state restore from ${topic} timed out waiting for partitions ${[...pending].join(", ")}`)),
        options.timeoutMs ?? 120_000,
      );
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            const p = batch.partition;
            if (!pending.has(p)) return;
            const entries = state.get(p)!;
            for (const m of batch.messages) {
              const key = m.key?.toString() ?? "";
              if (key === MARKER_KEY) {
                if (m.value?.toString() === marker) {
                  pending.delete(p);
                  break;
                }
                continue;
              }
              if (m.value === null) entries.delete(key);
              else entries.set(key, JSON.parse(m.value.toString()) as S);
            }
            if (pending.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
  return state;
}
