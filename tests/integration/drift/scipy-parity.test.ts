// Parity of stream/drift with scipy: samples are generated here, written to a temp JSON,
// and tests/support/scipy_drift.py computes the same statistics with scipy in the trainer's
// venv. Values must agree within 1e-6 (relative, or absolute near 0); p-values within 1e-3.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { edgeflowHome } from "../../../schemas/index.ts";
import {
  CategoricalAccumulator,
  CategoricalReference,
  NumericAccumulator,
  NumericReference,
  categoricalChiSquare,
  categoricalJensenShannon,
  categoricalPsi,
  chiSquareSurvival,
  kolmogorovSmirnovSurvival,
  ks2samp,
  numericJensenShannon,
  numericKs,
  numericPsi,
  numericWasserstein,
  smirnovSurvival,
  wassersteinDistance,
  type CategoricalProfile,
  type NumericProfile,
} from "../../../stream/drift/index.ts";
import { bikeCounts, cauchy, choice, decileProfile, normal, poisson, seeded } from "./samples.ts";

const ROOT = resolve(import.meta.dirname, "../../..");
const PYTHON = join(edgeflowHome(), "venvs", "trainer", "bin", "python");
const SCRIPT = join(ROOT, "tests", "support", "scipy_drift.py");

const rand = seeded(20240917);

const ksCases = [
  { id: "exact-unequal-8-11", a: normal(rand, 8), b: normal(rand, 11, 0.8) },
  { id: "exact-equal-20", a: normal(rand, 20), b: normal(rand, 20, 1) },
  { id: "exact-ties-small-ints", a: poisson(rand, 40, 2), b: poisson(rand, 35, 3) },
  { id: "exact-identical", a: [1, 2, 3, 4, 5], b: [1, 2, 3, 4, 5] },
  { id: "exact-2000-vs-10000-shifted", a: normal(rand, 2000), b: normal(rand, 10_000, 0.05) },
  { id: "exact-1000-vs-1000-heavy-tails", a: cauchy(rand, 1000), b: cauchy(rand, 1000, 1.3) },
  { id: "asymp-5-vs-12000", a: normal(rand, 5, 1), b: normal(rand, 12_000) },
  { id: "asymp-2000-vs-20000-null", a: normal(rand, 2000), b: normal(rand, 20_000) },
  { id: "asymp-2000-vs-20000-shifted", a: normal(rand, 2000), b: normal(rand, 20_000, 0.08) },
  { id: "asymp-2000-vs-30000-ties", a: bikeCounts(rand, 2000), b: bikeCounts(rand, 30_000, 0.45) },
  { id: "asymp-equal-odd-10001", a: normal(rand, 10_001), b: normal(rand, 10_001, 0.03) },
  { id: "asymp-140-vs-20000", a: normal(rand, 141, 0.2), b: normal(rand, 20_000) },
];

const wassersteinCases = [
  { id: "normal-shift", u: normal(rand, 500), v: normal(rand, 700, 0.5, 1.2) },
  { id: "ties", u: poisson(rand, 300, 4), v: poisson(rand, 200, 5) },
  { id: "heavy-tails", u: cauchy(rand, 400), v: cauchy(rand, 400, 2) },
  { id: "scipy-doc", u: [0, 1, 3], v: [5, 6, 8] },
];

function numericCase(id: string, reference: number[], sampleSize: number, live: number[]) {
  const { edges, binCounts } = decileProfile(reference);
  const sample = reference.slice(0, sampleSize);
  return { id, sample, edges, binCounts, live, n: reference.length };
}

const numericCases = [
  numericCase("normal-shift-5000", normal(rand, 20_000), 2000, normal(rand, 5000, 0.1)),
  numericCase("normal-null-30000", normal(rand, 20_000), 2000, normal(rand, 30_000)),
  numericCase("bike-counts-season", bikeCounts(rand, 20_000), 2000, bikeCounts(rand, 8000, 0.3, 150)),
  numericCase("heavy-tail-live-outside-range", normal(rand, 10_000), 1500, cauchy(rand, 3000)),
  numericCase("small-window-40", normal(rand, 5000), 2000, normal(rand, 40, 0.4)),
];

