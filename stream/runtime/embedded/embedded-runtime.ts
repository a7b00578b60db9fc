// The embedded runtime: the same processors in one process, durable on local disk, for
// `npm start` and the edge agent when no Kafka is configured.
//
// Every topic is an append-only file (topic-log.ts). All processors of a runtime commit
// together: their outputs, dead letters, state and input positions become durable in one
// step, when a manifest naming the committed length of every file and the state generation
// of every processor is renamed into place. A crash before the rename loses the whole
// uncommitted step (files are truncated back on open) and it is processed again: exactly
// once, as on Kafka.
import { existsSync, fsyncSync, mkdirSync, openSync, closeSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { DeadLetter } from "../dead-letter.ts";
import { runBatchStep } from "../batch-step.ts";
import { createLogger } from "../log.ts";
import { batchDuration, streamEmitted, streamRecords } from "../metrics.ts";
import type { Processor, ProcessorStats, RunningProcessor, Stream } from "../processor.ts";
import { OverlayStateStore } from "../state.ts";
import { TopicLog, type LogRecord } from "./topic-log.ts";

const RUNTIME = "embedded";

interface Manifest {
  version: 1;
  topics: Record<string, number>;
  processors: Record<string, { positions: Record<string, number>; stateGeneration: number }>;
}

export interface EmbeddedRuntimeOptions {
  dir: string;
  dlqTopic: string;
  /** Records per input read. */
  batchSize?: number;
  /** Idle poll interval when no input is waiting. */
  idleMs?: number;
}

interface Registered {
  processor: Processor<unknown>;
  store: OverlayStateStore<unknown>;
  positions: Record<string, number>;
  pendingPositions: Record<string, number>;
  stateGeneration: number;
  stats: ProcessorStats;
}

export class EmbeddedRuntime {
  private readonly log = createLogger("embedded-runtime");
  private readonly logs = new Map<string, TopicLog>();
  private readonly processors: Registered[] = [];
  private manifest: Manifest;
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private failure: unknown = null;
  private readonly batchSize: number;
  private readonly idleMs: number;

  private constructor(private readonly options: EmbeddedRuntimeOptions, manifest: Manifest) {
    this.manifest = manifest;
    this.batchSize = options.batchSize ?? 2_000;
    this.idleMs = options.idleMs ?? 20;
  }

  static open(options: EmbeddedRuntimeOptions): EmbeddedRuntime {
    mkdirSync(join(options.dir, "topics"), { recursive: true });
    mkdirSync(join(options.dir, "state"), { recursive: true });
    const path = join(options.dir, "manifest.json");
    const manifest: Manifest = existsSync(path)
      ? (JSON.parse(readFileSync(path, "utf8")) as Manifest)
      : { version: 1, topics: {}, processors: {} };
    return new EmbeddedRuntime(options, manifest);
  }

  topic(name: string): TopicLog {
    let log = this.logs.get(name);
    if (!log) {
      if (!/^[A-Za-z0-9._-]+$/.test(name)) throw new Error(`topic name "${name}" has characters a file name cannot hold`);
      log = new TopicLog(name, join(this.options.dir, "topics", `${name}.log`), this.manifest.topics[name] ?? 0);
      this.logs.set(name, log);
    }
    return log;
  }

  /** Appends a value to a topic; durable and visible at the next commit. */
  async produce<T>(stream: Stream<T>, key: string, value: T, timestamp = Date.now()): Promise<void> {
    this.topic(stream.topic).append(key, await stream.codec.serialize(value), timestamp);
  }

  /** Appends raw bytes (what a foreign producer would send; decoding happens on consume). */
  produceRaw(topic: string, key: string | null, value: Buffer | null, timestamp = Date.now()): void {
    this.topic(topic).append(key, value, timestamp);
  }

  /** Reads committed records of a topic from a position (for sinks, tools and tests). */
  read(topic: string, from: number, max = 10_000): LogRecord[] {
    return this.topic(topic).read(from, max);
  }

  add<S>(processor: Processor<S>): RunningProcessor {
    if (this.processors.some((p) => p.processor.name === processor.name)) throw new Error(`processor ${processor.name} is already added`);
    const saved = this.manifest.processors[processor.name];
    const store = new OverlayStateStore<unknown>();
    const generation = saved?.stateGeneration ?? 0;
    const statePath = this.statePath(processor.name, generation);
    if (generation > 0 && existsSync(statePath)) {
      store.load(Object.entries(JSON.parse(readFileSync(statePath, "utf8")) as Record<string, unknown>));
    }
    for (const s of [...processor.inputs, ...Object.values(processor.outputs)]) this.topic(s.topic);
    this.topic(this.options.dlqTopic);
    const reg: Registered = {
      processor: processor as Processor<unknown>,
      store,
      positions: { ...(saved?.positions ?? {}) },
      pendingPositions: { ...(saved?.positions ?? {}) },
      stateGeneration: generation,
      stats: { processed: 0, emitted: 0, deadLettered: 0, batches: 0 },
    };
    this.processors.push(reg);
    return { name: processor.name, stats: () => ({ ...reg.stats }), stop: () => this.stop() };
  }

  /** Starts the processing loop in the background. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.runLoop().catch((error: unknown) => {
      this.failure = error;
      this.running = false;
      this.log.error("embedded runtime stopped on an error", { error });
    });
  }

  /** Processes and commits until no processor has input left (for replays and tests). */
  async drain(): Promise<void> {
    for (;;) {
      this.commit(); // appends become readable only once committed
      const worked = await this.step();
      if (!worked && !this.hasPendingAppends()) {
        this.commit();
        return;
      }
    }
  }

  /** Lag of each processor's inputs in bytes (0 = caught up). */
  lag(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const r of this.processors) {
      out[r.processor.name] = r.processor.inputs.reduce((n, s) => n + this.topic(s.topic).committedLength - (r.positions[s.topic] ?? 0), 0);
    }
    return out;
  }

  async stop(): Promise<void> {
    if (!this.running && !this.loop) return this.closeFiles();
    this.running = false;
    this.wake?.();
    await this.loop;
    this.loop = null;
    this.commit();
    for (const r of this.processors) await r.processor.close?.();
    this.closeFiles();
    if (this.failure) throw this.failure;
  }

  private closeFiles(): void {
    for (const l of this.logs.values()) l.close();
    this.logs.clear();
  }

  private hasPendingAppends(): boolean {
    for (const l of this.logs.values()) if (l.pendingLength > 0) return true;
    return false;
  }

  private async runLoop(): Promise<void> {
    while (this.running) {
      const worked = await this.step();
      this.commit();
      if (!worked && !this.hasPendingAppends()) {
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          setTimeout(resolve, this.idleMs);
        });
        this.wake = null;
      }
    }
  }

  /** One read-process round over every processor and input. True if anything was read. */
  private async step(): Promise<boolean> {
    let worked = false;
    for (const r of this.processors) {
      for (const input of r.processor.inputs) {
        const from = r.pendingPositions[input.topic] ?? 0;
        const batch = this.topic(input.topic).read(from, this.batchSize);
        if (batch.length === 0) continue;
        worked = true;
        await this.processBatch(r, input, batch);
        r.pendingPositions[input.topic] = batch.at(-1)!.next;
      }
    }
    return worked;
  }

  private async processBatch(r: Registered, input: Stream<unknown>, batch: LogRecord[]): Promise<void> {
    const name = r.processor.name;
    const timer = batchDuration.startTimer({ processor: name, runtime: RUNTIME });
    const dlq = this.topic(this.options.dlqTopic);
    const { records, emitted, dead } = await runBatchStep({
      processor: r.processor,
      runtime: RUNTIME,
      store: r.store,
      input,
      messages: batch,
      describe: (m: LogRecord) => ({ key: m.key, value: m.value, timestamp: m.timestamp, partition: 0, offset: String(m.position) }),
      log: this.log,
    });
    const now = Date.now();
    for (const e of emitted) {
      const stream = r.processor.outputs[e.output]!;
      this.topic(stream.topic).append(e.key, stream.codec.serializeOwn(e.value), now);
      streamEmitted.inc({ processor: name, output: stream.topic, runtime: RUNTIME });
    }
    for (const d of dead) dlq.append(d.key, encodeDeadLetter(d), now);
    r.stats.batches += 1;
    r.stats.processed += records;
    r.stats.emitted += emitted.length;
    r.stats.deadLettered += dead.length;
    streamRecords.inc({ processor: name, runtime: RUNTIME }, batch.length);
    timer();
  }

  private statePath(processor: string, generation: number): string {
    return join(this.options.dir, "state", `${processor}.${generation}.json`);
  }

  /** Makes every pending append, state change and position durable in one step. */
  private commit(): void {
    const dirty = this.processors.filter((r) => r.store.changes().length > 0);
    const positionsMoved = this.processors.some((r) => JSON.stringify(r.pendingPositions) !== JSON.stringify(r.positions));
    if (!this.hasPendingAppends() && dirty.length === 0 && !positionsMoved) return;
    const lengths = new Map<string, number>();
    for (const [topic, log] of this.logs) lengths.set(topic, log.flush());
    for (const r of dirty) {
      r.store.commit();
      r.stateGeneration += 1;
      writeDurable(this.statePath(r.processor.name, r.stateGeneration), JSON.stringify(Object.fromEntries(r.store.committed)));
    }
    const next: Manifest = {
      version: 1,
      topics: Object.fromEntries(lengths),
      processors: Object.fromEntries(
        this.processors.map((r) => [r.processor.name, { positions: { ...r.pendingPositions }, stateGeneration: r.stateGeneration }]),
      ),
    };
    // Keep topics of processors not added in this run.
    for (const [t, n] of Object.entries(this.manifest.topics)) if (!(t in next.topics)) next.topics[t] = n;
    for (const [p, v] of Object.entries(this.manifest.processors)) if (!(p in next.processors)) next.processors[p] = v;
    writeDurable(join(this.options.dir, "manifest.json"), JSON.stringify(next));
    for (const [topic, log] of this.logs) log.publish(lengths.get(topic)!);
    for (const r of this.processors) r.positions = { ...r.pendingPositions };
    for (const r of dirty) rmSync(this.statePath(r.processor.name, r.stateGeneration - 1), { force: true });
    this.manifest = next;
  }
}

function writeDurable(path: string, text: string): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, text);
  const fd = openSync(tmp, "r");
  fsyncSync(fd);
  closeSync(fd);
  renameSync(tmp, path);
}

/** Dead letters on disk: headers as JSON, then the original bytes (base64), one record. */
export function encodeDeadLetter(d: DeadLetter): Buffer {
  return Buffer.from(JSON.stringify({ headers: d.headers, value: d.value?.toString("base64") ?? null }));
}

export function decodeDeadLetter(bytes: Buffer): { headers: Record<string, string>; value: Buffer | null } {
  const parsed = JSON.parse(bytes.toString()) as { headers: Record<string, string>; value: string | null };
  return { headers: parsed.headers, value: parsed.value === null ? null : Buffer.from(parsed.value, "base64") };
}
