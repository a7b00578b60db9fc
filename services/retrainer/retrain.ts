// One retraining run, start to end: recent training rows → snapshot (sha256-versioned) →
// the Python trainer as a child process → registered candidate → the gate, with the champion
// re-scored on the candidate's holdout → promoted or rejected. Every state is recorded
// (retrain-runs topic + edgeflow_retrain_runs_total). Nothing moves the champion but a
// passed gate: a failing or crashing trainer, an empty snapshot or an unreachable registry
// ends the run `failed`, and the champion keeps serving.
import { randomUUID } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { Counter, register } from "prom-client";
import { EdgeflowError, type FeatureSpec, type RetrainRun } from "../../schemas/index.ts";
import { createLogger, type Logger } from "../../stream/runtime/index.ts";
import { CHAMPION, decide, holdoutIdOf, type GateBounds, type ModelRegistry } from "../registry/index.ts";
import { readHoldout, scoreOnHoldout } from "./holdout.ts";
import { advanceRun, requestRun, type RunPatch } from "./run-state.ts";
import { writeSnapshot } from "./snapshot.ts";
import { runTrainer, type TrainRequest, type TrainResult } from "./trainer-process.ts";
import type { RecentRows } from "./training-rows.ts";
import type { RetrainTrigger } from "./trigger-gate.ts";

export const retrainRunsTotal =
  (register.getSingleMetric("edgeflow_retrain_runs_total") as Counter | undefined) ??
  new Counter({ name: "edgeflow_retrain_runs_total", help: "Retraining runs by the state they entered (requested … promoted, rejected, failed)", labelNames: ["model", "status"] });

export class NothingToTrainOn extends EdgeflowError {
  constructor(reason: string) {
    super("RETRAIN_NO_ROWS", reason);
  }
}

export interface RetrainSettings {
  model: string;
  useCase: string;
  spec: FeatureSpec;
  label: string;
  /** Snapshots go to `<workDir>/snapshots/<run>`, trainer output to `<workDir>/work/<run>`. */
  workDir: string;
  windowMs: number;
  holdoutFraction: number;
  candidates?: string[];
  trials?: number;
  /** Relative RMSE improvement the candidate needs over the champion (the gate's margin). */
  margin: number;
  bounds?: GateBounds;
  /** Extra environment for the trainer process. */
  trainerEnv?: NodeJS.ProcessEnv;
  python?: string;
}

export interface RetrainDeps {
  registry: ModelRegistry;
  /** The recent training rows, up to `until` (event time) when the trigger says. */
  rows(request: { until?: number }): Promise<RecentRows>;
  /** Publishes one state of the run; a failure is logged, the run goes on. */
  record(run: RetrainRun): Promise<void>;
  train?: (request: TrainRequest) => Promise<TrainResult>;
  now?: () => number;
  logger?: Logger;
}

