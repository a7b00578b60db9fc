// Builds the kafkajs client with our structured logger, and the admin helpers the runtime
// and the tools share (ensuring topics exist with the partition count we want).
import { createRequire } from "node:module";
import { setTimeout as sleep } from "node:timers/promises";
import type { ITopicConfig, LogEntry, ProducerConfig } from "kafkajs";
import { Kafka, fastDefaultPartitioner, logLevel } from "./kafkajs.ts";
import { createLogger } from "../log.ts";

const log = createLogger("kafka");

// Protocol errors kafkajs retries by design and logs at error level on the way: the broker's
// messages for these types (kafkajs logs the message, not the type). CONCURRENT_TRANSACTIONS:
// the broker is still writing the previous transaction's markers when the next one starts;
// kafkajs retries it, as the Java client does.
const RETRIED_BY_DESIGN = new Set(["CONCURRENT_TRANSACTIONS"]);
const protocolErrors = createRequire(import.meta.url)("kafkajs/src/protocol/error.js") as {
  errorCodes: Array<{ type: string; message: string }>;
  /** UNKNOWN_TOPIC_OR_PARTITION, LEADER_NOT_AVAILABLE, NOT_LEADER_FOR_PARTITION: metadata not caught up yet. */
  staleMetadata(error: { type?: string }): boolean;
};
const retriedMessages = protocolErrors.errorCodes
  .filter((e) => RETRIED_BY_DESIGN.has(e.type))
  .map((e) => e.message);
const isRetriedByDesign = (text: string) => retriedMessages.some((m) => text.includes(m));

function kafkaLogCreator() {
  return ({ namespace, level, log: entry }: LogEntry) => {
    const { message, ...rest } = entry;
    const fields = { namespace, ...rest };
    // kafkajs logs every error response of the protocol (rebalancing, coordinator loading,
    // unknown partition during topic creation) before retrying it; the retry's outcome is
    // what matters, so those go to debug.
    if (namespace === "Connection" && message.startsWith("Response ")) log.debug(message, fields);
    else if (isRetriedByDesign(message) || (typeof rest.error === "string" && isRetriedByDesign(rest.error))) log.debug(message, fields);
    // Our idempotent producers are transactional, with bounded retries on purpose: a send that
    // runs out of retries aborts its transaction and the whole batch is redone, so no
    // duplicate is ever committed (docs/streaming.md). kafkajs warns about the bound anyway.
    else if (namespace === "Producer" && message.startsWith("Limiting retries for the idempotent producer")) log.debug(message, fields);
    else if (level === logLevel.ERROR) log.error(message, fields);
    else if (level === logLevel.WARN) log.warn(message, fields);
    else if (level === logLevel.INFO) log.debug(message, fields);
  };
}

export interface KafkaOptions {
  brokers: string[];
  clientId: string;
}

/**
 * A kafkajs client whose producers partition like the Java client (murmur2 of the key), so a
 * key lands on the same partition whichever client produced it, with the same algorithm on
 * 32-bit arithmetic instead of kafkajs' emulated 64-bit one (kafkajs-fixes.ts).
 */
class EdgeflowKafka extends Kafka {
  override producer(config: ProducerConfig = {}) {
    return super.producer({ createPartitioner: fastDefaultPartitioner, ...config });
  }
}

export function createKafka({ brokers, clientId }: KafkaOptions): Kafka {
  process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= "1";
  return new EdgeflowKafka({
    clientId,
    brokers,
    logLevel: logLevel.WARN,
    logCreator: () => kafkaLogCreator(),
    retry: { initialRetryTime: 100, retries: 8 },
  });
}

export interface EnsureTopicsOptions {
  /** How long to wait for every partition of the created topics to have a leader. */
  timeoutMs?: number;
  /** Pause between metadata polls while waiting. */
  pollMs?: number;
}

/**
 * Creates the topics that are missing (existing ones are left as they are) and returns once
 * every partition of each created topic has a leader that answers, so a producer or consumer
 * that starts right after does not meet "This server does not host this topic-partition".
 * kafkajs' own waitForLeaders retries only LEADER_NOT_AVAILABLE, but right after CreateTopics
 * a KRaft broker can answer UNKNOWN_TOPIC_OR_PARTITION until the controller's record reaches
 * it (tulios/kafkajs#815), and it does not wait at all when another caller created the topics.
 */
export async function ensureTopics(kafka: Kafka, topics: ITopicConfig[], { timeoutMs = 30_000, pollMs = 100 }: EnsureTopicsOptions = {}): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.topic));
    if (missing.length === 0) return;
    // false when another process created them first (TOPIC_ALREADY_EXISTS): wait all the same.
    await admin.createTopics({ topics: missing, waitForLeaders: false });
    const deadline = Date.now() + timeoutMs;
    let notReady = "";
    for (;;) {
      try {
        const { topics: meta } = await admin.fetchTopicMetadata({ topics: missing.map((t) => t.topic) });
        const lagging = missing.filter((want) => {
          const got = meta.find((m) => m.name === want.topic);
          if (!got || got.partitions.length === 0) return true;
          if (want.numPartitions !== undefined && want.numPartitions > 0 && got.partitions.length < want.numPartitions) return true;
          return got.partitions.some((p) => p.leader < 0);
        });
        if (lagging.length > 0) {
          notReady = `no leader yet for ${lagging.map((t) => t.topic).join(", ")}`;
        } else {
          // The metadata can name a leader before that broker acts as one (a produce then
          // gets NOT_LEADER_OR_FOLLOWER): ListOffsets is answered by the leader itself.
          for (const t of missing) await admin.fetchTopicOffsets(t.topic);
          return;
        }
      } catch (err) {
        // kafkajs may have retried it itself first, and then wraps it.
        const cause = (err as { originalError?: unknown }).originalError ?? err;
        if (!protocolErrors.staleMetadata(cause as { type?: string })) throw err;
        notReady = `${(cause as { type: string }).type}: ${(cause as Error).message}`;
      }
      if (Date.now() >= deadline) {
        throw new Error(`topics ${missing.map((t) => t.topic).join(", ")} were created but not ready after ${timeoutMs} ms (${notReady})`);
      }
      await sleep(pollMs);
    }
  } finally {
    await admin.disconnect();
  }
}
