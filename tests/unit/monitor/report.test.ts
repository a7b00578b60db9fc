import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { evaluateDataset } from "../../../stream/drift/index.ts";
import { loadMonitoredModel } from "../../../services/monitor/monitored-model.ts";
import { renderDriftReport } from "../../../services/monitor/report.ts";
import { normalValues, writeDriftModelFolder } from "../../support/drift-fixtures.ts";

async function report(shiftA: number) {
  const model = await loadMonitoredModel(writeDriftModelFolder(mkdtempSync(join(tmpdir(), "ef-report-"))));
  const acc = model.reference.createAccumulator();
  const a = normalValues(500, 50 + shiftA, 10, 5);
  const b = normalValues(500, 0, 1, 6);
  for (let i = 0; i < 500; i++) acc.add({ a: a[i], b: b[i], flag: shiftA > 0 && i % 50 === 0 ? 1 : 0 });
  const drift = evaluateDataset(acc);
  const html = renderDriftReport({
    model: "drift-model",
    version: model.version,
    from: Date.UTC(2020, 10, 2),
    to: Date.UTC(2020, 10, 9),
    source: "Kafka t.features:0:0-500",
    accumulator: acc,
    drift,
    notMonitored: [{ feature: "z", reason: "no value in the training rows" }],
    generatedAt: 0,
  });
  return { html, drift };
}

describe("drift report", () => {
  it("holds one inline SVG histogram per monitored feature, with reference and current bars", async () => {
    const { html } = await report(30);
    const svgs = [...html.matchAll(/<svg[^>]*data-feature="([^"]+)"[^>]*>([\s\S]*?)<\/svg>/g)];
    expect(svgs.map((m) => m[1])).toEqual(["a", "b", "flag"]);
    for (const [, , body] of svgs) {
      expect(body!.match(/class="ref"/g)!.length).toBe(body!.match(/class="cur"/g)!.length);
      expect(body!.match(/class="ref"/g)!.length).toBeGreaterThan(1);
    }
  });

  it("is self-contained: no script, no external stylesheet, image or link", async () => {
    const { html } = await report(0);
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html).not.toMatch(/<script|<link|<img|src=|@import|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  });

  it("states the dataset verdict and every feature's statistics and verdict", async () => {
    const drifted = await report(30);
    expect(drifted.drift.drifted).toBe(true);
    expect(drifted.html).toContain("Dataset drift: 2 of 3 features drifted");
    expect(drifted.html).toMatch(/<h3>flag <span class="badge bad">drifted<\/span>/);
    expect(drifted.html).toMatch(/<td><a href="#f-a">a<\/a><\/td><td>numeric<\/td><td>500<\/td><td>ks<\/td>.*?<td class="bad">drift<\/td>/);
    expect(drifted.html).toContain("Not monitored: z (no value in the training rows)");
    const stable = await report(0);
    expect(stable.html).toContain("No dataset drift: 0 of 3 features drifted");
    expect(stable.html.match(/<thead><tr><th>method<\/th><th>value<\/th><th>p-value<\/th><th>verdict<\/th>/g)).toHaveLength(3);
  });
});
