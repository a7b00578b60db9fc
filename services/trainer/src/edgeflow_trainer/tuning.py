"""Optional Optuna search over LightGBM hyper-parameters (`--trials N`).

Seeded TPE, scored on the validation window cut from the training rows (never the test
rows), bounded by both the trial count and a wall-clock budget."""

from __future__ import annotations

from typing import Any

import numpy as np
import optuna

from edgeflow_trainer import candidates as cands
from edgeflow_trainer.metrics import classification_metrics, regression_metrics
from edgeflow_trainer.threshold import choose_threshold


def _suggest(trial: optuna.Trial) -> dict[str, Any]:
    return {
        "n_estimators": trial.suggest_int("n_estimators", 50, 400, step=50),
        "learning_rate": trial.suggest_float("learning_rate", 0.02, 0.3, log=True),
        "num_leaves": trial.suggest_int("num_leaves", 8, 128, log=True),
        "min_child_samples": trial.suggest_int("min_child_samples", 5, 100, log=True),
        "subsample": trial.suggest_float("subsample", 0.6, 1.0),
        "colsample_bytree": trial.suggest_float("colsample_bytree", 0.6, 1.0),
        "reg_lambda": trial.suggest_float("reg_lambda", 1e-3, 10.0, log=True),
    }


def tune_lightgbm(
    task: str,
    X_fit: np.ndarray,
    y_fit: np.ndarray,
    X_val: np.ndarray,
    y_val: np.ndarray,
    *,
    cost: dict[str, float],
    trials: int,
    seed: int,
    timeout_seconds: float,
) -> tuple[dict[str, Any], float, int]:
    """Returns (best params, best validation score, trials run)."""
    optuna.logging.set_verbosity(optuna.logging.WARNING)

    def objective(trial: optuna.Trial) -> float:
        candidate = cands.lightgbm_candidate(task, seed, _suggest(trial))
        model = cands.fit(candidate, X_fit, y_fit)
        pred = cands.predict(model, X_val, task)
        if task == "regression":
            return regression_metrics(y_val, pred)["rmse"]
        threshold = choose_threshold(y_val, pred, cost)
        return classification_metrics(y_val, pred, threshold, cost)["cost"]

    study = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(seed=seed))
    study.optimize(objective, n_trials=trials, timeout=timeout_seconds)
    return {**cands.LIGHTGBM_DEFAULTS, **study.best_params}, float(study.best_value), len(study.trials)
