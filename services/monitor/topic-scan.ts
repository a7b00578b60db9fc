// Reads a bounded range of a topic, for tools that look back over what the stream emitted
// (the drift report, the retrainer's training snapshot). Two sources behind one interface:
//
//   Kafka     every partition from the first offset whose log time is ≥ `sinceLogTime`
//             (or the start) up to its end offset *when the scan starts*, read_committed, on
//             a throw-away consumer group. A partition is done when the consumer has passed
//             its end offset — transaction markers included, which read_committed never
//             delivers as messages (kafkajs reports them as filtered batches).
//   embedded  the embedded runtime's committed log of the topic (`edgeflow start`'s
//             directory), read-only.
//
// `ranges` says exactly what was read (topic:partition:from-to), so a result built from a
// scan can name its input.
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Kafka } from "kafkajs";
import { DecodeError, SchemaViolation } from "../../schemas/index.ts";
import { createLogger, readUntilDone, TopicLog, type Stream } from "../../stream/runtime/index.ts";

const log = createLogger("topic-scan");

export interface ScannedRange {
  topic: string;
  partition: number;
  /** First offset read (inclusive) and end (exclusive). */
  from: string;
  to: string;
}

export interface ScanResult {
  ranges: ScannedRange[];
  records: number;
  /** Undecodable or invalid values skipped (they are in the DLQ's care upstream). */
  skipped: number;
}

export interface TopicScanner {
  readonly kind: "kafka" | "embedded";
  scan<T>(stream: Stream<T>, onValue: (value: T, partition: number) => void, options?: { sinceLogTime?: number }): Promise<ScanResult>;
}

export function describeRanges(ranges: ScannedRange[]): string {
  return ranges
    .filter((r) => r.from !== r.to)
    .map((r) => `${r.topic}:${r.partition}:${r.from}-${r.to}`)
    .join(",");
}

export function kafkaTopicScanner(kafka: Kafka, options: { timeoutMs?: number } = {}): TopicScanner {
  return {
    kind: "kafka",
    async scan(stream, onValue, scanOptions = {}) {
      const admin = kafka.admin();
      await admin.connect();
      let ends: Array<{ partition: number; offset: string; low: string }>;
      let starts: Map<number, bigint>;
      try {
        ends = await admin.fetchTopicOffsets(stream.topic);
        const since = scanOptions.sinceLogTime;
        starts = new Map(ends.map((e) => [e.partition, BigInt(e.low)]));
        if (since !== undefined) {
          for (const s of await admin.fetchTopicOffsetsByTimestamp(stream.topic, since)) {
            const o = BigInt(s.offset);
            if (o >= 0n) starts.set(s.partition, o > starts.get(s.partition)! ? o : starts.get(s.partition)!);
          }
        }
      } finally {
        await admin.disconnect();
      }
      const end = new Map(ends.map((e) => [e.partition, BigInt(e.offset)]));
      const ranges: ScannedRange[] = ends.map((e) => ({ topic: stream.topic, partition: e.partition, from: String(starts.get(e.partition)!), to: e.offset }));
      const pending = new Set(ends.filter((e) => starts.get(e.partition)! < BigInt(e.offset)).map((e) => e.partition));
      const result: ScanResult = { ranges, records: 0, skipped: 0 };
      if (pending.size === 0) return result;

      await readUntilDone({
        kafka,
        topic: stream.topic,
        groupId: `edgeflow-scan-${randomUUID()}`,
        partitions: pending,
        what: `scan of ${stream.topic}`,
        timeoutMs: options.timeoutMs ?? 300_000,
        maxWaitTimeInMs: 200,
        async eachBatch(batch) {
          const from = starts.get(batch.partition)!;
          const to = end.get(batch.partition)!;
          for (const m of batch.messages) {
            const offset = BigInt(m.offset);
            if (offset < from || offset >= to || m.value === null) continue;
            try {
              onValue(await stream.codec.deserialize(m.value), batch.partition);
              result.records += 1;
            } catch (error) {
              if (!(error instanceof DecodeError || error instanceof SchemaViolation)) throw error;
              result.skipped += 1;
            }
          }
        },
        // Done once past the end offset, transaction markers included.
        afterBatch(partition, lastOffset, done) {
          if (BigInt(lastOffset) + 1n >= end.get(partition)!) done(partition);
        },
        started(consumer) {
          for (const [partition, from] of starts) if (pending.has(partition) && from > 0n) consumer.seek({ topic: stream.topic, partition, offset: String(from) });
        },
      });
      if (result.skipped > 0) log.warn("undecodable records skipped", { topic: stream.topic, skipped: result.skipped });
      return result;
    },
  };
}

/** Reads the committed log of an embedded runtime directory without taking it over. */
export function embeddedTopicScanner(dir: string): TopicScanner {
  return {
    kind: "embedded",
    async scan(stream, onValue) {
      const manifestPath = join(dir, "manifest.json");
      if (!existsSync(manifestPath)) throw new Error(`${dir} holds no embedded runtime (no manifest.json): run \`edgeflow start\` first, or set KAFKA_BROKERS`);
      const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as { topics: Record<string, number> };
      const committed = manifest.topics[stream.topic] ?? 0;
      const result: ScanResult = { ranges: [{ topic: stream.topic, partition: 0, from: "0", to: String(committed) }], records: 0, skipped: 0 };
      const path = join(dir, "topics", `${stream.topic}.log`);
      if (committed === 0 || !existsSync(path)) return result;
      const topicLog = new ReadOnlyLog(stream.topic, path, committed);
      try {
        for (let pos = 0; pos < committed; ) {
          const batch = topicLog.read(pos, 20_000);
          if (batch.length === 0) break;
          for (const r of batch) {
            if (r.value === null) continue;
            try {
              onValue(await stream.codec.deserialize(r.value), 0);
              result.records += 1;
            } catch (error) {
              if (!(error instanceof DecodeError || error instanceof SchemaViolation)) throw error;
              result.skipped += 1;
            }
          }
          pos = batch.at(-1)!.next;
        }
      } finally {
        topicLog.close();
      }
      return result;
    },
  };
}

/**
 * TopicLog truncates bytes past the last commit when it opens a file — right for the runtime
 * that owns the file, wrong for a reader beside a running `edgeflow start`. This opens the
 * log at its current size (never truncating) and reads only up to the committed length.
 */
class ReadOnlyLog {
  private readonly log: TopicLog;
  constructor(
    topic: string,
    path: string,
    private readonly limit: number,
  ) {
    this.log = new TopicLog(topic, path, statSync(path).size);
  }

  read(from: number, max: number) {
    return this.log.read(from, max).filter((r) => r.next <= this.limit);
  }
  close(): void {
    this.log.close();
  }
}
