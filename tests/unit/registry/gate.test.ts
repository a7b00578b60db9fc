import { describe, expect, it } from "vitest";
import { decide, holdoutIdOf, type HoldoutMetrics } from "../../../services/registry/index.ts";

const H = "snap-1:2020-09-20..2020-10-01";
const reg = (rmse: number, r2: number, holdoutId = H): HoldoutMetrics => ({ holdoutId, metrics: { rmse, r2, mae: rmse / 2 } });
const cls = (cost: number, auc: number, holdoutId = H): HoldoutMetrics => ({ holdoutId, metrics: { cost, auc } });

describe("gate: regression against a champion", () => {
  it("promotes a candidate whose RMSE is lower by more than the margin and whose R² is not worse", () => {
    const v = decide({ task: "regression", candidate: reg(45, 0.8), champion: reg(50, 0.78), margin: 0.02 });
    expect(v).toEqual({
      promote: true,
      reasons: [
        "rmse 45 vs champion 50: 10.0% lower, needs ≥ 2.0%",
        "r2 0.8 vs champion 0.78: within the allowed drop of 0.02",
      ],
    });
  });

  it("refuses a candidate that improves RMSE by less than the margin", () => {
    const v = decide({ task: "regression", candidate: reg(49.5, 0.8), champion: reg(50, 0.78), margin: 0.02 });
    expect(v.promote).toBe(false);
    expect(v.reasons).toEqual(["rmse 49.5 vs champion 50: 1.0% lower, needs ≥ 2.0%"]);
  });

  it("promotes at exactly the margin (49 is 2% below 50)", () => {
    expect(decide({ task: "regression", candidate: reg(49, 0.78), champion: reg(50, 0.78), margin: 0.02 }).promote).toBe(true);
  });

  it("refuses a candidate with a worse RMSE", () => {
    const v = decide({ task: "regression", candidate: reg(55, 0.8), champion: reg(50, 0.78), margin: 0.02 });
    expect(v).toEqual({ promote: false, reasons: ["rmse 55 vs champion 50: -10.0% lower, needs ≥ 2.0%"] });
  });

  it("refuses a better RMSE bought with an R² drop larger than the margin", () => {
    const v = decide({ task: "regression", candidate: reg(40, 0.7), champion: reg(50, 0.75), margin: 0.02 });
    expect(v).toEqual({ promote: false, reasons: ["r2 0.7 vs champion 0.75: worse than the allowed drop of 0.02"] });
  });

  it("accepts an R² drop within the margin", () => {
    expect(decide({ task: "regression", candidate: reg(40, 0.74), champion: reg(50, 0.75), margin: 0.02 }).promote).toBe(true);
  });

  it("names both failures when RMSE and R² both fail", () => {
    const v = decide({ task: "regression", candidate: reg(60, 0.5), champion: reg(50, 0.75), margin: 0.02 });
    expect(v.promote).toBe(false);
    expect(v.reasons).toHaveLength(2);
    expect(v.reasons[0]).toMatch(/^rmse 60 vs champion 50/);
    expect(v.reasons[1]).toMatch(/^r2 0.5 vs champion 0.75: worse/);
  });

  it("with a zero margin promotes an equal candidate", () => {
    expect(decide({ task: "regression", candidate: reg(50, 0.75), champion: reg(50, 0.75), margin: 0 }).promote).toBe(true);
  });

  it("cannot beat a champion at RMSE 0 by a relative margin", () => {
    expect(decide({ task: "regression", candidate: reg(0, 1), champion: reg(0, 1), margin: 0.02 }).promote).toBe(false);
  });
});

describe("gate: classification against a champion", () => {
  it("promotes on a cost lower by the margin with AUC not worse", () => {
    const v = decide({ task: "classification", candidate: cls(900, 0.8), champion: cls(1000, 0.79), margin: 0.05 });
    expect(v.promote).toBe(true);
    expect(v.reasons[0]).toBe("cost 900 vs champion 1000: 10.0% lower, needs ≥ 5.0%");
  });

  it("refuses a cost improvement below the margin", () => {
    const v = decide({ task: "classification", candidate: cls(980, 0.8), champion: cls(1000, 0.79), margin: 0.05 });
    expect(v).toEqual({ promote: false, reasons: ["cost 980 vs champion 1000: 2.0% lower, needs ≥ 5.0%"] });
  });

  it("refuses a cheaper model whose AUC dropped by more than the margin", () => {
    const v = decide({ task: "classification", candidate: cls(800, 0.7), champion: cls(1000, 0.8), margin: 0.05 });
    expect(v).toEqual({ promote: false, reasons: ["auc 0.7 vs champion 0.8: worse than the allowed drop of 0.05"] });
  });
});

