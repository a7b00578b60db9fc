// One input batch through a processor: the part the Kafka and the embedded runtime share.
// Each message is decoded with its topic's codec (an undecodable or invalid one goes to the
// dead-letter list with its origin and reason, and the batch goes on), the processor runs over
// the decoded records with an emit/reject context, and what it rejects is dead-lettered too.
// Where messages come from and how outputs, dead letters, state and positions are committed
// stay with each runtime.
import { DecodeError, SchemaViolation } from "../../schemas/index.ts";
import { deadLetter, type DeadLetter } from "./dead-letter.ts";
import type { Logger } from "./log.ts";
import { dlqMessages } from "./metrics.ts";
import type { InputRecord, Processor, StateStore, Stream } from "./processor.ts";

/** What the step needs to know of a runtime's message. */
export interface BatchMessage {
  key: Buffer | null;
  value: Buffer | null;
  timestamp: number;
  partition: number;
  offset: string;
}

export interface BatchStepResult {
  records: number;
  emitted: Array<{ output: string; key: string; value: unknown }>;
  dead: DeadLetter[];
}

export async function runBatchStep<S, M extends object>(o: {
  processor: Processor<S>;
  runtime: string;
  store: StateStore<S>;
  input: Stream<unknown>;
  messages: readonly M[];
  describe: (m: M) => BatchMessage;
  log: Logger;
}): Promise<BatchStepResult> {
  const { processor, input } = o;
  const raw = new WeakMap<object, BatchMessage>();
  const records: InputRecord<unknown>[] = [];
  const dead: DeadLetter[] = [];
  const toDlq = (m: BatchMessage, error: unknown) => {
    const d = deadLetter({ processor: processor.name, topic: input.topic, partition: m.partition, offset: m.offset, timestamp: m.timestamp }, m.key, m.value, error, Date.now());
    dead.push(d);
    dlqMessages.inc({ processor: processor.name, code: d.headers["edgeflow.dlq.code"]!, runtime: o.runtime });
    o.log.warn("message sent to the dead-letter topic", { processor: processor.name, topic: input.topic, partition: m.partition, offset: m.offset, reason: d.headers["edgeflow.dlq.reason"] });
  };
  for (const message of o.messages) {
    const m = o.describe(message);
    try {
      if (m.value === null) throw new DecodeError(`${input.topic} value`, "message has no value (tombstone)");
      const rec: InputRecord<unknown> = {
        topic: input.topic,
        key: m.key?.toString() ?? "",
        value: await input.codec.deserialize(m.value),
        timestamp: m.timestamp,
        partition: m.partition,
        offset: m.offset,
      };
      raw.set(rec, m);
      records.push(rec);
    } catch (error) {
      if (!(error instanceof DecodeError || error instanceof SchemaViolation)) throw error;
      toDlq(m, error);
    }
  }
  const emitted: BatchStepResult["emitted"] = [];
  if (records.length > 0) {
    await processor.process(records, {
      state: o.store,
      emit: (output, key, value) => {
        if (!processor.outputs[output]) throw new Error(`${processor.name} has no output "${output}"`);
        emitted.push({ output, key, value });
      },
      reject: (record, reason, code = "REJECTED") => {
        const m = raw.get(record);
        if (!m) throw new Error("reject() was given a record that is not from this batch");
        toDlq(m, Object.assign(new Error(reason), { code }));
      },
    });
  }
  return { records: records.length, emitted, dead };
}
