// What the monitor writes per closed window, as time-series points (pure). InfluxDB schema
// (docs/drift.md): one measurement per kind, tags that identify a series, fields that vary.
//
//   drift_feature     tags model, version, feature, method   fields value, p_value, drifted, deciding, count, missing, error_bound
//   drift_prediction  tags model, version, method            fields (same)
//   drift_dataset     tags model, version                    fields share, drifted, drifted_features, evaluated_features, rows, late_rows, partial
//   performance       tags model, version                    fields rmse, mae, r2, n, degraded, judged
//
// The timestamp is the window start (ms). A window written twice (a retried batch) yields the
// same series and timestamp, so InfluxDB overwrites the point: writes are idempotent.
import type { DatasetDrift, FeatureDrift } from "../../stream/drift/index.ts";
import type { PerformanceMetrics, PerformanceVerdict } from "./performance.ts";

export interface MonitorPoint {
  measurement: "drift_feature" | "drift_prediction" | "drift_dataset" | "performance";
  tags: Record<string, string>;
  fields: Record<string, number | boolean>;
  /** Epoch ms. */
  time: number;
}

/** Where closed windows go: InfluxDB in production (influx-sink.ts), memory in tests. */
export interface MonitorSink {
  write(points: MonitorPoint[]): Promise<void>;
  close?(): Promise<void>;
}

export interface WindowIdentity {
  model: string;
  version: string;
  start: number;
  end: number;
}

function finite(fields: Record<string, number | boolean>, name: string, v: number | undefined): void {
  // InfluxDB stores no NaN or Infinity: an undefined statistic is simply absent.
  if (v !== undefined && Number.isFinite(v)) fields[name] = v;
}

function statisticPoints(measurement: "drift_feature" | "drift_prediction", w: WindowIdentity, f: FeatureDrift): MonitorPoint[] {
  return f.results.map((r) => {
    const fields: Record<string, number | boolean> = { drifted: r.drifted, deciding: r.method === f.method, count: f.count, missing: f.missing };
    finite(fields, "value", r.value);
    finite(fields, "p_value", r.pValue);
    finite(fields, "error_bound", r.errorBound);
    const tags: Record<string, string> = { model: w.model, version: w.version, method: r.method };
    if (measurement === "drift_feature") tags.feature = f.feature;
    return { measurement, tags, fields, time: w.start };
  });
}

export function featureDriftPoints(w: WindowIdentity, drift: DatasetDrift, extra: { lateRows: number; partial: boolean }): MonitorPoint[] {
  const points = drift.features.flatMap((f) => statisticPoints("drift_feature", w, f));
  points.push({
    measurement: "drift_dataset",
    tags: { model: w.model, version: w.version },
    fields: {
      share: drift.driftedShare,
      drifted: drift.drifted,
      drifted_features: drift.driftedFeatures,
      evaluated_features: drift.evaluatedFeatures,
      rows: drift.rows,
      late_rows: extra.lateRows,
      partial: extra.partial,
      window_ms: w.end - w.start,
    },
    time: w.start,
  });
  return points;
}

export function predictionDriftPoints(w: WindowIdentity, drift: FeatureDrift): MonitorPoint[] {
  return statisticPoints("drift_prediction", w, drift);
}

export function performancePoint(w: WindowIdentity, m: PerformanceMetrics, verdict: PerformanceVerdict): MonitorPoint {
  const fields: Record<string, number | boolean> = { n: m.n, judged: verdict.judged, degraded: verdict.judged && verdict.degraded, window_ms: w.end - w.start };
  finite(fields, "rmse", m.rmse);
  finite(fields, "mae", m.mae);
  finite(fields, "r2", m.r2);
  return { measurement: "performance", tags: { model: w.model, version: w.version }, fields, time: w.start };
}

/** Keeps points in memory (tests, and `edgeflow start` without InfluxDB). */
export class MemorySink implements MonitorSink {
  readonly points: MonitorPoint[] = [];
  async write(points: MonitorPoint[]): Promise<void> {
    this.points.push(...points);
  }
}
