// The Grafana dashboards against what they read. Grafana itself has no package here, so each
// panel's query is checked where it runs: every PromQL expression is accepted by the real
// Prometheus and names only metrics and labels the services register; every InfluxQL query,
// run on a real InfluxDB holding points written by the monitor's own point builders and
// sink, returns series. Every panel names a provisioned datasource.
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { register, type Metric } from "prom-client";
import { parse as parseYaml } from "yaml";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
// Every module that registers a metric on prom-client's default registry.
import "../../../services/api/metrics.ts";
import "../../../services/api/guard.ts";
import "../../../services/api/batcher.ts";
import "../../../stream/runtime/metrics.ts";
import "../../../stream/scoring/model-holder.ts";
import "../../../stream/scoring/scoring-processor.ts";
import "../../../services/monitor/metrics.ts";
import "../../../services/retrainer/retrain.ts";
import "../../../services/retrainer/retrainer.ts";
import { InfluxSink } from "../../../services/monitor/influx-sink.ts";
import { featureDriftPoints, performancePoint, predictionDriftPoints } from "../../../services/monitor/points.ts";
import type { FeatureDrift } from "../../../stream/drift/index.ts";

const services = inject("services");
const ROOT = resolve(import.meta.dirname, "../../..");
const dashboards = readdirSync(join(ROOT, "grafana/dashboards"))
  .filter((f) => f.endsWith(".json"))
  .map((f) => ({ file: f, json: JSON.parse(readFileSync(join(ROOT, "grafana/dashboards", f), "utf8")) as Dashboard }));

interface Target {
  refId: string;
  expr?: string;
  query?: string;
  datasource: { type: string; uid: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: Target[];
}
interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
}

const panels = dashboards.flatMap((d) => d.json.panels.filter((p) => p.type !== "row").map((p) => ({ dashboard: d.file, ...p })));
const targets = panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: `${p.dashboard}: ${p.title} [${t.refId}]`, ...t })));
const prom = targets.filter((t) => t.datasource.type === "prometheus");
const influxQueries = targets.filter((t) => t.datasource.type === "influxdb");

// What Grafana substitutes before a query leaves it.
const promExpr = (e: string) => e.replaceAll("$__rate_interval", "1m").replaceAll("$__interval", "1m").replaceAll("$__range", "1h");