export async function runRetrain(trigger: RetrainTrigger & { triggerEvents?: string[]; runId?: string }, deps: RetrainDeps, s: RetrainSettings): Promise<RetrainRun> {
  const now = deps.now ?? Date.now;
  const runId = trigger.runId ?? `${new Date(now()).toISOString().replace(/[:.]/g, "-")}-${randomUUID().slice(0, 8)}`;
  const log = (deps.logger ?? createLogger("retrainer")).child({ runId, model: s.model });
  const train = deps.train ?? runTrainer;
  const champion = await deps.registry.get(s.model, CHAMPION).catch(() => null);
  let run = requestRun(
    { runId, model: s.model, trigger: trigger.kind, triggerEvents: trigger.triggerEvents ?? (trigger.eventId ? [trigger.eventId] : []), reasons: [trigger.reason], championVersion: champion?.version ?? null },
    now(),
  );
  const enter = async (status: RetrainRun["status"], patch: RunPatch = {}) => {
    run = status === "requested" ? run : advanceRun(run, status, now(), patch);
    retrainRunsTotal.inc({ model: s.model, status });
    log.info(`retrain run ${status}`, { trigger: run.trigger, durations: run.durations, ...(run.error ? { error: run.error } : {}) });
    await deps.record(run).catch((error: unknown) => log.error("retrain run state not recorded", { status, error }));
  };
  const snapshotDir = join(s.workDir, "snapshots", runId);
  const outDir = join(s.workDir, "work", runId);
  const championDir = join(s.workDir, "work", `${runId}-champion`);
  await enter("requested");
  try {
    await enter("snapshot");
    const recent = await deps.rows({ until: trigger.until });
    if (recent.rows.length === 0) {
      throw new NothingToTrainOn(`no feature vector joined with an outcome in ${new Date(recent.from).toISOString()} .. ${new Date(recent.until).toISOString()}`);
    }
    mkdirSync(join(s.workDir, "snapshots"), { recursive: true });
    mkdirSync(join(s.workDir, "work"), { recursive: true });
    const manifest = await writeSnapshot(recent.rows, { dir: snapshotDir, spec: s.spec, task: "regression", label: s.label, useCase: s.useCase });
    await enter("training", {
      snapshot: { id: manifest.id, sha256: manifest.sha256, rows: manifest.rows, from: manifest.from, to: manifest.to, source: recent.source },
      reasons: [`snapshot ${manifest.id}: ${manifest.rows} rows ${manifest.from} .. ${manifest.to}`],
    });

    const trained = await train({
      snapshotDir,
      outDir,
      name: s.model,
      holdoutFraction: s.holdoutFraction,
      candidates: s.candidates,
      trials: s.trials,
      parent: champion?.version ?? null,
      python: s.python,
      env: s.trainerEnv,
      onProgress: (line) => log.debug("trainer", { line }),
    });
    const candidate = await deps.registry.register(trained.outDir, { name: s.model });

    // The champion now (it may have moved since the run was requested), on the candidate's holdout.
    const current = await deps.registry.get(s.model, CHAMPION).catch(() => null);
    const holdout = await readHoldout(snapshotDir, candidate.card.split, s.spec.features.length);
    const holdoutId = holdoutIdOf(candidate.card);
    const candidateMetrics = await scoreOnHoldout(trained.outDir, holdout, s.spec.hash);
    let championMetrics: Record<string, number> | null = null;
    if (current) {
      const { dir } = await deps.registry.download(s.model, current.version, championDir);
      championMetrics = await scoreOnHoldout(dir, holdout, s.spec.hash);
    }
    const verdict = decide({
      task: candidate.card.task,
      candidate: { holdoutId, metrics: candidateMetrics },
      champion: current && championMetrics ? { holdoutId, metrics: championMetrics } : null,
      margin: s.margin,
      bounds: s.bounds,
    });
    await deps.registry.recordDecision(s.model, candidate.version, {
      promote: verdict.promote,
      reasons: verdict.reasons,
      championVersion: current?.version ?? null,
      holdoutId,
      margin: s.margin,
      decidedAt: new Date(now()).toISOString(),
    });
    await enter("gated", {
      candidateVersion: candidate.version,
      championVersion: current?.version ?? null,
      holdoutId,
      candidateMetrics,
      championMetrics,
      reasons: verdict.reasons,
    });
    if (verdict.promote) {
      await deps.registry.promote(s.model, candidate.version, { reason: `retrain run ${runId} (${trigger.kind}): ${verdict.reasons.join("; ")}` });
      await enter("promoted", { reasons: [`${s.model} v${candidate.version} is champion`] });
    } else {
      await enter("rejected", { reasons: [`${s.model} v${candidate.version} stays a candidate; v${current?.version ?? "-"} keeps serving`] });
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await enter("failed", { error: message.slice(0, 4_000), reasons: [`failed in ${run.status}; the champion is unchanged`] });
  } finally {
    rmSync(outDir, { recursive: true, force: true });
    rmSync(championDir, { recursive: true, force: true });
  }
  return run;
}
