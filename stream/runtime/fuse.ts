// Operator fusion: two processors, the second consuming one output of the first, run as
// one processor — as Kafka Streams runs the operators of a sub-topology in one task.
//
// The upstream's outputs are all still produced (the fused stream is on its topic for
// everyone else: the outcome joiner, the drift monitor, a separately deployed downstream),
// and the downstream processes the very same values in memory, in the same batch and the
// same transaction. What that saves per record: the intermediate topic's consume and
// decode, a second consumer group, and a second transaction (five broker round trips)
// per batch — on the bike pipeline, about half the CPU of the scorer stage and one of the
// two batch delays an event used to wait for.
//
// The downstream must be stateless (it gets no store). When it refuses an intermediate
// record, the upstream input that record derives from goes to the dead-letter topic with
// the downstream's reason, and the record itself is still on its topic: nothing is lost,
// and a downstream run apart (or a backfill) can take it from there once the cause is fixed.
import type { InputRecord, Processor, ProcessorContext, StateStore, Stream } from "./processor.ts";

export interface FuseOptions {
  /** Name of the fused processor (consumer group, transactional ids, changelog). */
  name: string;
}

const NO_STATE: StateStore<never> = {
  get() {
    throw new Error("a fused downstream processor has no state store");
  },
  put() {
    throw new Error("a fused downstream processor has no state store");
  },
  delete() {
    throw new Error("a fused downstream processor has no state store");
  },
};

export function fuse<S>(upstream: Processor<S>, via: string, downstream: Processor<never>, options: FuseOptions): Processor<S> {
  const viaStream = upstream.outputs[via];
  if (!viaStream) throw new Error(`cannot fuse: ${upstream.name} has no output "${via}"`);
  if (downstream.inputs.length !== 1 || downstream.inputs[0]!.topic !== viaStream.topic) {
    throw new Error(`cannot fuse: ${downstream.name} must have exactly one input, ${viaStream.topic} (${upstream.name}'s "${via}")`);
  }
  const clash = Object.keys(downstream.outputs).filter((o) => o in upstream.outputs);
  if (clash.length > 0) throw new Error(`cannot fuse: output names used by both processors: ${clash.join(", ")}`);
  const outputs: Record<string, Stream<unknown>> = { ...upstream.outputs, ...downstream.outputs };

  return {
    name: options.name,
    inputs: upstream.inputs,
    outputs,
    async process(records, ctx) {
      const intermediate: Array<InputRecord<unknown>> = [];
      const origin = new WeakMap<object, InputRecord<unknown>>();
      const now = Date.now();
      await upstream.process(records, {
        state: ctx.state,
        reject: ctx.reject,
        emit(output, key, value, from) {
          ctx.emit(output, key, value, from);
          if (output !== via) return;
          const rec: InputRecord<unknown> = {
            topic: viaStream.topic,
            key,
            value,
            timestamp: now,
            partition: from?.partition ?? records[0]!.partition,
            offset: from?.offset ?? "-1",
          };
          if (from) origin.set(rec, from);
          intermediate.push(rec);
        },
      } satisfies ProcessorContext<S>);
      if (intermediate.length === 0) return;
      await downstream.process(intermediate, {
        state: NO_STATE,
        emit: (output, key, value, from) => ctx.emit(output, key, value, from ? (origin.get(from) ?? from) : undefined),
        reject(record, reason, code) {
          const source = origin.get(record);
          if (!source) throw new Error(`${downstream.name} refused a record ${upstream.name} emitted without naming its input; cannot dead-letter it`);
          ctx.reject(source, `${downstream.name}: ${reason}`, code);
        },
      });
    },
    async close() {
      await upstream.close?.();
      await downstream.close?.();
    },
  };
}
