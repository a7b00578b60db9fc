// Two fixes to kafkajs 2.2.4 (the last release) that large transactional batches need.
//
// 1. Its producer groups a request's messages by partition with `[...current, message]`
//    per message: quadratic in the messages bound for one partition. A scorer batch of
//    10,000 predictions (all of one input partition) copies ~50M array slots and makes
//    as many arrays of garbage; it was a fifth of the stream worker's CPU profile with the
//    garbage collection it caused (upstream: tulios/kafkajs#1576, never merged). We put a
//    linear version with the same result in Node's require cache before kafkajs loads,
//    so kafkajs' sendMessages picks ours up.
// 2. Its protocol encoder allocates as if bytes were free: a zero-filled 512-byte buffer per
//    record, a temporary array and Buffer per varint, 64-bit Long objects per varlong,
//    zero-filled regrowth. The record encoder is replaced (require cache, like 1.) by one
//    that writes each record into a buffer of its exact size, and the Encoder's varint,
//    varlong, array and growth methods are patched to write in place. Same bytes, tested
//    against kafkajs' own encoder in a separate, unpatched process.
//    Its record batch checksum (CRC32C) goes a byte at a time through one table; ours is the
//    same checksum eight bytes at a time (slicing-by-8).
// 3. Its cluster looks up a coordinator (FindCoordinator, a broker round trip) every time it
//    needs one: a transaction asked four times — for AddPartitionsToTxn, AddOffsetsToTxn,
//    TxnOffsetCommit and EndTxn — so nine round trips per batch instead of five. Lookups
//    (the coordinator's node id; the connection is still taken from the broker pool) are
//    cached for COORDINATOR_TTL_MS, a failed one not at all: after a coordinator moves,
//    kafkajs' retrier gets NOT_COORDINATOR for at most that long before the next lookup.
// 4. Its default partitioner hashes keys with murmur2 over an emulated 64-bit Long (and
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
const recordPath = require.resolve("kafkajs/src/protocol/recordBatch/record/v0/index.js");
const produceRequestPath = require.resolve("kafkajs/src/protocol/requests/produce/v3/request.js");
const crcPath = require.resolve("kafkajs/src/protocol/recordBatch/crc32C/index.js");

// kafkajs' Encoder, as far as these fixes use it.
interface KEncoder {
  buf: Buffer;
  offset: number;
  ensureAvailable(length: number): void;
  writeInt8(v: number): KEncoder;
  writeVarInt(v: number): KEncoder;
  writeUVarInt(v: number): KEncoder;
  writeVarLong(v: unknown): KEncoder;
  writeVarIntBytes(v: unknown): KEncoder;
  writeVarIntArray(a: unknown[], type?: string): KEncoder;
  writeEncoderArray(a: KEncoder[]): KEncoder;
}
interface KEncoderClass {
  prototype: KEncoder;
  nextPowerOfTwo(v: number): number;
  sizeOfVarInt(v: number): number;
  sizeOfVarLong(v: unknown): number;
  sizeOfVarIntBytes(v: unknown): number;
}
type RecordEncoder = (r: { offsetDelta?: number; timestampDelta?: number; key?: unknown; value?: unknown; headers?: Record<string, unknown> }) => KEncoder;

function cacheModule(path: string, exports: unknown): void {
  const m = new Module(path);
  m.filename = path;
  m.loaded = true;
  m.exports = exports;
  require.cache[path] = m;
}

const INT31 = 0x7fffffff;
const smallInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= -INT31 - 1 && v <= INT31;

function sizeOfUVarInt32(u: number): number {
  let bytes = 1;
  while ((u & 0xffffff80) !== 0) {
    bytes += 1;
    u >>>= 7;
  }
  return bytes;
}

