import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ModelEvent, ModelEventAvro, SchemaViolation, createAvroCodec, createRegistryClient } from "../../../schemas/index.ts";

const event = (over: Partial<ModelEvent> = {}): ModelEvent => ({
  eventId: randomUUID(),
  type: "rolled_back",
  model: "bike-next-hour",
  version: "1",
  alias: "champion",
  previousVersion: "2",
  modelSha256: "ab".repeat(32),
  featureSpecHash: "cd".repeat(32),
  reason: "RMSE regressed after promotion",
  at: Date.UTC(2026, 10, 23, 10),
  ...over,
});

async function codec() {
  return createAvroCodec({
    registry: createRegistryClient("mock://"),
    topic: `edgeflow.model-events.${randomUUID()}`,
    avroSchema: ModelEventAvro,
    schema: ModelEvent,
  });
}

describe("ModelEvent Avro codec", () => {
  it("round-trips an event with an alias and a previous version", async () => {
    const c = await codec();
    const e = event();
    expect(await c.deserialize(await c.serialize(e))).toEqual(e);
  });

  it("round-trips a registered event whose alias and previous version are null", async () => {
    const c = await codec();
    const e = event({ type: "registered", alias: null, previousVersion: null });
    expect(await c.deserialize(await c.serialize(e))).toEqual(e);
  });

  it("refuses an unknown event type and a non-UUID id before they reach the wire", async () => {
    const c = await codec();
    await expect(c.serialize({ ...event(), type: "deleted" } as unknown as ModelEvent)).rejects.toBeInstanceOf(SchemaViolation);
    await expect(c.serialize(event({ eventId: "42" }))).rejects.toThrow(/eventId: eventId must be a UUID/);
  });

  it("lists the same event types in zod and Avro", () => {
    const avroType = ModelEventAvro.fields.find((f) => f.name === "type")!.type as { symbols: readonly string[] };
    expect([...avroType.symbols]).toEqual(ModelEvent.shape.type.options);
  });
});
