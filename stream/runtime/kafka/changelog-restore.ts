// Restores per-key state of some partitions from a compacted changelog topic. A marker is
// committed to each partition through the partition's transactional producer first (which
// has fenced any previous owner); reading with read_committed until each marker appears
// therefore yields every state change the previous owners committed, and nothing they did not.
import { randomUUID } from "node:crypto";
import type { Kafka, Producer } from "kafkajs";
import { readUntilDone } from "./read-until-done.ts";

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
  await readUntilDone({
    kafka,
    topic,
    groupId: `${options.groupPrefix}.${marker}`,
    partitions,
    what: `state restore from ${topic}`,
    timeoutMs: options.timeoutMs ?? 120_000,
    maxWaitTimeInMs: 100,
    eachBatch(batch, done) {
      const entries = state.get(batch.partition)!;
      for (const m of batch.messages) {
        const key = m.key?.toString() ?? "";
        if (key === MARKER_KEY) {
          if (m.value?.toString() === marker) return done(batch.partition);
          continue;
        }
        if (m.value === null) entries.delete(key);
        else entries.set(key, JSON.parse(m.value.toString()) as S);
      }
    },
  });
  return state;
}
