// `edgeflow retrain`: one retraining run now (a manual trigger, not held by the cooldown):
// recent rows from Kafka (KAFKA_BROKERS) or the embedded runtime → snapshot → trainer →
// gate against the champion on the candidate's holdout → promoted or rejected. Each state is
// printed, and recorded on retrain-runs when Kafka is configured. Exit 0 promoted or
// rejected, 1 failed.
import { durationOption } from "./cli-options.ts";
import { parseArgs, stringOption, numberOption, UsageError } from "../cli/args.ts";
import type { RetrainRun } from "../../schemas/index.ts";
import { retrainerConfig } from "./config.ts";
import { runRetrain } from "./retrain.ts";
import { retrainerParts } from "./service.ts";

export const RETRAIN_USAGE = `usage: edgeflow retrain [--name bike-next-hour] [--window 84d] [--until ISO] [--holdout-fraction 0.15]
                        [--candidates ridge,random_forest,lightgbm] [--trials N] [--margin 0.02] [--dir DIR] [--json]
  rows: the features and outcomes topics on Kafka when KAFKA_BROKERS is set, else the embedded
        runtime in DIR (default $EDGEFLOW_HOME/embedded/bike-traffic); defaults from EDGEFLOW_RETRAIN_*`;

export async function retrainCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, new Set(["json"]));
  const env = retrainerConfig();
  const untilText = stringOption(args, "until");
  const until = untilText === undefined ? undefined : Date.parse(untilText);
  if (until !== undefined && Number.isNaN(until)) throw new UsageError(`--until must be an ISO date or date-time, got "${untilText}"`);
  const parts = await retrainerParts({ ...env, EDGEFLOW_MODEL_NAME: stringOption(args, "name") ?? env.EDGEFLOW_MODEL_NAME }, { embeddedDir: stringOption(args, "dir") });
  const settings = { ...parts.settings };
  const windowMs = durationOption(args, "window");
  if (windowMs !== undefined) settings.windowMs = windowMs;
  const fraction = numberOption(args, "holdout-fraction");
  if (fraction !== undefined) settings.holdoutFraction = fraction;
  const candidates = stringOption(args, "candidates");
  if (candidates !== undefined) settings.candidates = candidates.split(",");
  const trials = numberOption(args, "trials");
  if (trials !== undefined) settings.trials = trials;
  const margin = numberOption(args, "margin");
  if (margin !== undefined) settings.margin = margin;
  const json = args.options.has("json");
  const say = (line: string) => process.stderr.write(`${line}\n`);
  try {
    const run = await runRetrain(
      { kind: "manual", reason: `edgeflow retrain by ${process.env.USER ?? "an operator"}`, ...(until !== undefined ? { until } : {}) },
      {
        ...parts.deps,
        rows: ({ until: u }) => parts.deps.rows({ until: u }),
        record: async (r: RetrainRun) => {
          say(`retrain ${r.runId}: ${r.status}${r.error ? ` — ${r.error.split("\n")[0]}` : ""}`);
          await parts.deps.record(r);
        },
      },
      settings,
    );
    if (json) process.stdout.write(`${JSON.stringify(run)}\n`);
    else {
      process.stdout.write(`${run.model}: run ${run.runId} ${run.status}\n`);
      for (const reason of run.reasons) process.stdout.write(`  ${reason}\n`);
      if (run.candidateMetrics) process.stdout.write(`  candidate v${run.candidateVersion}: ${fmt(run.candidateMetrics)}\n`);
      if (run.championMetrics) process.stdout.write(`  champion  v${run.championVersion}: ${fmt(run.championMetrics)}\n`);
    }
    return run.status === "failed" ? 1 : 0;
  } finally {
    await parts.close();
  }
}

function fmt(m: Record<string, number>): string {
  return Object.entries(m)
    .map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toFixed(4)}`)
    .join(", ");
}
