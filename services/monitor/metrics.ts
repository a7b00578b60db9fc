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
