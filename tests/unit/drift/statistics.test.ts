// Small literal examples for each statistic; expected values computed with scipy 1.17
// (the call is beside each value).
import { describe, expect, it } from "vitest";
import {
  StatisticInputError,
  chiSquare,
  chiSquareSurvival,
  expectedFromShares,
  gammaincLower,
  gammaincUpper,
  jensenShannonDistance,
  kolmogorovLimitSurvival,
  kolmogorovSmirnovSurvival,
  ks2samp,
  logGamma,
  psi,
  smirnovSurvival,
  wassersteinDistance,
} from "../../../stream/drift/index.ts";

const close = (actual: number, expected: number, rel = 1e-9) =>
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.abs(expected) + 1e-15);

describe("ks2samp", () => {
  it("gives scipy's statistic and exact p-value for unequal small samples", () => {
    // stats.ks_2samp([1,2,3,4,5],[3,4,5,6,7,8]) -> (0.5, 0.35714285714285715)
    const r = ks2samp([1, 2, 3, 4, 5], [3, 4, 5, 6, 7, 8]);
    expect(r.statistic).toBe(0.5);
    close(r.pValue, 0.35714285714285715);
    expect(r.method).toBe("exact");
  });

  it("uses the equal-size exact series when n1 = n2", () => {
    // stats.ks_2samp([1..8],[5..12]) -> (0.5, 0.2826728826728826)
    const r = ks2samp([1, 2, 3, 4, 5, 6, 7, 8], [5, 6, 7, 8, 9, 10, 11, 12]);
    expect(r.statistic).toBe(0.5);
    close(r.pValue, 0.2826728826728826);
  });

  it("evaluates ECDFs right-continuously so ties count on both sides", () => {
    // stats.ks_2samp([1,1,2,2,3],[2,2,3,3,4,4,4]) -> (0.5142857142857142, 0.3282828282828283)
    const r = ks2samp([1, 1, 2, 2, 3], [2, 2, 3, 3, 4, 4, 4]);
    close(r.statistic, 0.5142857142857142, 1e-15);
    close(r.pValue, 0.3282828282828283);
  });

  it("returns D = 0 and p = 1 for identical samples", () => {
    // stats.ks_2samp([0.1,0.4,0.7,1.2],[0.1,0.4,0.7,1.2]) -> (0.0, 1.0)
    expect(ks2samp([0.1, 0.4, 0.7, 1.2], [0.1, 0.4, 0.7, 1.2])).toEqual({ statistic: 0, pValue: 1, method: "exact" });
  });

  it("switches to the asymptotic kstwo distribution above 10 000 values", () => {
    // stats.ks_2samp(np.arange(20000)/20000, np.arange(3)/3+0.1) -> (0.23331666666666662, 0.9857884417780001)
    const a = Array.from({ length: 20_000 }, (_, i) => i / 20_000);
    const r = ks2samp(a, [0.1, 1 / 3 + 0.1, 2 / 3 + 0.1]);
    expect(r.method).toBe("asymp");
    close(r.statistic, 0.23331666666666662, 1e-12);
    close(r.pValue, 0.9857884417780001, 1e-9);
  });

  it("refuses an empty sample with a typed error", () => {
    expect(() => ks2samp([], [1])).toThrow(StatisticInputError);
  });
});

describe("Kolmogorov distributions", () => {
  it("kstwo.sf matches scipy in the Pomeranz, Durbin and Pelz–Good/Smirnov regimes", () => {
    close(kolmogorovSmirnovSurvival(20, 0.3), 0.04306706665851623); // stats.kstwo.sf(0.3, 20)
    close(kolmogorovSmirnovSurvival(1000, 0.05), 0.013012074781090332); // stats.kstwo.sf(0.05, 1000)
    close(kolmogorovSmirnovSurvival(200_000, 0.01), 8.433125699870092e-18, 1e-8); // stats.kstwo.sf(0.01, 200000)
  });

  it("smirnov matches scipy.special.smirnov", () => {
    close(smirnovSurvival(10, 0.2), 0.39676169159999997); // special.smirnov(10, 0.2)
    close(smirnovSurvival(1000, 0.05), 0.006506037390545166); // special.smirnov(1000, 0.05)
  });

  it("smirnov takes scipy's short upper sum for tiny x", () => {
    close(smirnovSurvival(100, 0.025), 0.8681674982884928, 1e-12); // special.smirnov(100, 0.025)
    close(smirnovSurvival(100, 0.015), 0.9467292220990107, 1e-12); // special.smirnov(100, 0.015)
    close(smirnovSurvival(40, 0.03), 0.9122412540068074, 1e-12); // special.smirnov(40, 0.03)
  });

  it("kolmogorov's limit matches scipy.special.kolmogorov on both series", () => {
    close(kolmogorovLimitSurvival(0.5), 0.9639452436648751); // special.kolmogorov(0.5)
    close(kolmogorovLimitSurvival(1.36), 0.049485876755377876); // special.kolmogorov(1.36)
  });
});

