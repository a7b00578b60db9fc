// The drift report: one self-contained HTML page (inline CSS and SVG, no script, no network)
// comparing a range of live feature vectors with a model version's reference profile —
// per feature the reference and current distributions on the reference's own bins (deciles
// for numeric features, categories + "other" for categorical ones), every statistic with its
// verdict, and the dataset verdict. Pure: accumulators in, HTML out.
import type { CategoricalAccumulator, DatasetAccumulator, DatasetDrift, FeatureDrift, NumericAccumulator } from "../../stream/drift/index.ts";

export interface DriftReportInput {
  model: string;
  version: string;
  from: number;
  to: number;
  /** Where the rows were read (topic ranges, a directory). */
  source: string;
  accumulator: DatasetAccumulator;
  drift: DatasetDrift;
  notMonitored: Array<{ feature: string; reason: string }>;
  generatedAt: number;
}

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

function num(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return "–";
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(2);
  return String(Number(v.toPrecision(4)));
}

interface Bars {
  labels: string[];
  reference: number[];
  current: number[];
}

function shares(counts: ArrayLike<number>): number[] {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i]!;
  return Array.from(counts, (c) => (total > 0 ? c / total : 0));
}

function numericBars(acc: NumericAccumulator): Bars {
  const e = acc.reference.edges;
  const labels = Array.from({ length: e.length - 1 }, (_, i) => `${num(e[i])}–${num(e[i + 1])}`);
  return { labels, reference: shares(acc.reference.binCounts), current: shares(acc.binCounts) };
}

function categoricalBars(acc: CategoricalAccumulator): Bars {
  return { labels: [...acc.reference.categories, "other"], reference: Array.from(acc.reference.expectedShares), current: shares(acc.counts) };
}