function patchEncoder(Encoder: KEncoderClass): void {
  const proto = Encoder.prototype;
  const originalVarLong = proto.writeVarLong;
  const originalSizeOfVarLong = Encoder.sizeOfVarLong.bind(Encoder);
  proto.ensureAvailable = function (this: KEncoder, length: number) {
    if (this.offset + length > this.buf.length) {
      const next = Buffer.allocUnsafe(Encoder.nextPowerOfTwo(this.offset + length));
      this.buf.copy(next, 0, 0, this.offset);
      this.buf = next;
    }
  };
  proto.writeUVarInt = function (this: KEncoder, value: number) {
    if (this.offset + 5 > this.buf.length) this.ensureAvailable(sizeOfUVarInt32(value));
    const buf = this.buf;
    let o = this.offset;
    while ((value & 0xffffff80) !== 0) {
      buf[o++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    buf[o++] = value & 0x7f;
    this.offset = o;
    return this;
  };
  proto.writeVarLong = function (this: KEncoder, value: unknown) {
    // A 32-bit value's zigzag fits 32 unsigned bits: the same bytes as kafkajs' Long path.
    if (!smallInt(value)) return originalVarLong.call(this, value);
    return this.writeUVarInt(((value << 1) ^ (value >> 31)) >>> 0);
  };
  Encoder.sizeOfVarLong = (value: unknown) => (smallInt(value) ? sizeOfUVarInt32(((value << 1) ^ (value >> 31)) >>> 0) : originalSizeOfVarLong(value));
  proto.writeEncoderArray = function (this: KEncoder, value: KEncoder[]) {
    if (!Array.isArray(value)) throw new Error("all values should be an instance of Encoder[]");
    let total = 0;
    for (const v of value) {
      if (v == null || !Buffer.isBuffer(v.buf)) throw new Error("all values should be an instance of Encoder[]");
      total += v.offset;
    }
    this.ensureAvailable(total);
    for (const v of value) {
      v.buf.copy(this.buf, this.offset, 0, v.offset);
      this.offset += v.offset;
    }
    return this;
  };
}

function fastRecord(Encoder: KEncoderClass, original: RecordEncoder): RecordEncoder {
  return (record) => {
    const { offsetDelta = 0, timestampDelta = 0, key, value, headers } = record;
    // Headers are rare on our hot paths (dead letters): kafkajs' own code writes them.
    if (headers && Object.keys(headers).length > 0) return original(record);
    const sizeOfBody = 1 + Encoder.sizeOfVarLong(timestampDelta) + Encoder.sizeOfVarInt(offsetDelta) + Encoder.sizeOfVarIntBytes(key) + Encoder.sizeOfVarIntBytes(value) + 1;
    const e = Object.create(Encoder.prototype) as KEncoder;
    e.buf = Buffer.allocUnsafe(Encoder.sizeOfVarInt(sizeOfBody) + sizeOfBody);
    e.offset = 0;
    return e
      .writeVarInt(sizeOfBody)
      .writeInt8(0)
      .writeVarLong(timestampDelta)
      .writeVarInt(offsetDelta)
      .writeVarIntBytes(key)
      .writeVarIntBytes(value)
      .writeVarInt(0); // no headers
  };
}

// CRC32C (Castagnoli, reflected polynomial 0x82f63b78), slicing-by-8.
const CRC = new Int32Array(8 * 256);
for (let i = 0; i < 256; i++) {
  let c = i;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  CRC[i] = c;
}
for (let i = 0; i < 256; i++) for (let t = 1; t < 8; t++) CRC[t * 256 + i] = (CRC[(t - 1) * 256 + i]! >>> 8) ^ CRC[CRC[(t - 1) * 256 + i]! & 0xff]!;

export function crc32c(buf: Uint8Array): number {
  let crc = -1;
  let i = 0;
  const n = buf.length;
  const T = CRC;
  for (; n - i >= 8; i += 8) {
    const a = crc ^ (buf[i]! | (buf[i + 1]! << 8) | (buf[i + 2]! << 16) | (buf[i + 3]! << 24));
    crc =
      T[1792 + (a & 0xff)]! ^
      T[1536 + ((a >>> 8) & 0xff)]! ^
      T[1280 + ((a >>> 16) & 0xff)]! ^
      T[1024 + (a >>> 24)]! ^
      T[768 + buf[i + 4]!]! ^
      T[512 + buf[i + 5]!]! ^
      T[256 + buf[i + 6]!]! ^
      T[buf[i + 7]!]!;
  }
  for (; i < n; i++) crc = T[(crc ^ buf[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

export const COORDINATOR_TTL_MS = 2_000;

interface KCluster {
  findGroupCoordinatorMetadata(args: { groupId: string; coordinatorType?: number }): Promise<unknown>;
}

function cacheCoordinators(Cluster: { prototype: KCluster }): void {
  const proto = Cluster.prototype;
  const find = proto.findGroupCoordinatorMetadata;
  const caches = new WeakMap<KCluster, Map<string, { at: number; value: Promise<unknown> }>>();
  proto.findGroupCoordinatorMetadata = function (this: KCluster, args) {
    let cache = caches.get(this);
    if (!cache) caches.set(this, (cache = new Map()));
    const key = `${args.coordinatorType ?? 0}:${args.groupId}`;
    const hit = cache.get(key);
    if (hit && Date.now() - hit.at < COORDINATOR_TTL_MS) return hit.value;
    const value = find.call(this, args);
    const entry = { at: Date.now(), value };
    cache.set(key, entry);
    value.catch(() => cache.get(key) === entry && cache.delete(key));
    return value;
  };
}

function install(): boolean {
  const cached = require.cache[groupPath];
  if (cached?.exports === groupMessagesPerPartition) return true;
  // kafkajs already loaded before this module: its producer holds the originals.
  if (require.cache[sendMessagesPath] || require.cache[produceRequestPath]) return false;
  cacheModule(groupPath, groupMessagesPerPartition);
  const Encoder = require("kafkajs/src/protocol/encoder.js") as KEncoderClass;
  const originalRecord = require(recordPath) as RecordEncoder;
  patchEncoder(Encoder);
  cacheModule(recordPath, fastRecord(Encoder, originalRecord));
  if (!require.cache[crcPath]) cacheModule(crcPath, crc32c);
  cacheCoordinators(require("kafkajs/src/cluster/index.js") as { prototype: KCluster });
  return true;
}

const installed = install();

/** Whether kafkajs' producer uses the fixed code (false if kafkajs was loaded first). */
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
