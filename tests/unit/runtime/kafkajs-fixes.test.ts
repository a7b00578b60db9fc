import { createRequire } from "node:module";
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { kafkajsFixesActive, murmur2 } from "../../../stream/runtime/index.ts";
import { fastDefaultPartitioner } from "../../../stream/runtime/kafka/kafkajs.ts";

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

});