describe("gate: no champion", () => {
  it("promotes a first bike model within the default bounds (RMSE ≤ 60, R² ≥ 0.65)", () => {
    const v = decide({ task: "regression", candidate: reg(55, 0.7), champion: null, margin: 0.02 });
    expect(v).toEqual({
      promote: true,
      reasons: ["no champion: judged on absolute bounds", "rmse 55 ≤ bound 60", "r2 0.7 ≥ bound 0.65"],
    });
  });

  it("accepts values exactly on the bounds", () => {
    expect(decide({ task: "regression", candidate: reg(60, 0.65), champion: null, margin: 0.02 }).promote).toBe(true);
  });

  it("refuses a first model above the RMSE bound", () => {
    expect(decide({ task: "regression", candidate: reg(61, 0.9), champion: null, margin: 0.02 })).toEqual({
      promote: false,
      reasons: ["rmse 61 > bound 60"],
    });
  });

  it("refuses a first model below the R² bound", () => {
    expect(decide({ task: "regression", candidate: reg(30, 0.6), champion: null, margin: 0.02 })).toEqual({
      promote: false,
      reasons: ["r2 0.6 < bound 0.65"],
    });
  });

  it("uses bounds given by the caller instead of the defaults", () => {
    const input = { task: "regression" as const, candidate: reg(70, 0.7), champion: null, margin: 0.02 };
    expect(decide(input).promote).toBe(false);
    expect(decide({ ...input, bounds: { maxRmse: 80 } }).promote).toBe(true);
  });

  it("requires AUC ≥ 0.75 for a first classifier, and a cost bound only when given", () => {
    expect(decide({ task: "classification", candidate: cls(5000, 0.76), champion: null, margin: 0.02 }).promote).toBe(true);
    expect(decide({ task: "classification", candidate: cls(5000, 0.74), champion: null, margin: 0.02 }).reasons).toEqual(["auc 0.74 < bound 0.75"]);
    expect(decide({ task: "classification", candidate: cls(5000, 0.9), champion: null, margin: 0.02, bounds: { maxCost: 4000 } }).reasons).toEqual([
      "cost 5000 > bound 4000",
    ]);
  });
});

describe("gate: refusals before any comparison", () => {
  it("refuses metrics from different holdouts, naming both", () => {
    const v = decide({ task: "regression", candidate: reg(10, 0.99, "a"), champion: reg(50, 0.7, "b"), margin: 0.02 });
    expect(v.promote).toBe(false);
    expect(v.reasons).toEqual(["metrics are from different holdouts (candidate a, champion b); evaluate both on the same holdout"]);
  });

  it("refuses a candidate that lacks the task's metrics", () => {
    const v = decide({ task: "classification", candidate: { holdoutId: H, metrics: { auc: 0.9 } }, champion: null, margin: 0.02 });
    expect(v).toEqual({ promote: false, reasons: [`candidate lacks cost on holdout ${H}`] });
  });

  it("treats a NaN metric as missing", () => {
    const v = decide({ task: "regression", candidate: { holdoutId: H, metrics: { rmse: Number.NaN, r2: 0.8 } }, champion: null, margin: 0.02 });
    expect(v.reasons).toEqual([`candidate lacks rmse on holdout ${H}`]);
  });

  it("refuses when the champion lacks the metrics to compare with", () => {
    const v = decide({ task: "regression", candidate: reg(40, 0.8), champion: { holdoutId: H, metrics: { rmse: 50 } }, margin: 0.02 });
    expect(v).toEqual({ promote: false, reasons: [`champion lacks r2 on holdout ${H}`] });
  });

  it("refuses a margin outside [0, 1)", () => {
    expect(decide({ task: "regression", candidate: reg(40, 0.8), champion: null, margin: -0.1 }).reasons).toEqual(["margin must be a fraction in [0, 1), got -0.1"]);
    expect(decide({ task: "regression", candidate: reg(40, 0.8), champion: null, margin: 1 }).promote).toBe(false);
  });
});

describe("holdoutIdOf", () => {
  it("names a holdout by snapshot id and test window", () => {
    const card = {
      snapshot: { id: "bike-2020-10", sha256: "a".repeat(64), rows: 10, from: "2020-09-01", to: "2020-10-01" },
      split: { trainFrom: "2020-09-01", trainTo: "2020-09-20", testFrom: "2020-09-20", testTo: "2020-10-01", trainRows: 8, testRows: 2 },
    };
    expect(holdoutIdOf(card)).toBe("bike-2020-10:2020-09-20..2020-10-01");
  });
});