const categories = ["a", "b", "c", "d", "e"];
const categoricalCases: { id: string; frequencies: Record<string, number>; n: number; live: string[] }[] = [
  {
    id: "no-unseen",
    frequencies: { a: 500, b: 300, c: 150, d: 50 },
    n: 1000,
    live: choice(rand, categories.slice(0, 4), [0.45, 0.3, 0.17, 0.08], 800),
  },
  {
    id: "with-unseen",
    frequencies: { a: 500, b: 300, c: 150, d: 50, z: 0 },
    n: 1000,
    live: [...choice(rand, categories, [0.4, 0.3, 0.15, 0.1, 0.05], 600), "z", "z", "never-seen"],
  },
  {
    id: "shares-not-counts",
    frequencies: { x: 0.7, y: 0.2, w: 0.1 },
    n: 250,
    live: choice(rand, ["x", "y", "w"], [0.5, 0.3, 0.2], 300),
  },
];

const kstwoCases: { id: string; n: number; x: number }[] = [];
for (const n of [1, 2, 5, 10, 50, 140, 141, 500, 1000, 5000, 100_000, 200_000]) {
  for (const z of [0.3, 0.6, 0.9, 1.2, 1.6, 2.5, 4]) {
    const x = Math.min(z / Math.sqrt(n), 0.999);
    kstwoCases.push({ id: `n${n}-x${x}`, n, x });
  }
  kstwoCases.push({ id: `n${n}-x0.75`, n, x: 0.75 }, { id: `n${n}-ruben`, n, x: 0.8 / n });
}
const smirnovCases = [
  { n: 1, x: 0.3 },
  { n: 5, x: 0.1 },
  { n: 10, x: 0.35 },
  { n: 100, x: 0.1 },
  { n: 1000, x: 0.05 },
  { n: 50_000, x: 0.01 },
  { n: 2_000_000, x: 0.001 },
].map((c) => ({ id: `n${c.n}-x${c.x}`, ...c }));
const chi2Cases: { id: string; df: number; x: number }[] = [];
for (const df of [1, 2, 3, 7, 30, 200, 5000]) {
  for (const r of [0.01, 0.5, 1, 1.5, 3]) chi2Cases.push({ id: `df${df}-x${df * r + 0.5}`, df, x: df * r + 0.5 });
}

interface ScipyOut {
  scipy: string;
  ks: Record<string, { statistic: number; pValue: number }>;
  wasserstein: Record<string, number>;
  numeric: Record<string, { ks: { statistic: number; pValue: number }; wasserstein: number; psi: number; jensenshannon: number }>;
  categorical: Record<string, { chisquare: { statistic: number; pValue: number }; jensenshannon: number; psi: number }>;
  kstwo: Record<string, number>;
  smirnov: Record<string, number>;
  chi2: Record<string, number>;
}

let scipy: ScipyOut;
let dir: string;

