"""Parity between the native model and its ONNX export, and the rows kept to prove it.

Rule: every holdout row must satisfy |onnx − native| <= 1e-4 · max(1, |native|). One row
over and the model is refused (exit 3, nothing written)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from edgeflow_trainer.errors import ParityFailure

TOLERANCE = 1e-4
PARITY_ROWS = 2000


def check_parity(native: np.ndarray, onnx: np.ndarray) -> dict[str, float]:
    diff = np.abs(onnx - native)
    allowed = TOLERANCE * np.maximum(1.0, np.abs(native))
    # NaN on either side is a violation: `diff > allowed` alone would be False for it.
    bad = ~(diff <= allowed)
    rel = diff / np.maximum(1.0, np.abs(native))
    finite = np.isfinite(diff)
    summary = {
        "rows": int(len(native)),
        "tolerance": TOLERANCE,
        "maxAbsDiff": float(diff[finite].max()) if finite.any() else 0.0,
        "maxRelDiff": float(rel[finite].max()) if finite.any() else 0.0,
    }
    if bad.any():
        i = int(np.argmax(bad))
        raise ParityFailure(
            f"ONNX predictions differ from the native model on {int(bad.sum())} of {len(native)} holdout rows "
            f"(tolerance {TOLERANCE} relative); first at holdout row {i}: native {native[i]!r}, onnx {onnx[i]!r}"
        )
    return summary


def parity_frame(
    X: np.ndarray, feature_names: list[str], native: np.ndarray, onnx: np.ndarray, seed: int
) -> pd.DataFrame:
    """Up to PARITY_ROWS holdout rows, in time order: the float32 inputs the model saw
    (written exactly, empty for missing) and both predictions."""
    index = np.arange(len(X))
    if len(index) > PARITY_ROWS:
        index = np.sort(np.random.default_rng(seed).choice(index, PARITY_ROWS, replace=False))
    columns = {name: X[index, i].astype(np.float64) for i, name in enumerate(feature_names)}
    columns["native_prediction"] = native[index]
    columns["onnx_prediction"] = onnx[index]
    # float32 -> float64 is exact and repr() is the shortest text that parses back to the same
    # float64, so a reader (parseFloat, then Float32Array) recovers the exact model inputs and
    # outputs. pandas' default float format keeps 16 digits, which is not always enough.
    return pd.DataFrame({name: [repr(float(v)) if np.isfinite(v) else "" for v in values]
                         for name, values in columns.items()})  # fmt: skip
