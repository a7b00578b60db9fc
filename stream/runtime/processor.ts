// The one processor interface. A processor is written once against it and runs unchanged
// on the Kafka runtime (consumer groups, transactions) and on the embedded runtime (one
// process, durable files). Processors never see bytes, offsets or brokers: the runtime
// decodes input (undecodable or invalid messages go to the dead-letter topic), hands over
// a batch with per-key state, and commits outputs, state and input position atomically.
import type { Codec } from "../../schemas/index.ts";

/** A topic and the codec of its values. */
export interface Stream<T> {
  topic: string;
  codec: Codec<T>;
}

export interface InputRecord<T> {
  topic: string;
  key: string;
  value: T;
  /** Time the message was appended (producer time), epoch ms. */
  timestamp: number;
  partition: number;
  offset: string;
}

/** Per-key state of one processor. Writes become durable with the batch's outputs, or not at all. */
export interface StateStore<S> {
  get(key: string): S | undefined;
  put(key: string, value: S): void;
  delete(key: string): void;
}

export interface ProcessorContext<S> {
  state: StateStore<S>;
  /**
   * Queue an output record on one of the processor's declared outputs. `from` names the
   * input record it derives from: a fused downstream stage (fuse.ts) that refuses the output
   * dead-letters that input instead.
   */
  emit(output: string, key: string, value: unknown, from?: InputRecord<unknown>): void;
  /** Send one input record to the dead-letter topic with a reason; the batch goes on. */
  reject(record: InputRecord<unknown>, reason: string, code?: string): void;
}

export interface Processor<S = unknown> {
  /** Stable name: consumer group, transactional ids and state store derive from it. */
  readonly name: string;
  /** Inputs are co-partitioned by key (same partition count, same key → same partition). */
  readonly inputs: ReadonlyArray<Stream<unknown>>;
  readonly outputs: Readonly<Record<string, Stream<unknown>>>;
  /** Records of one input partition, in offset order. */
  process(records: ReadonlyArray<InputRecord<unknown>>, ctx: ProcessorContext<S>): Promise<void> | void;
  /** Called once the processor owns no partitions any more and will not be called again. */
  close?(): Promise<void>;
}

/** What a running processor reports; the runtimes expose it as metrics too. */
export interface ProcessorStats {
  processed: number;
  emitted: number;
  deadLettered: number;
  batches: number;
}

export interface RunningProcessor {
  readonly name: string;
  stats(): ProcessorStats;
  stop(): Promise<void>;
}