beforeAll(() => {
  if (!existsSync(PYTHON)) {
    throw new Error(
      `scipy parity needs the trainer's Python venv at ${PYTHON}, which does not exist. ` +
        "Create it with `bash services/trainer/install.sh` (or point EDGEFLOW_HOME at a home that has it).",
    );
  }
  dir = mkdtempSync(join(tmpdir(), "edgeflow-drift-parity-"));
  const input = join(dir, "cases.json");
  writeFileSync(
    input,
    JSON.stringify({
      ks: ksCases,
      wasserstein: wassersteinCases,
      numeric: numericCases,
      categorical: categoricalCases,
      kstwo: kstwoCases,
      smirnov: smirnovCases,
      chi2: chi2Cases,
    }),
  );
  const stdout = execFileSync(PYTHON, [SCRIPT, input], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  scipy = JSON.parse(stdout) as ScipyOut;
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** |a − b| ≤ tol·max(|b|, 1e-300) or, near zero, ≤ tol absolutely. */
function expectClose(actual: number, expected: number, tol: number, what: string): void {
  const err = Math.abs(actual - expected);
  const ok = err <= tol * Math.abs(expected) || err <= tol * 1e-3;
  expect(ok, `${what}: ours ${actual}, scipy ${expected}, |diff| ${err}`).toBe(true);
}

describe("drift statistics match scipy", () => {
  it.each(ksCases.map((c) => [c.id, c] as const))("ks_2samp %s: statistic within 1e-6, p-value within 1e-3", (id, c) => {
    const ours = ks2samp(c.a, c.b);
    const ref = scipy.ks[id] as { statistic: number; pValue: number };
    expectClose(ours.statistic, ref.statistic, 1e-6, `${id} statistic`);
    expect(Math.abs(ours.pValue - ref.pValue), `${id} p ${ours.pValue} vs ${ref.pValue}`).toBeLessThanOrEqual(1e-3);
    expectClose(ours.pValue, ref.pValue, 1e-6, `${id} p-value (relative)`);
  });

  it.each(wassersteinCases.map((c) => [c.id, c] as const))("wasserstein_distance %s within 1e-6", (id, c) => {
    expectClose(wassersteinDistance(c.u, c.v), scipy.wasserstein[id] as number, 1e-6, id);
  });

  it("kstwo.sf across every algorithm branch within 1e-6 relative", () => {
    for (const c of kstwoCases) expectClose(kolmogorovSmirnovSurvival(c.n, c.x), scipy.kstwo[c.id] as number, 1e-6, c.id);
  });

  it("smirnov (one-sided) within 1e-6 relative", () => {
    for (const c of smirnovCases) expectClose(smirnovSurvival(c.n, c.x), scipy.smirnov[c.id] as number, 1e-6, c.id);
  });

  it("chi2.sf within 1e-6 relative from the body to the far tail", () => {
    for (const c of chi2Cases) expectClose(chiSquareSurvival(c.x, c.df), scipy.chi2[c.id] as number, 1e-6, c.id);
  });
});

describe("accumulators reproduce scipy on the raw window", () => {
  it.each(numericCases.map((c) => [c.id, c] as const))("numeric %s: exact KS, PSI, JS; Wasserstein within its bound", (id, c) => {
    const profile: NumericProfile = {
      kind: "numeric",
      n: c.n,
      missing: 0,
      mean: 0,
      std: 1,
      min: c.edges[0] as number,
      max: c.edges[c.edges.length - 1] as number,
      quantileEdges: c.edges,
      binCounts: c.binCounts,
      sample: c.sample,
    };
    const acc = new NumericAccumulator(new NumericReference(id, profile));
    for (const v of c.live) acc.add(v);
    const ref = scipy.numeric[id] as ScipyOut["numeric"][string];
    const ks = numericKs(acc);
    expectClose(ks.statistic, ref.ks.statistic, 1e-6, `${id} ks statistic`);
    expect(Math.abs(ks.pValue - ref.ks.pValue)).toBeLessThanOrEqual(1e-3);
    expectClose(numericPsi(acc), ref.psi, 1e-6, `${id} psi`);
    expectClose(numericJensenShannon(acc), ref.jensenshannon, 1e-6, `${id} js`);
    const w = numericWasserstein(acc);
    expect(Math.abs(w.distance - ref.wasserstein), `${id} W1 ${w.distance} vs ${ref.wasserstein} bound ${w.errorBound}`)
      .toBeLessThanOrEqual(w.errorBound + 1e-9 * Math.max(1, ref.wasserstein));
  });

  it.each(categoricalCases.map((c) => [c.id, c] as const))("categorical %s: χ², JS and PSI within 1e-6", (id, c) => {
    const profile: CategoricalProfile = { kind: "categorical", n: c.n, missing: 0, frequencies: c.frequencies };
    const acc = new CategoricalAccumulator(new CategoricalReference(id, profile));
    for (const v of c.live) acc.add(v);
    const ref = scipy.categorical[id] as ScipyOut["categorical"][string];
    const chi = categoricalChiSquare(acc);
    expectClose(chi.statistic, ref.chisquare.statistic, 1e-6, `${id} chi2 statistic`);
    expectClose(chi.pValue, ref.chisquare.pValue, 1e-6, `${id} chi2 p-value`);
    expectClose(categoricalJensenShannon(acc), ref.jensenshannon, 1e-6, `${id} js`);
    expectClose(categoricalPsi(acc), ref.psi, 1e-6, `${id} psi`);
  });
});
