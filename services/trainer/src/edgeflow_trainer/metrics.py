"""Test metrics: rmse/mae/r2 for regression; auc/precision/recall/f1/cost at the decision
threshold for classification. Values that are undefined on the given rows (AUC with one
class, R² with one row) are left out rather than written as NaN, which JSON cannot carry."""

from __future__ import annotations

import math

import numpy as np
from sklearn.metrics import (
    f1_score,
    mean_absolute_error,
    mean_squared_error,
    precision_score,
    r2_score,
    recall_score,
    roc_auc_score,
)


def _finite(metrics: dict[str, float]) -> dict[str, float]:
    return {k: float(v) for k, v in metrics.items() if v is not None and math.isfinite(float(v))}


def regression_metrics(y_true: np.ndarray, y_pred: np.ndarray) -> dict[str, float]:
    r2 = r2_score(y_true, y_pred) if len(y_true) >= 2 else None
    return _finite(
        {
            "rmse": math.sqrt(mean_squared_error(y_true, y_pred)),
            "mae": mean_absolute_error(y_true, y_pred),
            "r2": r2,
        }
    )


def decision_cost(y_true: np.ndarray, y_decision: np.ndarray, cost: dict[str, float]) -> float:
    fn = int(np.sum((y_true == 1) & (y_decision == 0)))
    fp = int(np.sum((y_true == 0) & (y_decision == 1)))
    return cost["fn"] * fn + cost["fp"] * fp


def classification_metrics(
    y_true: np.ndarray, proba: np.ndarray, threshold: float, cost: dict[str, float]
) -> dict[str, float]:
    y_true = y_true.astype(int)
    decision = (proba >= threshold).astype(int)
    auc = roc_auc_score(y_true, proba) if len(np.unique(y_true)) == 2 else None
    return _finite(
        {
            "auc": auc,
            "precision": precision_score(y_true, decision, zero_division=0),
            "recall": recall_score(y_true, decision, zero_division=0),
            "f1": f1_score(y_true, decision, zero_division=0),
            "cost": decision_cost(y_true, decision, cost),
        }
    )