/** Grouped bars, reference (grey) beside current (orange), share on the y axis. */
export function histogramSvg(feature: string, bars: Bars): string {
  const W = 560;
  const H = 220;
  const left = 44;
  const bottom = 54;
  const top = 12;
  const n = bars.labels.length;
  const max = Math.max(0.01, ...bars.reference, ...bars.current);
  const slot = (W - left - 8) / n;
  const bw = Math.max(2, slot * 0.38);
  const y = (v: number) => top + (H - top - bottom) * (1 - v / max);
  const parts: string[] = [];
  for (const t of [0, 0.5, 1]) {
    const v = max * t;
    parts.push(`<line x1="${left}" x2="${W - 4}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" class="grid"/>`);
    parts.push(`<text x="${left - 4}" y="${(y(v) + 4).toFixed(1)}" class="tick" text-anchor="end">${(v * 100).toFixed(0)}%</text>`);
  }
  bars.labels.forEach((label, i) => {
    const x = left + i * slot + slot * 0.1;
    const r = bars.reference[i] ?? 0;
    const c = bars.current[i] ?? 0;
    parts.push(`<rect x="${x.toFixed(1)}" y="${y(r).toFixed(1)}" width="${bw.toFixed(1)}" height="${(y(0) - y(r)).toFixed(1)}" class="ref"><title>reference ${esc(label)}: ${(r * 100).toFixed(1)}%</title></rect>`);
    parts.push(`<rect x="${(x + bw).toFixed(1)}" y="${y(c).toFixed(1)}" width="${bw.toFixed(1)}" height="${(y(0) - y(c)).toFixed(1)}" class="cur"><title>current ${esc(label)}: ${(c * 100).toFixed(1)}%</title></rect>`);
    const lx = x + bw;
    parts.push(`<text x="${lx.toFixed(1)}" y="${H - bottom + 12}" class="tick" text-anchor="end" transform="rotate(-35 ${lx.toFixed(1)} ${H - bottom + 12})">${esc(label)}</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(feature)}: reference vs current distribution" data-feature="${esc(feature)}">${parts.join("")}</svg>`;
}

function statisticsRows(f: FeatureDrift): string {
  return f.results
    .map(
      (r) =>
        `<tr${r.method === f.method ? ' class="deciding"' : ""}><td>${esc(r.method)}${r.method === f.method ? " ★" : ""}</td><td>${num(r.value)}</td><td>${num(r.pValue)}</td><td class="${r.drifted ? "bad" : "ok"}">${r.drifted ? "drift" : "no drift"}</td></tr>`,
    )
    .join("");
}

export function renderDriftReport(input: DriftReportInput): string {
  const { drift, accumulator } = input;
  const range = `${new Date(input.from).toISOString()} – ${new Date(input.to).toISOString()}`;
  const sections = drift.features
    .map((f) => {
      const acc = accumulator.features.get(f.feature)!;
      const bars = acc.kind === "numeric" ? numericBars(acc) : categoricalBars(acc);
      return `<section class="feature" id="f-${esc(f.feature)}">
<h3>${esc(f.feature)} <span class="${f.drifted ? "badge bad" : "badge ok"}">${f.drifted ? "drifted" : "stable"}</span></h3>
<p class="meta">${f.kind}, ${f.count} values, ${f.missing} missing; deciding method ★ ${esc(f.method)}</p>
${histogramSvg(f.feature, bars)}
<table><thead><tr><th>method</th><th>value</th><th>p-value</th><th>verdict</th></tr></thead><tbody>${statisticsRows(f)}</tbody></table>
</section>`;
    })
    .join("\n");
  const summary = drift.features
    .map((f) => {
      const d = f.results.find((r) => r.method === f.method)!;
      return `<tr><td><a href="#f-${esc(f.feature)}">${esc(f.feature)}</a></td><td>${f.kind}</td><td>${f.count}</td><td>${esc(f.method)}</td><td>${num(d.value)}</td><td>${num(d.pValue)}</td><td class="${f.drifted ? "bad" : "ok"}">${f.drifted ? "drift" : "no drift"}</td></tr>`;
    })
    .join("");
  const skipped = input.notMonitored.length
    ? `<p class="meta">Not monitored: ${input.notMonitored.map((n) => `${esc(n.feature)} (${esc(n.reason)})`).join(", ")}.</p>`
    : "";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Drift report — ${esc(input.model)} v${esc(input.version)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:980px;color:#222;padding:0 1rem}
h1{font-size:1.5rem;margin-bottom:.2rem}h3{margin:.2rem 0}
.meta{color:#666;margin:.2rem 0}.verdict{padding:.8rem 1rem;border-radius:6px;margin:1rem 0;font-weight:600}
.verdict.bad{background:#fde8e4;color:#8a1c0c}.verdict.ok{background:#e6f4ea;color:#185c2b}
table{border-collapse:collapse;margin:.5rem 0 1rem}td,th{border-bottom:1px solid #ddd;padding:.25rem .6rem;text-align:left}
td.bad{color:#b3261e;font-weight:600}td.ok{color:#185c2b}tr.deciding{background:#f6f6f6}
.badge{font-size:.75rem;padding:.1rem .45rem;border-radius:9px;vertical-align:middle}.badge.bad{background:#b3261e;color:#fff}.badge.ok{background:#d5ecd9;color:#185c2b}
section.feature{border-top:1px solid #eee;padding-top:.8rem;margin-top:.8rem}
svg .ref{fill:#9aa0a6}svg .cur{fill:#f28c28}svg .grid{stroke:#eee}svg .tick{font-size:10px;fill:#555}
.legend span{display:inline-block;width:.8rem;height:.8rem;margin:0 .3rem 0 1rem;vertical-align:middle}
</style></head><body>
<h1>Drift report — ${esc(input.model)} v${esc(input.version)}</h1>
<p class="meta">Live rows ${esc(range)} (${drift.rows} rows) against the version's reference profile. Source: ${esc(input.source)}. Generated ${new Date(input.generatedAt).toISOString()}.</p>
<div class="verdict ${drift.drifted ? "bad" : "ok"}">${drift.drifted ? "Dataset drift" : "No dataset drift"}: ${drift.driftedFeatures} of ${drift.evaluatedFeatures} features drifted (share ${num(drift.driftedShare)}).</div>
${skipped}
<p class="legend"><span style="background:#9aa0a6"></span>reference (training rows)<span style="background:#f28c28"></span>current (live rows)</p>
<table><thead><tr><th>feature</th><th>kind</th><th>values</th><th>method</th><th>value</th><th>p-value</th><th>verdict</th></tr></thead><tbody>${summary}</tbody></table>
${sections}
</body></html>
`;
}
