"""scipy side of bench/drift: the same statistics on the same windows, from raw values.

Usage: python scipy_bench.py WINDOWS.json -> prints one JSON object to stdout.
Timing covers the per-window statistics loop only (not JSON loading), best of `repeats`.
"""
import json
import sys
import time

import numpy as np
from scipy import stats
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


def numeric_stats(ref, live):
    sample = ref["sample"]
    edges = ref["edges"]
    bins = np.bincount(np.searchsorted(edges[1:-1], live, side="right"), minlength=len(edges) - 1)
    ks = stats.ks_2samp(sample, live)
    return {
        "ks": float(ks.statistic),
        "ksP": float(ks.pvalue),
        "wasserstein": float(stats.wasserstein_distance(sample, live)) / ref["std"],
        "psi": psi(ref["binCounts"], bins),
        "jensenshannon": float(jensenshannon(bins, ref["binCounts"])),
    }


def categorical_stats(ref, live):
    index, shares = ref["index"], ref["shares"]
    other = len(shares) - 1
    observed = np.bincount([index.get(v, other) for v in live], minlength=len(shares)).astype(float)
    chi = stats.chisquare(observed, np.asarray(shares) * observed.sum())
    return {
        "chisquare": float(chi.statistic),
        "chisquareP": float(chi.pvalue),
        "jensenshannon": float(jensenshannon(observed, shares)),
        "psi": psi(shares, observed),
    }


def prepare(features):
    for ref in features.values():
        if ref["kind"] == "numeric":
            ref["sample"] = np.asarray(ref["sample"], dtype=float)
            ref["edges"] = np.asarray(ref["edges"], dtype=float)
        else:
            freqs = {k: v for k, v in ref["frequencies"].items() if v > 0}
            cats = sorted(freqs)
            total = sum(freqs.values())
            n = ref["n"]
            shares = [freqs[c] / total * n / (n + OTHER_PSEUDO_COUNT) for c in cats]
            shares.append(OTHER_PSEUDO_COUNT / (n + OTHER_PSEUDO_COUNT))
            ref["index"] = {c: i for i, c in enumerate(cats)}
            ref["shares"] = shares


def run(features, windows):
    out = []
    for window in windows:
        result = {}
        for name, ref in features.items():
            live = window["values"][name]
            if ref["kind"] == "numeric":
                result[name] = numeric_stats(ref, np.asarray(live, dtype=float))
            else:
                result[name] = categorical_stats(ref, live)
        out.append(result)
    return out


def main(path):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    features = data["features"]
    prepare(features)
    values = sum(len(v) for w in data["windows"] for v in w["values"].values())
    best = float("inf")
    results = None
    for _ in range(data.get("repeats", 3)):
        start = time.perf_counter()
        results = run(features, data["windows"])
        best = min(best, time.perf_counter() - start)
    json.dump({"scipy": __import__("scipy").__version__, "seconds": best, "values": values, "results": results}, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
