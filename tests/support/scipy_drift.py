"""Reference values for stream/drift, computed with scipy (parity oracle for the TS port).

Usage: python scipy_drift.py CASES.json  -> prints one JSON object to stdout.

CASES.json holds lists of cases; every case has an "id". Each kind is computed here from the
raw inputs, independently of the TypeScript code:
  ks:           {"a": [...], "b": [...]}            -> scipy.stats.ks_2samp(a, b)
  wasserstein:  {"u": [...], "v": [...]}            -> scipy.stats.wasserstein_distance(u, v)
  numeric:      {"sample", "edges", "binCounts", "live"}
                -> ks_2samp(sample, live), wasserstein_distance(sample, live), and PSI and
                   jensenshannon over the reference decile bins (outer bins open-ended)
  categorical:  {"frequencies": {cat: f}, "n": int, "live": [cat, ...]}
                -> chisquare / jensenshannon / PSI with unseen categories in an "other"
                   bucket whose reference pseudo-count is 0.5 (docs/drift.md)
  kstwo:        {"n": int, "x": float}              -> scipy.stats.kstwo.sf(x, n)
  smirnov:      {"n": int, "x": float}              -> scipy.special.smirnov(n, x)
  chi2:         {"df": float, "x": float}           -> scipy.stats.chi2.sf(x, df)

bench/drift/scipy_bench.py imports the statistics from here, so the benchmark times the very
code the parity test checks.
"""
import json
import sys

import numpy as np
from scipy import special, stats
from scipy.spatial.distance import jensenshannon

PSI_EMPTY_BIN_SHARE = 1e-4
OTHER_PSEUDO_COUNT = 0.5


def psi(reference_counts, current_counts):
    e = np.asarray(reference_counts, dtype=float)
    a = np.asarray(current_counts, dtype=float)
    e = e / e.sum()
    a = a / a.sum()
    e = np.where(e == 0, PSI_EMPTY_BIN_SHARE, e)
    a = np.where(a == 0, PSI_EMPTY_BIN_SHARE, a)
    return float(np.sum((a - e) * np.log(a / e)))


def ks(case):
    res = stats.ks_2samp(np.asarray(case["a"], dtype=float), np.asarray(case["b"], dtype=float))
    return {"statistic": float(res.statistic), "pValue": float(res.pvalue)}


def decile_bins(edges, live):
    """Live values per reference decile bin; the outer bins are open-ended."""
    return np.bincount(np.searchsorted(edges[1:-1], live, side="right"), minlength=len(edges) - 1)


def numeric_statistics(sample, edges, bin_counts, live):
    """KS and Wasserstein against the reference sample, PSI and JS over its decile bins."""
    live_bins = decile_bins(edges, live)
    ks_res = stats.ks_2samp(sample, live)
    return {
        "ks": {"statistic": float(ks_res.statistic), "pValue": float(ks_res.pvalue)},
        "wasserstein": float(stats.wasserstein_distance(sample, live)),
        "psi": psi(bin_counts, live_bins),
        "jensenshannon": float(jensenshannon(live_bins, bin_counts)),
    }


def category_shares(frequencies, n):
    """(category -> index, expected shares): reference categories sorted, then "other"."""
    freqs = {k: v for k, v in frequencies.items() if v > 0}
    cats = sorted(freqs)
    total = sum(freqs.values())
    shares = [freqs[c] / total * n / (n + OTHER_PSEUDO_COUNT) for c in cats]
    shares.append(OTHER_PSEUDO_COUNT / (n + OTHER_PSEUDO_COUNT))
    return {c: i for i, c in enumerate(cats)}, shares


def categorical_statistics(index, shares, live):
    """chisquare / jensenshannon / PSI, unseen categories counted in the last ("other") share."""
    other = len(shares) - 1
    codes = np.asarray([index.get(value, other) for value in live], dtype=np.intp)
    observed = np.bincount(codes, minlength=len(shares)).astype(float)
    expected = np.asarray(shares) / np.sum(shares) * observed.sum()
    chi = stats.chisquare(observed, expected)
    return {
        "chisquare": {"statistic": float(chi.statistic), "pValue": float(chi.pvalue)},
        "jensenshannon": float(jensenshannon(observed, shares)),
        "psi": psi(shares, observed),
    }


def numeric(case):
    return numeric_statistics(
        np.asarray(case["sample"], dtype=float),
        np.asarray(case["edges"], dtype=float),
        case["binCounts"],
        np.asarray(case["live"], dtype=float),
    )


def categorical(case):
    index, shares = category_shares(case["frequencies"], case["n"])
    return categorical_statistics(index, shares, case["live"])


def main(path):
    with open(path, encoding="utf-8") as f:
        cases = json.load(f)
    out = {
        "scipy": __import__("scipy").__version__,
        "ks": {c["id"]: ks(c) for c in cases.get("ks", [])},
        "wasserstein": {
            c["id"]: float(stats.wasserstein_distance(c["u"], c["v"])) for c in cases.get("wasserstein", [])
        },
        "numeric": {c["id"]: numeric(c) for c in cases.get("numeric", [])},
        "categorical": {c["id"]: categorical(c) for c in cases.get("categorical", [])},
        "kstwo": {c["id"]: float(stats.kstwo.sf(c["x"], c["n"])) for c in cases.get("kstwo", [])},
        "smirnov": {c["id"]: float(special.smirnov(c["n"], c["x"])) for c in cases.get("smirnov", [])},
        "chi2": {c["id"]: float(stats.chi2.sf(c["x"], c["df"])) for c in cases.get("chi2", [])},
    }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
