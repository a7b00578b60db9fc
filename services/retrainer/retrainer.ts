// The retrainer: triggers in, at most one run at a time out. Triggers are drift and
// degradation events (the drift topic), a node-cron schedule, and manual requests; the
// trigger gate (trigger-gate.ts) de-duplicates them and enforces the cooldown. The gate's
// memory (last start, event ids seen) is restored from the retrain-runs topic at start, so a
// restart neither forgets the cooldown nor retrains on an event it already acted on.
import { randomUUID } from "node:crypto";
import type { Kafka } from "kafkajs";
import cron, { type ScheduledTask } from "node-cron";
import { Counter, register } from "prom-client";
import type { DriftEvent, RetrainRun } from "../../schemas/index.ts";
import { createLogger, type Logger, type Stream } from "../../stream/runtime/index.ts";
import { runRetrain, type RetrainDeps, type RetrainSettings } from "./retrain.ts";
import { INITIAL_TRIGGER_GATE, offerTrigger, runFinished, type RetrainTrigger, type TriggerDecision, type TriggerGateState } from "./trigger-gate.ts";

const triggersTotal =
  (register.getSingleMetric("edgeflow_retrain_triggers_total") as Counter | undefined) ??
  new Counter({ name: "edgeflow_retrain_triggers_total", help: "Retraining triggers by kind and what the gate decided", labelNames: ["model", "kind", "decision"] });

export type AutomaticTrigger = "drift" | "degradation" | "schedule";

export interface RetrainerOptions {
  settings: RetrainSettings;
  deps: RetrainDeps;
  cooldownMs: number;
  /** Which automatic triggers may start a run (manual ones always may). */
  triggers: ReadonlySet<AutomaticTrigger>;
  now?: () => number;
  logger?: Logger;
}

export class Retrainer {
  private gate: TriggerGateState = { ...INITIAL_TRIGGER_GATE, seen: [] };
  private current: Promise<RetrainRun> | null = null;
  private task: ScheduledTask | null = null;
  /** Runs finished by this process, newest last (at most 20). */
  readonly finished: RetrainRun[] = [];
  private readonly log: Logger;
  private readonly now: () => number;

  constructor(private readonly o: RetrainerOptions) {
    this.log = o.logger ?? createLogger("retrainer", { model: o.settings.model });
    this.now = o.now ?? Date.now;
  }

  /** Restores the cooldown and the event ids already acted on from earlier runs' records. */
  restore(runs: RetrainRun[]): void {
    const mine = runs.filter((r) => r.model === this.o.settings.model);
    const last = mine.reduce<number | null>((m, r) => (m === null || r.requestedAt > m ? r.requestedAt : m), null);
    const seen = [...new Set(mine.flatMap((r) => r.triggerEvents))].slice(-1000);
    this.gate = { seen, lastStartedAt: last, running: false };
    this.log.info("trigger gate restored", { runs: new Set(mine.map((r) => r.runId)).size, lastStartedAt: last === null ? null : new Date(last).toISOString(), eventsSeen: seen.length });
  }

  offer(trigger: RetrainTrigger): TriggerDecision {
    const { state, decision } = offerTrigger(this.gate, trigger, this.now(), { cooldownMs: this.o.cooldownMs });
    this.gate = state;
    triggersTotal.inc({ model: this.o.settings.model, kind: trigger.kind, decision });
    this.log.info("retrain trigger", { kind: trigger.kind, eventId: trigger.eventId, decision, reason: trigger.reason });
    if (decision === "start") {
      this.current = runRetrain({ ...trigger, runId: `${trigger.kind}-${randomUUID().slice(0, 8)}` }, this.o.deps, this.o.settings)
        .then((run) => {
          this.finished.push(run);
          if (this.finished.length > 20) this.finished.shift();
          return run;
        })
        .finally(() => {
          this.gate = runFinished(this.gate);
          this.current = null;
        });
    }
    return decision;
  }

  /** A drift topic message: dataset drift → `drift`, performance degradation → `degradation`. */
  onDriftEvent(event: DriftEvent): TriggerDecision | "ignored" {
    if (event.model !== this.o.settings.model) return "ignored";
    const kind = event.type === "dataset_drift" ? "drift" : "degradation";
    if (!this.o.triggers.has(kind)) return "ignored";
    return this.offer({ kind, eventId: event.eventId, reason: `${event.type} on v${event.version}: ${event.reason}`, until: event.windowEnd });
  }

  /** Starts the node-cron schedule (e.g. `0 3 * * 1`, Mondays 03:00). */
  schedule(expression: string, timezone = "UTC"): void {
    if (!this.o.triggers.has("schedule")) return;
    this.task = cron.schedule(expression, () => void this.offer({ kind: "schedule", reason: `schedule ${expression} (${timezone})` }), { timezone, name: "edgeflow-retrain", noOverlap: true });
  }

  /** The run in progress, if any (resolves when it has ended). */
  running(): Promise<RetrainRun> | null {
    return this.current;
  }

  async stop(): Promise<void> {
    await this.task?.stop();
    this.task = null;
    // A run in progress is left to finish: killing the trainer would only waste it.
    await this.current?.catch(() => undefined);
  }
}

/** Drift events to `onEvent`, on the retrainer's consumer group (committed offsets: a restart resumes). */
export async function subscribeDriftEvents(o: {
  kafka: Kafka;
  stream: Stream<DriftEvent>;
  groupId: string;
  onEvent: (event: DriftEvent) => unknown;
  logger?: Logger;
}): Promise<{ close(): Promise<void> }> {
  const log = o.logger ?? createLogger("retrainer-drift-events");
  const consumer = o.kafka.consumer({ groupId: o.groupId, readUncommitted: false, maxWaitTimeInMs: 250 });
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.connect();
  await consumer.subscribe({ topic: o.stream.topic, fromBeginning: false });
  await consumer.run({
    eachMessage: async ({ message, partition }) => {
      try {
        o.onEvent(await o.stream.codec.deserialize(message.value!));
      } catch (error) {
        log.error("drift event not decoded; skipped", { partition, offset: message.offset, error });
      }
    },
  });
  await joined;
  return { close: () => consumer.disconnect() };
}
