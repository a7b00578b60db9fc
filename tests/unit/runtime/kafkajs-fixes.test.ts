import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { kafkajsFixesActive, murmur2 } from "../../../stream/runtime/index.ts";
import { fastDefaultPartitioner } from "../../../stream/runtime/kafka/kafkajs.ts";
import { crc32c } from "../../../stream/runtime/kafka/kafkajs-fixes.ts";

const require = createRequire(import.meta.url);

describe("kafkajs fixes", () => {
  it("kafkajs' producer groups messages with the linear version, same result as the original", () => {
    expect(kafkajsFixesActive()).toBe(true);
    const group = require("kafkajs/src/producer/groupMessagesPerPartition.js") as (a: unknown) => Record<number, Array<{ key: string }>>;
    const partitionMetadata = [0, 1, 2, 3].map((partitionId) => ({ partitionId, leader: 1 }));
    const messages = Array.from({ length: 1000 }, (_, i) => ({ key: `k${i % 37}`, value: String(i), partition: i % 3 === 0 ? 2 : undefined }));
    const partitioner = ({ message }: { message: { key: string; partition?: number } }) => message.partition ?? Number(message.key.slice(1)) % 4;
    const grouped = group({ topic: "t", partitionMetadata, messages, partitioner });
    // The original's result, computed the original's way.
    const expected: Record<number, unknown[]> = {};
    for (const m of messages) (expected[partitioner({ message: m })] ??= []).push(m);
    expect(grouped).toEqual(expected);
    expect(group({ topic: "t", partitionMetadata: [], messages, partitioner })).toEqual({});
  });

  it("crc32c is kafkajs' CRC32C on every length and alignment", () => {
    const reference = require("kafkajs/src/protocol/recordBatch/crc32C/crc32C.js") as (b: Buffer) => number;
    for (let n = 0; n < 300; n++) {
      const b = randomBytes(n * 7 + (n % 13));
      expect(crc32c(b)).toBe(reference(b) >>> 0);
      expect(crc32c(b.subarray(n % 5))).toBe(reference(b.subarray(n % 5)) >>> 0);
    }
    // The standard check value of CRC-32C.
    expect(crc32c(Buffer.from("123456789"))).toBe(0xe3069283);
  });

  it("murmur2 is kafkajs' (and Java's) murmur2 on every key length", () => {
    const reference = require("kafkajs/src/producer/partitioners/default/murmur2.js") as (k: Buffer) => number;
    for (let n = 0; n < 2000; n++) {
      const key = n < 1000 ? randomBytes(n % 41) : Buffer.from(`counter-${n}-${"é".repeat(n % 5)}`);
      expect(murmur2(key)).toBe(reference(key));
    }
    // Java's Utils.murmur2 of "21" — a fixed point the Java client agrees on.
    expect(murmur2(Buffer.from("21"))).toBe(-973932308);
  });

  it("the fast partitioner picks kafkajs' DefaultPartitioner's partition", async () => {
    const { Partitioners } = await import("kafkajs");
    const fast = fastDefaultPartitioner();
    const slow = Partitioners.DefaultPartitioner();
    const partitionMetadata = Array.from({ length: 12 }, (_, partitionId) => ({ partitionId, leader: 0, replicas: [0], isr: [0], partitionErrorCode: 0 }));
    for (let i = 0; i < 500; i++) {
      const message = { key: i % 2 ? `counter-${i}` : Buffer.from(`k${i}`), value: "v" };
      expect(fast({ topic: "t", partitionMetadata, message })).toBe(slow({ topic: "t", partitionMetadata, message }));
    }
    expect(fast({ topic: "t", partitionMetadata, message: { key: "x", value: "v", partition: 7 } })).toBe(7);
    const keyless = fast({ topic: "t", partitionMetadata, message: { value: "v" } });
    expect(keyless).toBeGreaterThanOrEqual(0);
    expect(keyless).toBeLessThan(12);
  });


  it("encodes records and produce requests byte for byte as unpatched kafkajs does", async () => {
    // Inputs that cover each patched path: varints and varlongs of every size and sign
    // (including past 32 bits), null / string / binary / multi-byte keys and values, big
    // values that make the request encoder grow, headers (kafkajs' own record code).
    const rnd = (n: number) => randomBytes(n).toString("base64");
    const messages = [
      { key: null, value: rnd(10), timestamp: "1700000000000" },
      { key: "counter-1", value: rnd(300), timestamp: "1700000000001" },
      { key: "ünïcødé-ключ", value: "a string value ✓", timestamp: "1699999999000" },
      { key: rnd(200), value: null, timestamp: "1700000000000" },
      { key: "k", value: rnd(70_000), timestamp: "1700000000000" },
      { key: "big-delta", value: rnd(5), timestamp: String(1700000000000 + 3_000_000_000) },
      { key: "neg-delta", value: rnd(5), timestamp: String(1700000000000 - 5_000_000) },
      { key: "h", value: rnd(20), timestamp: "1700000000000", headers: { "edgeflow.dlq.reason": "bad", b: ["1", "2"] } },
      ...Array.from({ length: 300 }, (_, i) => ({ key: `c${i % 25}`, value: rnd(1 + (i * 37) % 900), timestamp: String(1700000000000 + i * 997) })),
    ];
    const records = [0, 1, 63, 64, -64, -65, 8191, 8192, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, 2 ** 40 + 5, -(2 ** 35)].map((d, i) => ({
      offsetDelta: i * 1000,
      timestampDelta: d,
      key: i % 3 === 0 ? null : `key-${i}`,
      value: i % 4 === 0 ? null : rnd(i * 50),
    }));
    const script = `
      const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
      const fix = (o) => ({ ...o, key: o.key != null && input.binaryKeys.includes(o.key) ? Buffer.from(o.key, "base64") : o.key, value: o.value != null && input.binaryValues.includes(o.value) ? Buffer.from(o.value, "base64") : o.value });
      (async () => {
        const Record = require("kafkajs/src/protocol/recordBatch/record/v0");
        const Produce = require("kafkajs/src/protocol/requests/produce/v3/request.js");
        const records = input.records.map((r) => Record(fix(r)).buffer.toString("hex"));
        const req = Produce({ acks: -1, timeout: 30000, transactionalId: "tx-1", producerId: 7, producerEpoch: 2,
          topicData: [{ topic: "t", partitions: [{ partition: 3, firstSequence: 11, messages: input.messages.map(fix) }] }] });
        const produce = (await req.encode()).buffer.toString("hex");
        process.stdout.write(JSON.stringify({ records, produce }));
      })();`;
    const binaryKeys = [...messages.map((m) => m.key), ...records.map((r) => r.key)].filter((k): k is string => k !== null && !k.startsWith("c") && !/[^A-Za-z0-9+/=]/.test(k) && k.length > 20);
    const binaryValues = [...messages.map((m) => m.value), ...records.map((r) => r.value)].filter((v): v is string => v !== null && !v.includes(" "));
    const input = { records, messages, binaryKeys, binaryValues };
    const unpatched = JSON.parse(execFileSync(process.execPath, ["-e", script], { input: JSON.stringify(input), cwd: process.cwd(), maxBuffer: 64 << 20 }).toString()) as { records: string[]; produce: string };

    // This process: kafkajs loaded through stream/runtime, i.e. with the fixes.
    expect(kafkajsFixesActive()).toBe(true);
    const fix = (o: Record<string, unknown>) => ({ ...o, key: typeof o.key === "string" && binaryKeys.includes(o.key) ? Buffer.from(o.key, "base64") : o.key, value: typeof o.value === "string" && binaryValues.includes(o.value) ? Buffer.from(o.value, "base64") : o.value });
    const Record = require("kafkajs/src/protocol/recordBatch/record/v0") as (r: unknown) => { buffer: Buffer };
    const Produce = require("kafkajs/src/protocol/requests/produce/v3/request.js") as (a: unknown) => { encode(): Promise<{ buffer: Buffer }> };
    expect(records.map((r) => Record(fix(r)).buffer.toString("hex"))).toEqual(unpatched.records);
    const req = Produce({ acks: -1, timeout: 30000, transactionalId: "tx-1", producerId: 7, producerEpoch: 2, topicData: [{ topic: "t", partitions: [{ partition: 3, firstSequence: 11, messages: messages.map(fix) }] }] });
    const produce = (await req.encode()).buffer.toString("hex");
    expect(produce.length).toBeGreaterThan(2 * 100_000);
    expect(produce).toBe(unpatched.produce);
  });
});
