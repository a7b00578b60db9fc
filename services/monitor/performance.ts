// Windowed accuracy of a regression model from its outcomes: the mergeable RMSE/MAE/R² state
// of stream/outcomes (panes → windows), judged against bounds.
import type { PerformanceMetrics } from "../../stream/outcomes/online-metrics.ts";

export { addOutcome, mergePerformance, newPerformance, performanceMetrics, type PerformanceMetrics, type PerformanceState } from "../../stream/outcomes/online-metrics.ts";

export interface PerformanceBounds {
  /** Degraded when RMSE > maxRmse. */
  maxRmse: number;
  /** Degraded when R² < minR2. */
  minR2: number;
  /** Windows with fewer outcomes are reported but not judged. */
  minOutcomes: number;
}

export type PerformanceVerdict = { judged: false; reason: string } | { judged: true; degraded: boolean; reasons: string[] };

/** Whether a window's metrics break the bounds (bike defaults: RMSE > 60 or R² < 0.65). */
export function judgePerformance(m: PerformanceMetrics, bounds: PerformanceBounds): PerformanceVerdict {
  if (m.n < bounds.minOutcomes) return { judged: false, reason: `${m.n} outcomes < ${bounds.minOutcomes}` };
  const reasons: string[] = [];
  if (m.rmse > bounds.maxRmse) reasons.push(`rmse ${m.rmse.toFixed(2)} > ${bounds.maxRmse}`);
  if (Number.isFinite(m.r2) && m.r2 < bounds.minR2) reasons.push(`r2 ${m.r2.toFixed(3)} < ${bounds.minR2}`);
  return { judged: true, degraded: reasons.length > 0, reasons };
}
