// Where retraining runs are recorded: the `retrain-runs` topic (key = model, one message per
// state), read by dashboards and by the retrainer itself at start (cooldown across restarts).
import type { Kafka, Producer } from "kafkajs";
import type { RetrainRun } from "../../schemas/index.ts";
import { ensureTopics, type Stream } from "../../stream/runtime/index.ts";

export interface RunRecorder {
  record(run: RetrainRun): Promise<void>;
  close(): Promise<void>;
}

export class KafkaRunRecorder implements RunRecorder {
  private producer: Producer | null = null;
  private starting: Promise<Producer> | null = null;

  constructor(
    private readonly kafka: Kafka,
    private readonly stream: Stream<RetrainRun>,
  ) {}

  private start(): Promise<Producer> {
    this.starting ??= (async () => {
      await ensureTopics(this.kafka, [{ topic: this.stream.topic, numPartitions: 1 }]);
      const producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      this.producer = producer;
      return producer;
    })().catch((error: unknown) => {
      this.starting = null;
      throw error;
    });
    return this.starting;
  }

  async record(run: RetrainRun): Promise<void> {
    const producer = await this.start();
    await producer.send({
      topic: this.stream.topic,
      acks: -1,
      messages: [{ key: run.model, value: await this.stream.codec.serialize(run), headers: { runId: run.runId, status: run.status } }],
    });
  }

  async close(): Promise<void> {
    const p = this.producer;
    this.producer = null;
    this.starting = null;
    await p?.disconnect();
  }
}

/** Logs only (no Kafka: the embedded runtime, the CLI without brokers). */
export class MemoryRunRecorder implements RunRecorder {
  readonly runs: RetrainRun[] = [];
  async record(run: RetrainRun): Promise<void> {
    this.runs.push(run);
  }
  async close(): Promise<void> {}
}
