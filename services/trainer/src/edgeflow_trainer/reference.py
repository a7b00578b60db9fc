"""The drift monitor's reference profile (`reference.json`), computed on the training rows.

Numeric profile: n (non-missing values), missing, mean, std (population), min, max, decile
edges (deduplicated, strictly increasing, from min to max), training rows per bin (bin i is
[e_i, e_{i+1}), the last bin closed, so the counts sum to n) and a seeded uniform sample of
at most 2000 values for two-sample tests. Profiles use the values as written in the
snapshot, which is what the drift monitor sees, not their float32 model inputs."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

SCHEMA_VERSION = 1
SAMPLE_SIZE = 2000
DECILES = np.linspace(0.0, 1.0, 11)


def quantile_edges(values: np.ndarray) -> np.ndarray:
    edges = np.unique(np.quantile(values, DECILES))
    if len(edges) == 1:
        # A constant feature still needs one bin: [v, next float after v].
        edges = np.array([edges[0], np.nextafter(edges[0], np.inf)])
    return edges


def bin_counts(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    index = np.searchsorted(edges, values, side="right") - 1
    # The last bin is closed: the maximum belongs to it, not to a bin past the end.
    index = np.clip(index, 0, len(edges) - 2)
    return np.bincount(index, minlength=len(edges) - 1)


def numeric_profile(values: np.ndarray, rng: np.random.Generator) -> dict[str, Any]:
    values = np.asarray(values, dtype=np.float64)
    present = values[np.isfinite(values)]
    missing = int(len(values) - len(present))
    if len(present) == 0:
        return {
            "kind": "numeric", "n": 0, "missing": missing, "mean": None, "std": None, "min": None, "max": None,
            "quantileEdges": [], "binCounts": [], "sample": [],
        }  # fmt: skip
    edges = quantile_edges(present)
    sample = present if len(present) <= SAMPLE_SIZE else rng.choice(present, SAMPLE_SIZE, replace=False)
    return {
        "kind": "numeric",
        "n": int(len(present)),
        "missing": missing,
        "mean": float(np.mean(present)),
        "std": float(np.std(present)),
        "min": float(present.min()),
        "max": float(present.max()),
        "quantileEdges": [float(e) for e in edges],
        "binCounts": [int(c) for c in bin_counts(present, edges)],
        "sample": [float(v) for v in sample],
    }


def categorical_profile(values: pd.Series) -> dict[str, Any]:
    text = values.astype("string")
    missing_mask = text.isna() | (text == "")
    counts = text[~missing_mask].value_counts(sort=True)
    return {
        "kind": "categorical",
        "n": int((~missing_mask).sum()),
        "missing": int(missing_mask.sum()),
        "frequencies": {str(k): int(v) for k, v in counts.items()},
    }


def reference_profile(
    train: pd.DataFrame,
    features: list[tuple[str, str]],
    predictions: np.ndarray,
    feature_spec_hash: str,
    seed: int,
) -> dict[str, Any]:
    """`features` is [(name, "numeric"|"categorical")] in spec order."""
    rng = np.random.default_rng(seed)
    profiles: dict[str, Any] = {}
    for name, kind in features:
        if kind == "categorical":
            profiles[name] = categorical_profile(train[name])
        else:
            profiles[name] = numeric_profile(train[name].to_numpy(dtype=np.float64), rng)
    return {
        "schemaVersion": SCHEMA_VERSION,
        "featureSpecHash": feature_spec_hash,
        "rows": int(len(train)),
        "features": profiles,
        "prediction": numeric_profile(predictions, rng),
    }
