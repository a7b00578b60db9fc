"""Trains the bench model once, for both servers: a LightGBM regressor on bike feature rows
computed from the Paris sample (bench/http/prepare.ts), exported to ONNX through the
trainer's own export path (edgeflow) and dumped with joblib (the FastAPI peer). Checks
that both predict the same on held-out rows. Run with the trainer venv's python.

    .edgeflow/venvs/trainer/bin/python bench/http/train_lgbm.py <rows.csv> <out dir>
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import joblib
import lightgbm as lgb
import numpy as np
from edgeflow_trainer.onnx_export import export, onnx_predict, session
from sklearn.pipeline import Pipeline


def main(rows_csv: str, out_dir: str) -> None:
    data = np.loadtxt(rows_csv, delimiter=",", skiprows=1, dtype=np.float64)
    X, y = data[:, :-1].astype(np.float32), data[:, -1]
    split = int(len(X) * 0.9)
    model = lgb.LGBMRegressor(n_estimators=200, num_leaves=63, learning_rate=0.05, n_jobs=1, verbose=-1)
    model.fit(X[:split], y[:split])
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, out / "model.joblib")
    exported = export(Pipeline([("model", model)]), X.shape[1], "regression", {"source": "bench/http"})
    (out / "model.onnx").write_bytes(exported.model_bytes)
    held = X[split:]
    onnx_values = onnx_predict(session(exported.model_bytes), held, "regression", exported.output)
    joblib_values = model.predict(held)
    rmse = float(np.sqrt(np.mean((joblib_values - y[split:]) ** 2)))
    parity = float(np.max(np.abs(onnx_values - joblib_values)))
    summary = {
        "rows": int(len(X)),
        "trainRows": split,
        "testRmse": rmse,
        "onnxVsJoblibMaxAbsDiff": parity,
        "output": exported.output,
        "opset": exported.opset,
        "nFeatures": exported.n_features,
    }
    (out / "train.json").write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary))
    if parity > 1e-2:
        raise SystemExit(f"ONNX and joblib predictions differ by {parity}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
