"""Naive forecasts a model must beat, scored on the same test rows as the candidates.

Lag columns are relative to the target hour: `lag_1h` is the count one hour before the
target, i.e. the hour we are in when forecasting, so it is the "same as this hour" forecast.
A row whose lag is missing (a counter's first hours) gets the training mean, so every
baseline covers exactly the candidates' rows; `coverage` says how many had the lag."""

from __future__ import annotations

import numpy as np
import pandas as pd

from edgeflow_trainer.metrics import regression_metrics

NAIVE_COLUMNS = (
    ("naive_this_hour", "lag_1h"),
    ("naive_yesterday", "lag_24h"),
    ("naive_last_week", "lag_168h"),
)


def naive_baselines(test: pd.DataFrame, y_test: np.ndarray, train_label_mean: float) -> list[dict[str, object]]:
    baselines: list[dict[str, object]] = []
    for name, column in NAIVE_COLUMNS:
        if column not in test.columns:
            continue
        lag = test[column].to_numpy(dtype=np.float64)
        present = np.isfinite(lag)
        forecast = np.where(present, lag, train_label_mean)
        metrics = regression_metrics(y_test, forecast)
        metrics["coverage"] = float(present.mean()) if len(present) else 0.0
        baselines.append({"name": name, "column": column, "metrics": metrics})
    return baselines
