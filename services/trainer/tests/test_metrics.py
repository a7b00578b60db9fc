import math

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import confusion_matrix, mean_absolute_error, mean_squared_error, r2_score, roc_auc_score

from edgeflow_trainer.metrics import classification_metrics, regression_metrics
from edgeflow_trainer.snapshot import load_snapshot
from edgeflow_trainer.threshold import choose_threshold


def _test_rows(run) -> pd.DataFrame:
    split = run.card["split"]
    frame = load_snapshot(run.snapshot).frame
    t = frame["event_time"]
    return frame[(t >= pd.Timestamp(split["testFrom"])) & (t < pd.Timestamp(split["testTo"]))].reset_index(drop=True)


def test_regression_metrics_match_sklearn():
    rng = np.random.default_rng(0)
    y = rng.normal(50, 10, 200)
    p = y + rng.normal(0, 3, 200)
    m = regression_metrics(y, p)
    assert m["rmse"] == pytest.approx(math.sqrt(mean_squared_error(y, p)))
    assert m["mae"] == pytest.approx(mean_absolute_error(y, p))
    assert m["r2"] == pytest.approx(r2_score(y, p))


def test_classification_metrics_match_the_confusion_matrix_at_the_threshold():
    rng = np.random.default_rng(1)
    y = (rng.random(500) < 0.1).astype(float)
    proba = np.clip(0.3 * y + rng.random(500) * 0.7, 0, 1)
    m = classification_metrics(y, proba, 0.4, {"fn": 10, "fp": 1})
    tn, fp, fn, tp = confusion_matrix(y, proba >= 0.4).ravel()
    assert m["cost"] == 10 * fn + fp
    assert m["precision"] == pytest.approx(tp / (tp + fp))
    assert m["recall"] == pytest.approx(tp / (tp + fn))
    assert m["f1"] == pytest.approx(2 * tp / (2 * tp + fp + fn))
    assert m["auc"] == pytest.approx(roc_auc_score(y, proba))


def test_auc_is_left_out_when_the_rows_hold_one_class():
    m = classification_metrics(np.zeros(10), np.linspace(0, 1, 10), 0.5, {"fn": 10, "fp": 1})
    assert "auc" not in m and m["cost"] == 5


def test_the_threshold_minimises_cost_against_a_brute_force_search():
    rng = np.random.default_rng(2)
    y = (rng.random(400) < 0.15).astype(float)
    proba = np.round(np.clip(0.35 * y + rng.random(400) * 0.65, 0, 1), 3)
    cost = {"fn": 10.0, "fp": 1.0}
    chosen = choose_threshold(y, proba, cost)
    grid = np.concatenate([np.unique(proba), [1.01]])
    best = min(classification_metrics(y, proba, t, cost)["cost"] for t in grid)
    assert classification_metrics(y, proba, chosen, cost)["cost"] == best
    assert 0.0 <= chosen <= 1.0
    # Midpoint of a gap: never exactly on a probability the model produced.
    assert chosen not in set(proba.tolist())


def test_with_no_positives_the_threshold_flags_nobody():
    proba = np.array([0.1, 0.2, 0.3])
    t = choose_threshold(np.zeros(3), proba, {"fn": 10, "fp": 1})
    assert t > 0.3


def test_with_cheap_false_positives_everyone_is_flagged():
    proba = np.array([0.1, 0.2, 0.3, 0.9])
    t = choose_threshold(np.array([1, 0, 1, 1.0]), proba, {"fn": 100, "fp": 1})
    assert t <= 0.1


def test_the_cards_regression_metrics_are_sklearns_on_the_test_rows(bike_run):
    test = _test_rows(bike_run)
    parity = pd.read_csv(bike_run.out / "parity.csv")
    assert len(parity) == len(test)  # fewer than 2000 test rows: all of them, in time order
    m = bike_run.card["metrics"]["test"]
    assert m["rmse"] == pytest.approx(math.sqrt(mean_squared_error(test["label"], parity["native_prediction"])))
    assert m["mae"] == pytest.approx(mean_absolute_error(test["label"], parity["native_prediction"]))
    assert m["r2"] == pytest.approx(r2_score(test["label"], parity["native_prediction"]))
    assert bike_run.summary["metrics"] == m


def test_the_cards_classification_metrics_use_its_threshold(credit_run):
    card = credit_run.card
    test = _test_rows(credit_run)
    parity = pd.read_csv(credit_run.out / "parity.csv")
    y = test["label"].to_numpy()
    decision = parity["native_prediction"].to_numpy() >= card["threshold"]
    tn, fp, fn, tp = confusion_matrix(y, decision).ravel()
    m = card["metrics"]["test"]
    assert m["cost"] == 10 * fn + 1 * fp
    assert m["auc"] == pytest.approx(roc_auc_score(y, parity["native_prediction"]))
    assert m["auc"] > 0.7
    assert set(m) == {"auc", "precision", "recall", "f1", "cost"}


def test_the_chosen_candidate_has_the_best_validation_score(bike_run, credit_run):
    for run, key in ((bike_run, "rmse"), (credit_run, "cost")):
        card = run.card
        scores = {c["name"]: c["validation"][key] for c in card["metrics"]["candidates"]}
        assert card["chosen"]["name"] == min(scores, key=scores.get)
        chosen = next(c for c in card["metrics"]["candidates"] if c["name"] == card["chosen"]["name"])
        assert card["metrics"]["test"] == chosen["metrics"]
