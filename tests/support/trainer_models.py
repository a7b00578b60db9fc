"""Fits each of the trainer's regression candidates on a small synthetic set (with missing
values, so LightGBM learns where they go) and exports it through the trainer's own ONNX path.

Usage: python trainer_models.py OUT_DIR  -> OUT_DIR/<candidate>.onnx, prints the names as JSON.
"""
import json
import sys
from pathlib import Path

import numpy as np

from edgeflow_trainer.candidates import build_candidates, fit
from edgeflow_trainer.onnx_export import export

N_FEATURES = 7


def main() -> None:
    out = Path(sys.argv[1])
    rng = np.random.default_rng(7)
    X = rng.normal(size=(3000, N_FEATURES)).astype(np.float32)
    X[:, 3] = rng.integers(0, 24, size=3000)
    y = 3 * X[:, 0] - 2 * np.sin(X[:, 1]) + X[:, 3] * 0.5 + rng.normal(scale=0.3, size=3000)
    X[rng.random(size=X.shape) < 0.08] = np.nan
    names = []
    for candidate in build_candidates("regression", ["lightgbm", "random_forest", "ridge"], seed=7):
        pipeline = fit(candidate, X, y)
        exported = export(pipeline, N_FEATURES, "regression", {})
        (out / f"{candidate.name}.onnx").write_bytes(exported.model_bytes)
        names.append(candidate.name)
    print(json.dumps({"models": names, "nFeatures": N_FEATURES}))


if __name__ == "__main__":
    main()
