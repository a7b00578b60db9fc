"""scipy side of bench/drift: the same statistics on the same windows, from raw values.

Usage: python scipy_bench.py WINDOWS.json -> prints one JSON object to stdout.
Timing covers the per-window statistics loop only (not JSON loading), best of `repeats`.
The statistics are tests/support/scipy_drift.py's, the oracle the scipy parity test uses.
"""
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "support"))
from scipy_drift import categorical_statistics, category_shares, numeric_statistics  # noqa: E402


def numeric_stats(ref, live):
    s = numeric_statistics(ref["sample"], ref["edges"], ref["binCounts"], live)
    return {
        "ks": s["ks"]["statistic"],
        "ksP": s["ks"]["pValue"],
        "wasserstein": s["wasserstein"] / ref["std"],
        "psi": s["psi"],
        "jensenshannon": s["jensenshannon"],
    }


def categorical_stats(ref, live):
    s = categorical_statistics(ref["index"], ref["shares"], live)
    return {
        "chisquare": s["chisquare"]["statistic"],
        "chisquareP": s["chisquare"]["pValue"],
        "jensenshannon": s["jensenshannon"],
        "psi": s["psi"],
    }


def prepare(features):
    for ref in features.values():
        if ref["kind"] == "numeric":
            ref["sample"] = np.asarray(ref["sample"], dtype=float)
            ref["edges"] = np.asarray(ref["edges"], dtype=float)
        else:
            ref["index"], ref["shares"] = category_shares(ref["frequencies"], ref["n"])


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