describe("grafana provisioning and dashboards", () => {
  it("has dashboards with unique uids, and panels that each name a provisioned datasource and have queries", () => {
    expect(dashboards.length).toBeGreaterThan(0);
    expect(new Set(dashboards.map((d) => d.json.uid)).size).toBe(dashboards.length);
    const provisioned = parseYaml(readFileSync(join(ROOT, "grafana/provisioning/datasources/edgeflow.yml"), "utf8")) as { datasources: Array<{ uid: string; type: string }> };
    const known = new Set(provisioned.datasources.map((d) => `${d.type}/${d.uid}`));
    expect(panels.length).toBeGreaterThan(10);
    for (const p of panels) {
      expect(p.targets?.length ?? 0, p.title).toBeGreaterThan(0);
      expect(known.has(`${p.datasource!.type}/${p.datasource!.uid}`), p.title).toBe(true);
      for (const t of p.targets!) expect(known.has(`${t.datasource.type}/${t.datasource.uid}`), `${p.title} ${t.refId}`).toBe(true);
    }
    expect(new Set(panels.map((p) => `${p.dashboard}#${p.id}`)).size).toBe(panels.length);
  });

  it.each(prom.map((t) => [t.panel, t] as const))("PromQL %s: names registered metrics and their labels", (_name, t) => {
    const names = [...t.expr!.matchAll(/\b(edgeflow_[a-z0-9_]+)/g)].map((m) => m[1]!);
    expect(names.length).toBeGreaterThan(0);
    for (const raw of names) {
      const base = raw.replace(/_(bucket|count|sum)$/, "");
      const metric = (register.getSingleMetric(raw) ?? register.getSingleMetric(base)) as (Metric & { labelNames?: string[] }) | undefined;
      expect(metric, `${raw} is not registered by any service`).toBeDefined();
      const labels = new Set([...(metric!.labelNames ?? []), ...(raw.endsWith("_bucket") ? ["le"] : [])]);
      // Labels in `by (...)` clauses must exist on the metric the clause aggregates.
      for (const clause of t.expr!.matchAll(/by \(([^)]*)\)\s*\((?:rate|increase)?\(?\s*([a-z0-9_]+)/g)) {
        if (clause[2] !== raw) continue;
        for (const label of clause[1]!.split(",").map((s) => s.trim())) expect(labels.has(label), `${raw} has no label "${label}"`).toBe(true);
      }
    }
  });

  it.each(prom.map((t) => [t.panel, t] as const))("PromQL %s: accepted by Prometheus", async (_name, t) => {
    const res = await fetch(`${services.prometheusUrl}/api/v1/query?query=${encodeURIComponent(promExpr(t.expr!))}`);
    const body = (await res.json()) as { status: string; error?: string };
    expect(body.error ?? "").toBe("");
    expect(body.status).toBe("success");
  });
});

describe("InfluxQL panels on the monitor's own points", () => {
  const database = `it_grafana_${randomUUID().replaceAll("-", "").slice(0, 10)}`;
  const sink = new InfluxSink({ url: services.influxUrl, database });
  const start = Date.UTC(2020, 10, 2);
  const stop = start + 6 * 3_600_000;

  beforeAll(async () => {
    await sink.ensureDatabase();
    const feature = (name: string, value: number, pValue: number): FeatureDrift => ({
      feature: name,
      kind: "numeric",
      count: 500,
      missing: 0,
      method: "ks",
      drifted: pValue < 0.05,
      results: [
        { feature: name, method: "ks", value, pValue, drifted: pValue < 0.05 },
        { feature: name, method: "psi", value: value * 2, drifted: false },
      ],
    });
    for (let h = 0; h < 6; h++) {
      const w = { model: "bike-next-hour", version: h < 3 ? "1" : "2", start: start + h * 3_600_000, end: start + (h + 1) * 3_600_000 };
      const features = [feature("lag_1h", 0.05 * h, 0.5 / (h + 1)), feature("hour_of_day", 0.01, 0.9)];
      await sink.write([
        ...featureDriftPoints(w, { rows: 500, features, evaluatedFeatures: 2, driftedFeatures: h > 3 ? 1 : 0, driftedShare: h > 3 ? 0.5 : 0, drifted: false }, { lateRows: 0, partial: false }),
        ...predictionDriftPoints(w, feature("prediction", 0.02 * h, 0.7)),
        performancePoint(w, { n: 400, rmse: 20 + h, mae: 12 + h, r2: 0.95 - h / 100 }, { judged: true, degraded: false, reasons: [] }),
      ]);
    }
  });

  afterAll(async () => {
    await sink.influx.dropDatabase(database);
  });

  it.each(influxQueries.map((t) => [t.panel, t] as const))("InfluxQL %s: returns series", async (_name, t) => {
    const q = t.query!.replaceAll("$timeFilter", `time >= ${start}ms AND time < ${stop}ms`).replaceAll("$__interval", "1h");
    const res = await fetch(`${services.influxUrl}/query?db=${database}&epoch=ms&q=${encodeURIComponent(q)}`);
    const body = (await res.json()) as { error?: string; results: Array<{ error?: string; series?: Array<{ name: string; values: unknown[][] }> }> };
    expect(body.error ?? body.results[0]!.error ?? "").toBe("");
    const series = body.results[0]!.series ?? [];
    expect(series.length, q).toBeGreaterThan(0);
    expect(series.flatMap((s) => s.values).some((row) => row[1] !== null)).toBe(true);
  });
});
