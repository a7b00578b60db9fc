import { describe, expect, it } from "vitest";
import {
  BikeCountEvent,
  BikeCountEventAvro,
  DecodeError,
  SchemaViolation,
  bikeCountEventAccepts,
  bikeEventId,
  createAvroCodec,
  createRegistryClient,
} from "../../../schemas/index.ts";
import { AvroDeserializer, AvroSerializer, SerdeType } from "@confluentinc/schemaregistry";

const good = {
  counterId: "100057445-103057445",
  siteId: "100057445",
  timestamp: Date.UTC(2020, 8, 1, 7),
  count: 412,
  latitude: 48.86377,
  longitude: 2.35096,
};

async function codec(topic = "events.bike-traffic") {
  return createAvroCodec({ registry: createRegistryClient("mock://"), topic, avroSchema: BikeCountEventAvro, schema: BikeCountEvent });
}

describe("BikeCountEvent", () => {
  it("declares the same fields in zod and in Avro, in the same order", () => {
    expect(BikeCountEventAvro.fields.map((f) => f.name)).toEqual(Object.keys(BikeCountEvent.shape));
  });

  it("names each offending field of an invalid event", () => {
    const result = BikeCountEvent.safeParse({ ...good, count: -3, latitude: 91, extra: 1 });
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map((i) => i.path.join(".") || i.message);
    expect(paths).toContain("count");
    expect(paths).toContain("latitude");
    expect(JSON.stringify(result.error!.issues)).toContain("extra");
  });

  it("gives an event id made of the counter and the hour in UTC", () => {
    expect(bikeEventId(good)).toBe("100057445-103057445@2020-09-01T07:00:00.000Z");
  });
});

