// Avro serialization in the Confluent wire format (magic byte, 4-byte schema id, Avro body)
// through the official @confluentinc/schemaregistry client. `mock://` gives the client's
// in-memory registry (tests, embedded runtime); a real http(s) URL works unchanged.
//
// Every value is parsed by its zod schema on both sides, so a bad value is refused with
// the offending field named, before it reaches the wire and after it leaves it.
import { SchemaRegistryClient, type Client } from "@confluentinc/schemaregistry";
import avro from "avsc";
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
  /** Validates `value` with the zod schema (every field and refinement), then encodes it. */
  serialize(value: T): Promise<Buffer>;
  /**
   * For values this platform's processors built (typed as T at compile time): checked
   * against the Avro schema — types, arity, nothing that could corrupt the wire — but not
   * re-run through the zod refinements, which cost as much as the encoding. A value that
   * fails the Avro check is refused with the zod schema's field-by-field reasons. The
   * runtimes use it for processor outputs; consumers still validate fully on deserialize.
   */
  serializeOwn(value: T): Buffer;
  deserialize(bytes: Buffer): Promise<T>;
}

export interface CodecOptions<S extends z.ZodType> {
  registry: RegistryClient;
  topic: string;
  avroSchema: object;
  schema: S;
  /**
   * A cheap check of a decoded value (Avro has already fixed its fields and types) that
   * implies `schema` accepts it: a value it passes skips the zod parse; any other value is
   * parsed by zod, which refuses it with its field-by-field reasons. For hot input topics.
   */
  accepts?: (decoded: z.infer<S>) => boolean;
}

/**
 * Registers the value schema under `<topic>-value` (idempotent) and returns a codec for it.
 *
 * The registry client does registration and lookups; the bytes are produced by avsc with
 * the registered schema, cached, in the same Confluent wire format the client's
 * AvroSerializer writes (tested byte for byte). The client's serializer resolves the schema
 * through async calls on every message, which caps a core at ~23k round trips/s; the cached
 * type does millions. Messages written with another schema id (an older or newer producer)
 * are decoded through the registry's copy of that writer schema, resolved to ours.
 */
export async function createAvroCodec<S extends z.ZodType>(options: CodecOptions<S>): Promise<Codec<z.infer<S>>> {
  const { registry, topic, avroSchema, schema, accepts } = options;
  const subject = `${topic}-value`;
  const schemaId = await registry.register(subject, { schemaType: "AVRO", schema: JSON.stringify(avroSchema) }, false);
  const type = avro.Type.forSchema(avroSchema as avro.Schema);
  const header = Buffer.from([0, 0, 0, 0, 0]);
  header.writeInt32BE(schemaId, 1);
  const resolvers = new Map<number, Promise<avro.Resolver>>();
  const resolverFor = (id: number): Promise<avro.Resolver> => {
    let r = resolvers.get(id);
    if (!r) {
      r = registry.getBySubjectAndId(subject, id).then((info) => type.createResolver(avro.Type.forSchema(JSON.parse(info.schema) as avro.Schema)));
      resolvers.set(id, r);
      r.catch(() => resolvers.delete(id));
    }
    return r;
  };

  // One scratch buffer the encoder writes into, grown when a value does not fit.
  let scratch = Buffer.allocUnsafe(64 * 1024);
  header.copy(scratch, 0);
  const encode = (value: unknown): Buffer => {
    let end: number;
    try {
      end = type.encode(value, scratch, 5);
      while (end < 0) {
        scratch = Buffer.allocUnsafe(2 * (scratch.length - end));
        header.copy(scratch, 0);
        end = type.encode(value, scratch, 5);
      }
    } catch (error) {
      throw new SchemaViolation(`${topic} value`, [{ path: "", message: (error as Error).message }], error);
    }
    const out = Buffer.allocUnsafe(end);
    scratch.copy(out, 0, 0, end);
    return out;
  };
  const refuse = (value: unknown): never => {
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw new SchemaViolation(`${topic} value`, issuesOf(parsed.error));
    throw new SchemaViolation(`${topic} value`, [{ path: "", message: "the value does not fit the topic's Avro schema" }]);
  };

  return {
    topic,
    schemaId,
    async serialize(value) {
      const parsed = schema.safeParse(value);
      if (!parsed.success) throw new SchemaViolation(`${topic} value`, issuesOf(parsed.error));
      return encode(parsed.data);
    },
    serializeOwn(value) {
      if (!type.isValid(value)) refuse(value);
      return encode(value);
    },
    async deserialize(bytes) {
      if (bytes.length < 5 || bytes[0] !== 0) {
        throw new DecodeError(`${topic} value`, "not in Confluent wire format (magic byte 0 + schema id)");
      }
      const id = bytes.readInt32BE(1);
      let decoded: unknown;
      try {
        const body = bytes.subarray(5);
        decoded = id === schemaId ? type.fromBuffer(body) : type.fromBuffer(body, await resolverFor(id));
      } catch (error) {
        throw new DecodeError(`${topic} value`, `Avro decoding failed (schema id ${id}): ${(error as Error).message}`, error);
      }
      const value = plain(decoded);
      if (accepts?.(value as z.infer<S>)) return value as z.infer<S>;
      const parsed = schema.safeParse(value);
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
