import { describe, expect, it } from "vitest";
import { RegressionMetrics } from "../../../stream/outcomes/index.ts";
import { addOutcome, judgePerformance, mergePerformance, newPerformance, performanceMetrics } from "../../../services/monitor/performance.ts";

const pairs: Array<[number, number]> = [
  [10, 12],
  [20, 18],
  [35, 30],
  [5, 9],
  [50, 41],
  [12, 12],
  [70, 90],
];

describe("windowed regression metrics", () => {
  it("equals RegressionMetrics on the same outcomes", () => {
    const s = newPerformance();
    const ref = new RegressionMetrics();
    for (const [p, a] of pairs) {
      addOutcome(s, p, a);
      ref.add(p, a);
    }
    const m = performanceMetrics(s);
    expect(m.n).toBe(7);
    expect(m.rmse).toBeCloseTo(ref.rmse, 12);
    expect(m.mae).toBeCloseTo(ref.mae, 12);
    expect(m.r2).toBeCloseTo(ref.r2, 12);
  });

  it("merges panes into the metrics of all their outcomes (Chan's update)", () => {
    const a = newPerformance();
    const b = newPerformance();
    const all = newPerformance();
    pairs.forEach(([p, y], i) => {
      addOutcome(i < 3 ? a : b, p, y);
      addOutcome(all, p, y);
    });
    const merged = performanceMetrics(mergePerformance(a, b));
    const direct = performanceMetrics(all);
    expect(merged.rmse).toBeCloseTo(direct.rmse, 12);
    expect(merged.r2).toBeCloseTo(direct.r2, 12);
    expect(performanceMetrics(mergePerformance(newPerformance(), all)).r2).toBeCloseTo(direct.r2, 12);
  });

  it("judges the bike bounds: RMSE above 60 or R² below 0.65 is degraded; too few outcomes are not judged", () => {
    const bounds = { maxRmse: 60, minR2: 0.65, minOutcomes: 5 };
    expect(judgePerformance({ n: 100, rmse: 61, mae: 30, r2: 0.9 }, bounds)).toEqual({ judged: true, degraded: true, reasons: ["rmse 61.00 > 60"] });
    expect(judgePerformance({ n: 100, rmse: 20, mae: 10, r2: 0.6 }, bounds)).toEqual({ judged: true, degraded: true, reasons: ["r2 0.600 < 0.65"] });
    expect(judgePerformance({ n: 100, rmse: 20, mae: 10, r2: 0.9 }, bounds)).toEqual({ judged: true, degraded: false, reasons: [] });
    expect(judgePerformance({ n: 4, rmse: 99, mae: 99, r2: 0 }, bounds)).toEqual({ judged: false, reason: "4 outcomes < 5" });
  });
});