describe("gamma functions and χ²", () => {
  it("matches scipy's gammaln, gammainc and gammaincc", () => {
    close(logGamma(0.5), 0.5723649429247, 1e-13); // special.gammaln(0.5)
    close(logGamma(100.5), 361.43554046777757, 1e-14); // special.gammaln(100.5)
    close(gammaincLower(2.5, 1.5), 0.3000141641213724, 1e-12); // special.gammainc(2.5, 1.5)
    close(gammaincUpper(2.5, 1.5), 0.6999858358786276, 1e-12); // special.gammaincc(2.5, 1.5)
  });

  it("chi2.sf is accurate in the body and the far tail", () => {
    close(chiSquareSurvival(3.84, 1), 0.05004352124870519, 1e-12); // stats.chi2.sf(3.84, 1)
    close(chiSquareSurvival(100, 50), 3.454931382984871e-5, 1e-10); // stats.chi2.sf(100, 50)
    close(chiSquareSurvival(0.5, 10), 0.999993388289439, 1e-12); // stats.chi2.sf(0.5, 10)
    close(chiSquareSurvival(1500, 1000), 1.0454640385980825e-22, 1e-9); // stats.chi2.sf(1500, 1000)
    expect(chiSquareSurvival(0, 3)).toBe(1);
  });

  it("chisquare gives scipy's statistic and p-value", () => {
    // stats.chisquare([16,18,16,14,12,12],[16,16,16,16,16,8]) -> (3.5, 0.6233876277495822)
    const r = chiSquare([16, 18, 16, 14, 12, 12], [16, 16, 16, 16, 16, 8]);
    close(r.statistic, 3.5);
    close(r.pValue, 0.6233876277495822, 1e-12);
    expect(r.degreesOfFreedom).toBe(5);
  });

  it("scales expected shares to the observed total", () => {
    // stats.chisquare([43,52,54,40],[47.25]*4) -> (2.9365079365079363, 0.4015183527259283)
    const r = chiSquare([43, 52, 54, 40], expectedFromShares([1, 1, 1, 1], 189));
    close(r.statistic, 2.9365079365079363);
    close(r.pValue, 0.4015183527259283, 1e-12);
  });

  it("rejects totals that disagree, like scipy's sum check", () => {
    expect(() => chiSquare([10, 10], [10, 12])).toThrow(StatisticInputError);
  });
});

describe("PSI", () => {
  it("sums (a − e)·ln(a/e) over bin shares", () => {
    // e=[.25,.25,.25,.25], a=[5,10,15,10]/40: np.sum((a-e)*np.log(a/e)) -> 0.1373265360835137
    close(psi([10, 10, 10, 10], [5, 10, 15, 10]), 0.1373265360835137, 1e-12);
  });

  it("replaces an empty bin's share by 1e-4 on either side", () => {
    // e=[.2,.2,0,.6]→0→1e-4, a=[.3,0,.1,.6]→0→1e-4: np.sum((a-e)*np.log(a/e)) -> 2.2500516648435944
    close(psi([20, 20, 0, 60], [30, 0, 10, 60]), 2.2500516648435944, 1e-12);
  });

  it("is 0 for identical shares whatever the totals", () => {
    expect(psi([1, 2, 3], [10, 20, 30])).toBeCloseTo(0, 15);
  });
});

describe("Jensen–Shannon distance", () => {
  it("matches scipy.spatial.distance.jensenshannon (natural log)", () => {
    close(jensenShannonDistance([1, 0], [0.5, 0.5]), 0.464501404022459); // jensenshannon([1.0,0.0],[0.5,0.5])
    close(jensenShannonDistance([1, 0, 0], [0, 1, 0]), 0.8325546111576977); // jensenshannon([1,0,0],[0,1,0]) = sqrt(ln 2)
    close(jensenShannonDistance([10, 20, 30, 40], [40, 30, 20, 10]), 0.32625164411267443); // jensenshannon([10,20,30,40],[40,30,20,10])
  });
});

describe("Wasserstein-1", () => {
  it("matches scipy.stats.wasserstein_distance", () => {
    expect(wassersteinDistance([0, 1, 3], [5, 6, 8])).toBe(5); // wasserstein_distance([0,1,3],[5,6,8]) -> 5.0
    close(wassersteinDistance([0, 1], [0, 1, 3]), 0.8333333333333335, 1e-15); // -> 0.8333333333333335
    close(wassersteinDistance([3.4, 3.9, 7.5, 7.8], [4.5, 1.4]), 2.7, 1e-15); // -> 2.7
  });
});
