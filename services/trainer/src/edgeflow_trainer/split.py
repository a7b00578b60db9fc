"""Time-ordered splits. Every bound is half-open, [from, to), and rows that share an
event_time always land on the same side, so no hour is partly in train and partly in test."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from edgeflow_trainer.errors import BadInput


def parse_time(value: str, what: str) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError) as exc:
        raise BadInput(f"{what}: {value!r} is not an ISO 8601 time") from exc
    if ts is pd.NaT:
        raise BadInput(f"{what}: {value!r} is not an ISO 8601 time")
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def iso(ts: pd.Timestamp) -> str:
    return ts.tz_convert("UTC").isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class TimeSplit:
    train_index: np.ndarray
    test_index: np.ndarray
    train_from: pd.Timestamp
    train_to: pd.Timestamp
    test_from: pd.Timestamp
    # Exclusive upper bound as reported in the card; when not given it is the snapshot's end
    # (or one second past the last test row if the manifest's `to` does not cover it).
    test_to: pd.Timestamp

    def to_card(self) -> dict[str, object]:
        return {
            "trainFrom": iso(self.train_from),
            "trainTo": iso(self.train_to),
            "testFrom": iso(self.test_from),
            "testTo": iso(self.test_to),
            "trainRows": int(len(self.train_index)),
            "testRows": int(len(self.test_index)),
        }


def fraction_cut(times: pd.Series, holdout_fraction: float) -> pd.Timestamp:
    """First time of the last `holdout_fraction` of rows (times sorted ascending)."""
    position = min(len(times) - 1, max(1, math.floor((1.0 - holdout_fraction) * len(times))))
    return times.iloc[position]


def time_split(
    times: pd.Series,
    *,
    train_to: pd.Timestamp | None = None,
    test_from: pd.Timestamp | None = None,
    test_to: pd.Timestamp | None = None,
    holdout_fraction: float = 0.2,
    snapshot_to: pd.Timestamp | None = None,
) -> TimeSplit:
    """Split rows sorted by `times`: train = t < train_to, test = test_from <= t < test_to."""
    if not 0.0 < holdout_fraction < 1.0:
        raise BadInput(f"--holdout-fraction must be between 0 and 1 (exclusive), got {holdout_fraction}")
    if len(times) < 2:
        raise BadInput(f"the snapshot has {len(times)} rows; a train/test split needs at least 2")
    if train_to is None:
        train_to = test_from if test_from is not None else fraction_cut(times, holdout_fraction)
    if test_from is None:
        test_from = train_to
    if test_from < train_to:
        raise BadInput(
            f"--test-from {iso(test_from)} is before --train-to {iso(train_to)}: test rows would overlap training"
        )
    if test_to is not None and test_to <= test_from:
        raise BadInput(f"--test-to {iso(test_to)} must be after --test-from {iso(test_from)}")

    train_mask = (times < train_to).to_numpy()
    test_mask = (times >= test_from).to_numpy()
    if test_to is not None:
        test_mask &= (times < test_to).to_numpy()
    train_index = np.flatnonzero(train_mask)
    test_index = np.flatnonzero(test_mask)
    if len(train_index) == 0:
        raise BadInput(f"no training rows before {iso(train_to)} (snapshot starts {iso(times.iloc[0])})")
    if len(test_index) == 0:
        end = f" and before {iso(test_to)}" if test_to is not None else ""
        raise BadInput(f"no test rows at or after {iso(test_from)}{end} (snapshot ends {iso(times.iloc[-1])})")

    if test_to is None:
        last = times.iloc[test_index[-1]]
        test_to = snapshot_to if snapshot_to is not None and snapshot_to > last else last + pd.Timedelta(seconds=1)
    return TimeSplit(
        train_index=train_index,
        test_index=test_index,
        train_from=times.iloc[train_index[0]],
        train_to=train_to,
        test_from=test_from,
        test_to=test_to,
    )


def validation_split(times: pd.Series, fraction: float) -> tuple[np.ndarray, np.ndarray]:
    """The last `fraction` of the training rows (by time) for model selection and the threshold."""
    cut = fraction_cut(times, fraction)
    fit_index = np.flatnonzero((times < cut).to_numpy())
    val_index = np.flatnonzero((times >= cut).to_numpy())
    if len(fit_index) == 0 or len(val_index) == 0:
        raise BadInput(
            "the training window has a single event_time, so no validation window can be cut from it; "
            "widen the training window"
        )
    return fit_index, val_index
