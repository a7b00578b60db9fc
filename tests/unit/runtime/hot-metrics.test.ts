// Hot-path metrics must read exactly like prom-client's own: same exposition for the same
// observations, so dashboards, alerts and recording rules cannot tell them apart.
import { Counter, Histogram, Registry, register } from "prom-client";
import { describe, expect, it } from "vitest";
import { HotCounter, HotHistogram } from "../../../stream/runtime/hot-metrics.ts";

const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.1, 1];

describe("hot metrics", () => {
  it("expose a histogram exactly as prom-client does", async () => {
    const hot = HotHistogram.of({ name: "test_hot_duration_seconds", help: "h", labelNames: ["route", "status"], buckets: BUCKETS });
    const own = new Registry();
    const reference = new Histogram({ name: "test_hot_duration_seconds", help: "h", labelNames: ["route", "status"], buckets: BUCKETS, registers: [own] });
    const observations: Array<[string, string, number]> = [
      ["/a", "200", 0.0004],
      ["/a", "200", 0.0005], // on a bound: counted in that bucket (le)
      ["/a", "200", 0.003],
      ["/a", "500", 2],
      ["/b", "200", 0.05],
      ["/a", "200", 0.01],
    ];
    for (const [route, status, v] of observations) {
      hot.labels(route, status).observe(v);
      reference.labels(route, status).observe(v);
    }
    expect(await register.getSingleMetricAsString("test_hot_duration_seconds")).toBe(await own.getSingleMetricAsString("test_hot_duration_seconds"));
  });

  it("expose a histogram without labels exactly as prom-client does, before and after observations", async () => {
    const hot = HotHistogram.of({ name: "test_hot_rows", help: "r", labelNames: [], buckets: [1, 4, 16] }).labels();
    const own = new Registry();
    const reference = new Histogram({ name: "test_hot_rows", help: "r", buckets: [1, 4, 16], registers: [own] });
    expect(await register.getSingleMetricAsString("test_hot_rows")).toBe(await own.getSingleMetricAsString("test_hot_rows"));
    for (const v of [1, 3, 100]) {
      hot.observe(v);
      reference.observe(v);
    }
    expect(await register.getSingleMetricAsString("test_hot_rows")).toBe(await own.getSingleMetricAsString("test_hot_rows"));
  });

  it("expose a counter exactly as prom-client does", async () => {
    const hot = HotCounter.of({ name: "test_hot_total", help: "c", labelNames: ["model", "version"] });
    const own = new Registry();
    const reference = new Counter({ name: "test_hot_total", help: "c", labelNames: ["model", "version"], registers: [own] });
    for (const [m, v, by] of [["m", "1", 1], ["m", "2", 5], ["m", "1", 2.5]] as const) {
      hot.labels(m, v).inc(by);
      reference.labels(m, v).inc(by);
    }
    expect(await register.getSingleMetricAsString("test_hot_total")).toBe(await own.getSingleMetricAsString("test_hot_total"));
  });

  it("carry their label names on the registry, like prom-client's metrics (dashboards are checked against them)", () => {
    type Named = { labelNames?: readonly string[] };
    HotCounter.of({ name: "test_hot_named_total", help: "c", labelNames: ["route", "result"] });
    HotHistogram.of({ name: "test_hot_named_seconds", help: "h", labelNames: ["route"], buckets: BUCKETS });
    const own = new Registry();
    const reference = new Counter({ name: "test_hot_named_total", help: "c", labelNames: ["route", "result"], registers: [own] });
    expect((register.getSingleMetric("test_hot_named_total") as unknown as Named).labelNames).toEqual((reference as unknown as Named).labelNames);
    expect((register.getSingleMetric("test_hot_named_seconds") as unknown as Named).labelNames).toEqual(["route"]);
  });

  it("give the registered metric back for a name already registered, and keep held children counting after a reset", async () => {
    const a = HotCounter.of({ name: "test_hot_again_total", help: "c", labelNames: ["k"] });
    const b = HotCounter.of({ name: "test_hot_again_total", help: "c", labelNames: ["k"] });
    expect(b).toBe(a);
    const child = a.labels("x");
    child.inc(3);
    register.resetMetrics();
    child.inc();
    expect(await register.getSingleMetricAsString("test_hot_again_total")).toContain('test_hot_again_total{k="x"} 1');
  });

  it("refuse what prom-client refuses: a counter going down, a wrong number of labels, a non-finite observation", () => {
    const c = HotCounter.of({ name: "test_hot_refuse_total", help: "c", labelNames: ["k"] });
    expect(() => c.labels("x").inc(-1)).toThrow(/cannot go down/);
    expect(() => c.labels("x").inc(Number.NaN)).toThrow(/cannot go down/);
    expect(() => c.labels("x").inc(Infinity)).toThrow(/Infinity/);
    expect(() => c.labels("x", "y")).toThrow(/expected 1 label values \(k\), got 2/);
    const h = HotHistogram.of({ name: "test_hot_refuse_seconds", help: "h", labelNames: [], buckets: [1] });
    expect(() => h.labels().observe(Number.NaN)).toThrow(/cannot observe NaN/);
    expect(() => HotHistogram.of({ name: "test_hot_le", help: "h", labelNames: ["le"], buckets: [1] })).toThrow(/"le" is reserved/);
  });
});
