// The promotion gate: a pure decision whether a candidate version may replace the champion.
// Both sets of metrics must come from the same holdout, or the comparison means nothing.
//
//   regression      RMSE lower by at least `margin` (relative) and R² not worse by more
//                   than `margin` (absolute, R² is already a ratio);
//   classification  cost lower by at least `margin` (relative) and AUC not worse by more
//                   than `margin` (absolute);
//   no champion     the candidate must meet absolute bounds (bike defaults: RMSE ≤ 60,
//                   R² ≥ 0.65, the retraining policy of the original project; credit: AUC ≥ 0.75).
import type { ModelCard, ModelTask } from "../../schemas/index.ts";

export interface HoldoutMetrics {
  /** Identity of the holdout the metrics were computed on (see `holdoutIdOf`). */
  holdoutId: string;
  /** Metric name → value, as in `card.metrics.test`: rmse, r2, mae / auc, cost, … */
  metrics: Record<string, number>;
}

export interface GateBounds {
  maxRmse?: number;
  minR2?: number;
  minAuc?: number;
  maxCost?: number;
}

export interface GateInput {
  task: ModelTask;
  candidate: HoldoutMetrics;
  champion: HoldoutMetrics | null;
  /** Required improvement, as a fraction: 0.02 = 2 %. */
  margin: number;
  /** Absolute bounds used when there is no champion; defaults per task. */
  bounds?: GateBounds;
}

export interface GateVerdict {
  promote: boolean;
  reasons: string[];
}

export const DEFAULT_BOUNDS: Record<ModelTask, GateBounds> = {
  regression: { maxRmse: 60, minR2: 0.65 },
  classification: { minAuc: 0.75 },
};

/** The holdout a card's test metrics were computed on: the snapshot and the test window. */
export function holdoutIdOf(card: Pick<ModelCard, "snapshot" | "split">): string {
  return `${card.snapshot.id}:${card.split.testFrom}..${card.split.testTo}`;
}

interface Check {
  ok: boolean;
  reason: string;
}

export function decide(input: GateInput): GateVerdict {
  const { task, candidate, champion, margin } = input;
  if (!Number.isFinite(margin) || margin < 0 || margin >= 1) {
    return refuse(`margin must be a fraction in [0, 1), got ${margin}`);
  }
  const [primary, secondary] = task === "regression" ? (["rmse", "r2"] as const) : (["cost", "auc"] as const);

  const missing = [primary, secondary].filter((m) => !isMetric(candidate.metrics[m]));
  if (missing.length > 0) return refuse(`candidate lacks ${missing.join(" and ")} on holdout ${candidate.holdoutId}`);

  if (champion === null) return withinBounds(task, candidate, { ...DEFAULT_BOUNDS[task], ...input.bounds });

  if (champion.holdoutId !== candidate.holdoutId) {
    return refuse(
      `metrics are from different holdouts (candidate ${candidate.holdoutId}, champion ${champion.holdoutId}); ` +
        "evaluate both on the same holdout",
    );
  }
  const championMissing = [primary, secondary].filter((m) => !isMetric(champion.metrics[m]));
  if (championMissing.length > 0) return refuse(`champion lacks ${championMissing.join(" and ")} on holdout ${champion.holdoutId}`);

  const c = candidate.metrics;
  const h = champion.metrics;
  return verdict([lowerByMargin(primary, c[primary]!, h[primary]!, margin), notWorse(secondary, c[secondary]!, h[secondary]!, margin)]);
}

function withinBounds(task: ModelTask, candidate: HoldoutMetrics, bounds: GateBounds): GateVerdict {
  const m = candidate.metrics;
  const checks: Check[] = [{ ok: true, reason: "no champion: judged on absolute bounds" }];
  const upper = (name: string, value: number | undefined, max: number | undefined) => {
    if (max === undefined || value === undefined) return;
    checks.push({ ok: value <= max, reason: `${name} ${fmt(value)} ${value <= max ? "≤" : ">"} bound ${fmt(max)}` });
  };
  const lower = (name: string, value: number | undefined, min: number | undefined) => {
    if (min === undefined || value === undefined) return;
    checks.push({ ok: value >= min, reason: `${name} ${fmt(value)} ${value >= min ? "≥" : "<"} bound ${fmt(min)}` });
  };
  if (task === "regression") {
    upper("rmse", m.rmse, bounds.maxRmse);
    lower("r2", m.r2, bounds.minR2);
  } else {
    upper("cost", m.cost, bounds.maxCost);
    lower("auc", m.auc, bounds.minAuc);
  }
  return verdict(checks);
}

/** Lower is better (RMSE, cost): the candidate must beat the champion by `margin`, relative. */
function lowerByMargin(name: string, candidate: number, champion: number, margin: number): Check {
  // A champion at 0 cannot be beaten by a relative margin; equal is then not enough either.
  const ok = candidate <= champion * (1 - margin) && (margin === 0 || candidate < champion);
  const change = champion === 0 ? (candidate === 0 ? 0 : -Infinity) : (champion - candidate) / Math.abs(champion);
  return {
    ok,
    reason: `${name} ${fmt(candidate)} vs champion ${fmt(champion)}: ${pct(change)} lower, needs ≥ ${pct(margin)}`,
  };
}

/** Higher is better (R², AUC): the candidate may be worse by at most `margin`, absolute. */
function notWorse(name: string, candidate: number, champion: number, margin: number): Check {
  const ok = candidate >= champion - margin;
  return {
    ok,
    reason: `${name} ${fmt(candidate)} vs champion ${fmt(champion)}: ${ok ? "within" : "worse than"} the allowed drop of ${fmt(margin)}`,
  };
}

function verdict(checks: Check[]): GateVerdict {
  const failed = checks.filter((c) => !c.ok);
  return failed.length > 0
    ? { promote: false, reasons: failed.map((c) => c.reason) }
    : { promote: true, reasons: checks.map((c) => c.reason) };
}

function refuse(reason: string): GateVerdict {
  return { promote: false, reasons: [reason] };
}

function isMetric(value: number | undefined): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

function fmt(n: number): string {
  return String(Number(n.toPrecision(4)));
}

function pct(fraction: number): string {
  return Number.isFinite(fraction) ? `${(fraction * 100).toFixed(1)}%` : "-∞%";
}
