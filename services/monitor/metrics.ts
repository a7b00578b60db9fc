// The monitor's Prometheus metrics, on prom-client's default registry (served by /metrics).
// Gauge names are the ones deploy/prometheus/rules/edgeflow.rules.yml alerts on.
import { Counter, Gauge, register } from "prom-client";

function gauge(name: string, help: string, labelNames: string[]): Gauge {
  return (register.getSingleMetric(name) as Gauge | undefined) ?? new Gauge({ name, help, labelNames });
}

function counter(name: string, help: string, labelNames: string[]): Counter {
  return (register.getSingleMetric(name) as Counter | undefined) ?? new Counter({ name, help, labelNames });
}

export const outcomesRmse = gauge("edgeflow_outcomes_rmse", "RMSE of the last closed performance window", ["model", "version"]);
export const outcomesMae = gauge("edgeflow_outcomes_mae", "MAE of the last closed performance window", ["model", "version"]);
export const outcomesR2 = gauge("edgeflow_outcomes_r2", "R² of the last closed performance window", ["model", "version"]);
export const driftDatasetShare = gauge("edgeflow_drift_dataset_share", "Share of drifted features in the last closed drift window", ["model", "version"]);
export const monitorWindows = counter("edgeflow_monitor_windows_total", "Windows closed and written, by kind", ["model", "kind"]);
export const monitorRowsSkipped = counter(
  "edgeflow_monitor_rows_skipped_total",
  "Rows the monitor did not add to a window, by kind and reason (late, other_version, other_model, spec_mismatch)",
  ["kind", "reason"],
);
export const monitorPanesDiscarded = counter(
  "edgeflow_monitor_panes_discarded_total",
  "Open drift panes dropped because the champion (and so the reference) changed",
  ["model"],
);
export const driftEvents = counter("edgeflow_drift_events_total", "Drift and degradation events emitted, by type", ["model", "type"]);

/**
 * The last closed accuracy window's RMSE / MAE / R² per model and version. Once the champion
 * has a window of its own, older versions' series are removed: a stale one would keep an
 * alert such as EdgeflowModelRmseHigh firing for a model no longer served.
 */
export class PerformanceGauges {
  private readonly versions = new Map<string, Set<string>>();

  report(model: string, version: string, m: { rmse: number; mae: number; r2: number }, champion: boolean): void {
    const labels = { model, version };
    if (Number.isFinite(m.rmse)) outcomesRmse.set(labels, m.rmse);
    if (Number.isFinite(m.mae)) outcomesMae.set(labels, m.mae);
    if (Number.isFinite(m.r2)) outcomesR2.set(labels, m.r2);
    const seen = this.versions.get(model) ?? new Set<string>();
    seen.add(version);
    this.versions.set(model, seen);
    if (!champion) return;
    for (const v of seen) {
      if (v === version) continue;
      for (const g of [outcomesRmse, outcomesMae, outcomesR2, driftDatasetShare]) g.remove({ model, version: v });
      seen.delete(v);
    }
  }
}
