import math

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import mean_squared_error

from edgeflow_trainer.baselines import naive_baselines
from edgeflow_trainer.snapshot import load_snapshot


def test_naive_baselines_are_scored_on_the_same_test_rows(bike_run):
    card = bike_run.card
    split = card["split"]
    frame = load_snapshot(bike_run.snapshot).frame
    t = frame["event_time"]
    test = frame[(t >= pd.Timestamp(split["testFrom"])) & (t < pd.Timestamp(split["testTo"]))]
    baselines = {b["name"]: b for b in card["metrics"]["baselines"]}
    assert set(baselines) == {"naive_this_hour", "naive_yesterday", "naive_last_week"}
    this_hour = baselines["naive_this_hour"]["metrics"]
    assert this_hour["rmse"] == pytest.approx(math.sqrt(mean_squared_error(test["label"], test["lag_1h"])))
    assert this_hour["coverage"] == 1.0
    last_week = baselines["naive_last_week"]["metrics"]
    assert last_week["rmse"] == pytest.approx(math.sqrt(mean_squared_error(test["label"], test["lag_168h"])))
    # The trained model beats "same as this hour" on a seasonal series.
    assert card["metrics"]["test"]["rmse"] < this_hour["rmse"]


def test_a_missing_lag_falls_back_to_the_training_mean_and_lowers_coverage():
    test = pd.DataFrame({"lag_1h": [10.0, np.nan, 30.0, np.nan]})
    y = np.array([12.0, 20.0, 28.0, 20.0])
    (base,) = naive_baselines(test, y, train_label_mean=20.0)
    assert base["name"] == "naive_this_hour"
    assert base["metrics"]["coverage"] == 0.5
    assert base["metrics"]["rmse"] == pytest.approx(math.sqrt((4 + 0 + 4 + 0) / 4))


def test_no_baselines_without_lag_columns(credit_run):
    assert credit_run.card["metrics"]["baselines"] == []
