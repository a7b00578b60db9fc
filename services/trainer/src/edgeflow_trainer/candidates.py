"""Candidate models, each a scikit-learn Pipeline that skl2onnx can convert whole.

Regression: ridge (the linear baseline), random_forest, lightgbm. Classification:
logistic_regression (the linear baseline), random_forest, lightgbm. Linear models and the
forest get a median imputer (missing features arrive as NaN); LightGBM routes NaN itself."""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable

import lightgbm as lgb
import numpy as np
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from edgeflow_trainer.errors import BadInput
from edgeflow_trainer.lightgbm_float32 import make_thresholds_float32

# The machines are shared: never more than two threads per model unless told otherwise.
N_JOBS = int(os.environ.get("EDGEFLOW_TRAINER_JOBS", "2"))
# Bound the forest's cost on big snapshots: each tree sees at most this many rows (on the
# Paris sample, 50k rows per tree cost ~0.3 rmse against the full 150k and a third of the time).
FOREST_MAX_ROWS = 50_000

LINEAR_ALIASES = ("ridge", "linear", "logistic", "logistic_regression")
KNOWN = (*LINEAR_ALIASES, "random_forest", "lightgbm")

# Measured on the Paris sample (train < 2021-06, test Jun–Sep 2021): 300 trees × 31 leaves
# gave rmse 22.9; 800 × 63 with row/column subsampling gives 22.2 for ~40 s of training.
LIGHTGBM_DEFAULTS: dict[str, Any] = {
    "n_estimators": 800,
    "learning_rate": 0.04,
    "num_leaves": 63,
    "min_child_samples": 40,
    "subsample": 0.8,
    "subsample_freq": 1,
    "colsample_bytree": 0.8,
    "reg_lambda": 0.0,
}


@dataclass
class Candidate:
    name: str
    params: dict[str, Any]
    build: Callable[[int], Pipeline] = field(repr=False)


def _linear(task: str) -> Candidate:
    if task == "regression":
        params = {"alpha": 1.0, "imputer": "median", "scaler": "standard"}
        model: Callable[[], Any] = lambda: Ridge(alpha=params["alpha"])
        name = "ridge"
    else:
        params = {"C": 1.0, "max_iter": 1000, "imputer": "median", "scaler": "standard"}
        model = lambda: LogisticRegression(C=params["C"], max_iter=params["max_iter"])
        name = "logistic_regression"

    def build(_: int) -> Pipeline:
        return Pipeline(
            [("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler()), ("model", model())]
        )

    return Candidate(name, params, build)


def _forest(task: str, seed: int) -> Candidate:
    params = {"n_estimators": 100, "max_depth": 10, "min_samples_leaf": 5, "imputer": "median"}
    cls = RandomForestRegressor if task == "regression" else RandomForestClassifier

    def build(n_rows: int) -> Pipeline:
        forest = cls(
            n_estimators=params["n_estimators"],
            max_depth=params["max_depth"],
            min_samples_leaf=params["min_samples_leaf"],
            max_samples=FOREST_MAX_ROWS if n_rows > FOREST_MAX_ROWS else None,
            n_jobs=N_JOBS,
            random_state=seed,
        )
        return Pipeline([("impute", SimpleImputer(strategy="median")), ("model", forest)])

    return Candidate("random_forest", params, build)


def lightgbm_candidate(task: str, seed: int, params: dict[str, Any] | None = None) -> Candidate:
    chosen = {**LIGHTGBM_DEFAULTS, **(params or {})}
    cls = lgb.LGBMRegressor if task == "regression" else lgb.LGBMClassifier

    def build(_: int) -> Pipeline:
        model = cls(
            **chosen, n_jobs=N_JOBS, random_state=seed, deterministic=True, force_col_wise=True, verbose=-1
        )
        return Pipeline([("model", model)])

    return Candidate("lightgbm", chosen, build)


def parse_candidate_names(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in KNOWN]
    if not names or unknown:
        raise BadInput(f"--candidates: unknown {unknown or '(empty list)'}; choose from ridge, random_forest, lightgbm")
    return names


def build_candidates(task: str, names: list[str], seed: int) -> list[Candidate]:
    out: list[Candidate] = []
    for name in names:
        if name in LINEAR_ALIASES:
            cand = _linear(task)
        elif name == "random_forest":
            cand = _forest(task, seed)
        else:
            cand = lightgbm_candidate(task, seed)
        if all(c.name != cand.name for c in out):
            out.append(cand)
    return out


def fit(candidate: Candidate, X: np.ndarray, y: np.ndarray) -> Pipeline:
    pipeline = candidate.build(len(X))
    pipeline.fit(X, y)
    final = pipeline.steps[-1][1]
    if isinstance(final, lgb.LGBMModel):
        make_thresholds_float32(final)
    return pipeline


def predict(pipeline: Pipeline, X: np.ndarray, task: str) -> np.ndarray:
    """Regression value, or the positive class's probability."""
    with warnings.catch_warnings():
        # LightGBM 4.6 names numpy columns Column_i at fit, then scikit-learn 1.6 warns at
        # every predict that the array has no names; the columns are positional by design.
        warnings.filterwarnings("ignore", message="X does not have valid feature names", category=UserWarning)
        if task == "regression":
            return np.asarray(pipeline.predict(X), dtype=np.float64).reshape(-1)
        return np.asarray(pipeline.predict_proba(X)[:, 1], dtype=np.float64)
