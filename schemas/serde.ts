// Avro serialization in the Confluent wire format (magic byte, 4-byte schema id, Avro body)
// through the official @confluentinc/schemaregistry client. `mock://` gives the client's
// in-memory registry (tests, embedded runtime); a real http(s) URL works unchanged.
//
// Every value is parsed by its zod schema on both sides, so a bad value is refused with
// the offending field named, before it reaches the wire and after it leaves it.
import {
  AvroDeserializer,
  AvroSerializer,
  SchemaRegistryClient,
  SerdeType,
  type Client,
} from "@confluentinc/schemaregistry";
import type { z } from "zod";
import { DecodeError, SchemaViolation } from "./errors.ts";
import { issuesOf } from "./zod-issues.ts";

export type RegistryClient = Client;

export function createRegistryClient(url: string): RegistryClient {
  return SchemaRegistryClient.newClient({ baseURLs: [url], cacheCapacity: 1000 });
}

export interface Codec<T> {
  readonly topic: string;
  readonly schemaId: number;
  serialize(value: T): Promise<Buffer>;
  deserialize(bytes: Buffer): Promise<T>;
}

export interface CodecOptions<S extends z.ZodType> {
  registry: RegistryClient;
  topic: string;
  avroSchema: object;
  schema: S;
}

/** Registers the value schema under `<topic>-value` (idempotent) and returns a codec for it. */
export async function createAvroCodec<S extends z.ZodType>(options: CodecOptions<S>): Promise<Codec<z.infer<S>>> {
  const { registry, topic, avroSchema, schema } = options;
  const subject = `${topic}-value`;
  const schemaId = await registry.register(subject, { schemaType: "AVRO", schema: JSON.stringify(avroSchema) }, false);
  const serializer = new AvroSerializer(registry, SerdeType.VALUE, { useSchemaId: schemaId, autoRegisterSchemas: false });
  const deserializer = new AvroDeserializer(registry, SerdeType.VALUE, {});

  return {
    topic,
    schemaId,
    async serialize(value) {
      const parsed = schema.safeParse(value);
      if (!parsed.success) throw new SchemaViolation(`${topic} value`, issuesOf(parsed.error));
      try {
        return await serializer.serialize(topic, parsed.data);
      } catch (error) {
        throw new SchemaViolation(`${topic} value`, [{ path: "", message: (error as Error).message }], error);
      }
    },
    async deserialize(bytes) {
      if (bytes.length < 5 || bytes[0] !== 0) {
        throw new DecodeError(`${topic} value`, "not in Confluent wire format (magic byte 0 + schema id)");
      }
      let decoded: unknown;
      try {
        decoded = await deserializer.deserialize(topic, bytes);
      } catch (error) {
        throw new DecodeError(`${topic} value`, `Avro decoding failed: ${(error as Error).message}`, error);
      }
      const parsed = schema.safeParse(plain(decoded));
      if (!parsed.success) throw new SchemaViolation(`${topic} value`, issuesOf(parsed.error));
      return parsed.data;
    },
  };
}

// avsc decodes records into class instances; zod's strict objects want plain ones.
function plain(value: unknown): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value) || Buffer.isBuffer(value)) return value;
  return { ...(value as Record<string, unknown>) };
}