describe("Avro codec over the Schema Registry client (mock://)", () => {
  it("round-trips an event in Confluent wire format with the registered schema id", async () => {
    const c = await codec();
    const bytes = await c.serialize(good);
    expect(bytes[0]).toBe(0);
    expect(bytes.readInt32BE(1)).toBe(c.schemaId);
    expect(await c.deserialize(bytes)).toEqual(good);
  });

  it("refuses to serialize a malformed record with an error naming the field", async () => {
    const c = await codec();
    const error = await c.serialize({ ...good, count: 1.5 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaViolation);
    expect((error as SchemaViolation).code).toBe("SCHEMA_VIOLATION");
    expect((error as SchemaViolation).issues.map((i) => i.path)).toEqual(["count"]);
    expect((error as Error).message).toMatch(/count: count must be a whole number/);
  });

  it("refuses bytes that are not in wire format with a DecodeError", async () => {
    const c = await codec();
    const error = await c.deserialize(Buffer.from('{"count":1}')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DecodeError);
    expect((error as DecodeError).code).toBe("DECODE_FAILED");
  });

  it("refuses a truncated Avro body with a DecodeError", async () => {
    const c = await codec();
    const bytes = await c.serialize(good);
    const error = await c.deserialize(bytes.subarray(0, 9)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DecodeError);
  });

  it("rejects a decoded value that breaks the zod contract, naming the field", async () => {
    // Written by a producer that skipped validation: valid Avro, negative count.
    const registry = createRegistryClient("mock://");
    const topic = "events.lenient";
    const c = await createAvroCodec({ registry, topic, avroSchema: BikeCountEventAvro, schema: BikeCountEvent });
    const lenient = await createAvroCodec({ registry, topic, avroSchema: BikeCountEventAvro, schema: BikeCountEvent.loose() });
    const bytes = await lenient.serialize({ ...good, count: 5 });
    bytes.writeUInt8(0x09, bytes.length - 16 - 1); // zigzag 0x09 = -5 in the count field
    const error = await c.deserialize(bytes).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaViolation);
    expect((error as SchemaViolation).issues[0]!.path).toBe("count");
  });

  it("writes the same bytes as the official AvroSerializer and reads what it writes", async () => {
    const registry = createRegistryClient("mock://");
    const topic = "events.interop";
    const c = await createAvroCodec({ registry, topic, avroSchema: BikeCountEventAvro, schema: BikeCountEvent });
    const official = new AvroSerializer(registry, SerdeType.VALUE, { useSchemaId: c.schemaId, autoRegisterSchemas: false });
    const theirs = await official.serialize(topic, good);
    expect(Buffer.compare(await c.serialize(good), theirs)).toBe(0);
    expect(await c.deserialize(theirs)).toEqual(good);
    const reader = new AvroDeserializer(registry, SerdeType.VALUE, {});
    expect({ ...(await reader.deserialize(topic, await c.serialize(good))) }).toEqual(good);
  });

  it("serializeOwn writes the same bytes as serialize, refuses what Avro cannot carry, and skips the refinements", async () => {
    const c = await codec("events.own");
    expect(Buffer.compare(c.serializeOwn(good), await c.serialize(good))).toBe(0);
    // Values larger than the encoder's scratch buffer, many in a row: each its own bytes.
    const big = { ...good, counterId: "x".repeat(100_000) };
    const a = c.serializeOwn(big);
    const b = c.serializeOwn(good);
    expect(await c.deserialize(a)).toEqual(big);
    expect(await c.deserialize(b)).toEqual(good);
    // A wrong type cannot reach the wire; the error names the field as serialize's does.
    const error = (() => {
      try {
        c.serializeOwn({ ...good, count: "many" as unknown as number });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(SchemaViolation);
    expect((error as SchemaViolation).issues[0]!.path).toBe("count");
    // A refinement (count ≥ 0) is not re-checked for the platform's own values…
    const negative = c.serializeOwn({ ...good, count: -5 });
    // …and a consumer still refuses it on the way in.
    await expect(c.deserialize(negative)).rejects.toBeInstanceOf(SchemaViolation);
  });

  it("has a fast check that accepts only what the zod schema accepts", async () => {
    const specials = [0, -0, -1, 0.5, 1e15, -1e15, Number.NaN, Infinity, -Infinity, 90.0001, -90.0001, 180.0001, -180.0001, 2 ** 31, Date.UTC(1999, 11, 31), Date.UTC(2100, 0, 1), Date.UTC(2100, 0, 1) + 1, "", "x", null, undefined, true, {}];
    let accepted = 0;
    for (const field of Object.keys(good)) {
      for (const v of specials) {
        const e = { ...good, [field]: v } as unknown as BikeCountEvent;
        const fast = bikeCountEventAccepts(e);
        const zod = BikeCountEvent.safeParse(e).success;
        if (fast) {
          accepted += 1;
          expect(zod, `${field} = ${String(v)}`).toBe(true);
        }
      }
    }
    expect(accepted).toBeGreaterThan(10);
    expect(bikeCountEventAccepts({ ...good, extra: 1 } as unknown as BikeCountEvent)).toBe(false);
    // Real events take the fast path; the codec still refuses a bad one with zod's reasons.
    const c = await codec("events.fast");
    expect(bikeCountEventAccepts(good as BikeCountEvent)).toBe(true);
    const fastCodec = await createAvroCodec({ registry: createRegistryClient("mock://"), topic: "events.fast", avroSchema: BikeCountEventAvro, schema: BikeCountEvent, accepts: bikeCountEventAccepts });
    expect(await fastCodec.deserialize(await c.serialize(good))).toEqual(good);
    const bad = c.serializeOwn({ ...good, count: -5 });
    const error = await fastCodec.deserialize(bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaViolation);
    expect((error as SchemaViolation).issues[0]!.path).toBe("count");
  });

  it("decodes a message written with an older schema version through schema resolution", async () => {
    const registry = createRegistryClient("mock://");
    const topic = "events.evolving";
    // v1 had no siteId; v2 (ours) adds it with a default.
    const v1 = { ...BikeCountEventAvro, fields: BikeCountEventAvro.fields.filter((f) => f.name !== "siteId") };
    const v2 = {
      ...BikeCountEventAvro,
      fields: BikeCountEventAvro.fields.map((f) => (f.name === "siteId" ? { ...f, default: "unknown" } : f)),
    };
    const old = await createAvroCodec({ registry, topic, avroSchema: v1, schema: BikeCountEvent.omit({ siteId: true }) });
    const current = await createAvroCodec({ registry, topic, avroSchema: v2, schema: BikeCountEvent });
    expect(current.schemaId).not.toBe(old.schemaId);
    const { siteId: _drop, ...withoutSite } = good;
    expect(await current.deserialize(await old.serialize(withoutSite))).toEqual({ ...good, siteId: "unknown" });
  });
});

