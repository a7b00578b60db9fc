import pandas as pd
import pytest

from edgeflow_trainer.errors import BadInput
from edgeflow_trainer.snapshot import load_snapshot
from edgeflow_trainer.split import parse_time, time_split, validation_split


def _hours(n: int, per_hour: int = 2) -> pd.Series:
    start = pd.Timestamp("2021-01-01T00:00:00Z")
    return pd.Series([start + pd.Timedelta(hours=i) for i in range(n) for _ in range(per_hour)])


def test_default_split_puts_the_last_fifth_by_time_in_test_and_keeps_hours_whole():
    times = _hours(100)  # 200 rows, two entities per hour
    split = time_split(times, holdout_fraction=0.2)
    assert len(split.train_index) == 160 and len(split.test_index) == 40
    assert times.iloc[split.train_index].max() < times.iloc[split.test_index].min()
    assert split.train_to == split.test_from == pd.Timestamp("2021-01-04T08:00:00Z")


def test_explicit_bounds_are_half_open_and_may_leave_a_gap():
    times = _hours(100)
    split = time_split(
        times,
        train_to=parse_time("2021-01-02T00:00:00Z", "t"),
        test_from=parse_time("2021-01-03T00:00:00Z", "t"),
        test_to=parse_time("2021-01-03T06:00:00Z", "t"),
    )
    assert times.iloc[split.train_index].max() == pd.Timestamp("2021-01-01T23:00:00Z")
    assert len(split.train_index) == 48
    test_times = times.iloc[split.test_index]
    assert test_times.min() == pd.Timestamp("2021-01-03T00:00:00Z")
    assert test_times.max() == pd.Timestamp("2021-01-03T05:00:00Z")
    assert split.to_card()["testTo"] == "2021-01-03T06:00:00Z"


def test_a_test_window_starting_before_training_ends_is_refused():
    with pytest.raises(BadInput, match="test rows would overlap training"):
        time_split(
            _hours(10),
            train_to=parse_time("2021-01-01T05:00:00Z", "t"),
            test_from=parse_time("2021-01-01T04:00:00Z", "t"),
        )


def test_an_empty_test_window_is_refused():
    with pytest.raises(BadInput, match="no test rows"):
        time_split(_hours(10), train_to=parse_time("2021-02-01T00:00:00Z", "t"))


def test_a_holdout_fraction_outside_0_1_is_refused():
    with pytest.raises(BadInput, match="--holdout-fraction"):
        time_split(_hours(10), holdout_fraction=1.0)


def test_validation_rows_are_the_latest_training_rows():
    times = _hours(50)
    fit, val = validation_split(times, 0.2)
    assert len(fit) + len(val) == len(times)
    assert times.iloc[fit].max() < times.iloc[val].min()


def test_the_trained_model_never_saw_a_test_hour(bike_run):
    card = bike_run.card
    split = card["split"]
    snap = load_snapshot(bike_run.snapshot)
    times = snap.frame["event_time"]
    train = times[times < pd.Timestamp(split["trainTo"])]
    test = times[(times >= pd.Timestamp(split["testFrom"])) & (times < pd.Timestamp(split["testTo"]))]
    assert split["trainRows"] == len(train) and split["testRows"] == len(test)
    assert train.max() < test.min()
    assert split["trainRows"] + split["testRows"] == snap.rows
    # Model selection used a validation window inside training, before the test window.
    assert pd.Timestamp(card["selection"]["validationFrom"]) < pd.Timestamp(split["trainTo"])
    assert split["trainFrom"] == "2021-03-01T00:00:00Z"
