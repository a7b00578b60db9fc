// Two fixes to kafkajs 2.2.4 (the last release) that large transactional batches need.
//
// 1. Its producer groups a request's messages by partition with `[...current, message]`
//    per message: quadratic in the messages bound for one partition. A scorer batch of
//    10,000 predictions (all of one input partition) copies ~50M array slots and makes
//    as many arrays of garbage; it was a fifth of the stream worker's CPU profile with the
//    garbage collection it caused (upstream: tulios/kafkajs#1576, never merged). We put a
//    linear version with the same result in Node's require cache before kafkajs loads,
//    so kafkajs' sendMessages picks ours up.
// 2. Its default partitioner hashes keys with murmur2 over an emulated 64-bit Long (and
//    filters the partition list per message). `fastDefaultPartitioner` is the same
//    algorithm — Java's murmur2, so a key still lands where the Java client puts it — on
//    32-bit integer arithmetic; createKafka() makes it every producer's default.
import Module, { createRequire } from "node:module";
// Types only: a value import would load kafkajs before the fix is in place.
import type { ICustomPartitioner, Message, PartitionerArgs } from "kafkajs";

const require = createRequire(import.meta.url);

type Grouper = (args: PartitionerArgs & { messages: Message[]; partitioner: (a: PartitionerArgs) => number }) => Record<number, Message[]>;

function groupMessagesPerPartition({ topic, partitionMetadata, messages, partitioner }: Parameters<Grouper>[0]): Record<number, Message[]> {
  const result: Record<number, Message[]> = {};
  if (partitionMetadata.length === 0) return result;
  for (const message of messages) {
    const partition = partitioner({ topic, partitionMetadata, message });
    (result[partition] ??= []).push(message);
  }
  return result;
}

const groupPath = require.resolve("kafkajs/src/producer/groupMessagesPerPartition.js");
const sendMessagesPath = require.resolve("kafkajs/src/producer/sendMessages.js");

function install(): boolean {
  const cached = require.cache[groupPath];
  if (cached?.exports === groupMessagesPerPartition) return true;
  // kafkajs already loaded before this module: its producer holds the original.
  if (require.cache[sendMessagesPath]) return false;
  const m = new Module(groupPath);
  m.filename = groupPath;
  m.loaded = true;
  m.exports = groupMessagesPerPartition;
  require.cache[groupPath] = m;
  return true;
}

const installed = install();

/** Whether kafkajs' producer uses the linear grouping (false if kafkajs was loaded first). */
export function kafkajsFixesActive(): boolean {
  return installed && require.cache[groupPath]?.exports === groupMessagesPerPartition;
}

/** Java's murmur2 (org.apache.kafka.common.utils.Utils.murmur2) on 32-bit integers. */
export function murmur2(data: Buffer): number {
  const length = data.length;
  const m = 0x5bd1e995;
  let h = 0x9747b28c ^ length;
  const length4 = length >>> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = data[i4]! | (data[i4 + 1]! << 8) | (data[i4 + 2]! << 16) | (data[i4 + 3]! << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const tail = length & ~3;
  const rest = length & 3;
  if (rest === 3) h ^= data[tail + 2]! << 16;
  if (rest >= 2) h ^= data[tail + 1]! << 8;
  if (rest >= 1) {
    h ^= data[tail]!;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/**
 * kafkajs' DefaultPartitioner, same choices: an explicit partition wins; a key goes to
 * murmur2(key) mod partitions (as the Java client); no key → kafkajs' round robin.
 */
export const fastDefaultPartitioner: ICustomPartitioner = () => {
  const roundRobin = (require("kafkajs") as typeof import("kafkajs")).Partitioners.DefaultPartitioner();
  return (args) => {
    const { message, partitionMetadata } = args;
    if (message.partition !== null && message.partition !== undefined) return message.partition;
    const key = message.key;
    if (key === null || key === undefined) return roundRobin(args);
    const bytes = Buffer.isBuffer(key) ? key : Buffer.from(String(key));
    return (murmur2(bytes) & 0x7fffffff) % partitionMetadata.length;
  };
};
