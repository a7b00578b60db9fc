"""Small but realistic training snapshots, written exactly as the TypeScript retrainer does
(rows.csv + manifest.json with the rows' sha256 and the feature spec hash)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

BIKE_FEATURES = ["hour", "weekday", "is_weekend", "lag_1h", "lag_24h", "lag_168h", "rolling_mean_24h"]
CREDIT_FEATURES = ["income_k", "debt_ratio", "age", "late_payments", "utilization"]


def feature_spec(name: str, features: list[str], version: int = 1) -> dict[str, Any]:
    feats = [{"name": f, "type": "numeric"} for f in features]
    # Same canonical JSON as schemas/feature-spec.ts featureSpecHash (JSON.stringify, no spaces).
    canonical = json.dumps({"name": name, "version": version, "features": feats}, separators=(",", ":"))
    return {"name": name, "version": version, "features": feats, "hash": hashlib.sha256(canonical.encode()).hexdigest()}


def _iso(ts: pd.Timestamp) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ")


def write_snapshot(
    directory: Path,
    frame: pd.DataFrame,
    *,
    task: str,
    spec: dict[str, Any],
    label: str,
    use_case: str,
    cost: dict[str, float] | None = None,
) -> Path:
    """`frame` has entity_id, event_time (UTC timestamps), the spec's features (NaN = missing), label."""
    directory.mkdir(parents=True, exist_ok=True)
    columns = ["entity_id", "event_time", *[f["name"] for f in spec["features"]], "label"]
    out = frame[columns].copy()
    out["event_time"] = out["event_time"].map(_iso)
    rows_path = directory / "rows.csv"
    out.to_csv(rows_path, index=False, na_rep="", lineterminator="\n")
    manifest: dict[str, Any] = {
        "id": f"snap-{use_case}-{len(out)}",
        "sha256": hashlib.sha256(rows_path.read_bytes()).hexdigest(),
        "rows": len(out),
        "from": _iso(frame["event_time"].min()),
        "to": _iso(frame["event_time"].max() + pd.Timedelta(hours=1)),
        "task": task,
        "label": label,
        "useCase": use_case,
        "featureSpec": spec,
    }
    if cost is not None:
        manifest["cost"] = cost
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return directory


def bike_frame(counters: int = 3, days: int = 35, seed: int = 7) -> pd.DataFrame:
    """Hourly counts with a commute-shaped day, quieter weekends and per-counter volume. A row at
    event hour t forecasts the count at t+1; lags are relative to that target hour."""
    rng = np.random.default_rng(seed)
    hours = pd.date_range("2021-03-01T00:00:00Z", periods=days * 24 + 1, freq="h")
    hod = hours.hour.to_numpy()
    dow = hours.dayofweek.to_numpy()
    day_shape = 0.15 + np.exp(-((hod - 8.5) ** 2) / 3.0) + 0.9 * np.exp(-((hod - 18) ** 2) / 4.0) + 0.3 * (
        (hod > 10) & (hod < 17)
    )
    week_shape = np.where(dow >= 5, 0.55, 1.0)
    rows = []
    for c in range(counters):
        volume = 60.0 * (c + 1)
        counts = rng.poisson(volume * day_shape * week_shape * (1 + 0.1 * np.sin(np.arange(len(hours)) / 200)))
        counts = counts.astype(float)
        s = pd.Series(counts)
        rolling = s.rolling(24, min_periods=1).mean().to_numpy()
        for t in range(len(hours) - 1):
            target = t + 1
            rows.append(
                {
                    "entity_id": f"counter-{c + 1}",
                    "event_time": hours[t],
                    "hour": float(hod[target]),
                    "weekday": float(dow[target]),
                    "is_weekend": float(dow[target] >= 5),
                    "lag_1h": counts[target - 1],
                    "lag_24h": counts[target - 24] if target >= 24 else np.nan,
                    "lag_168h": counts[target - 168] if target >= 168 else np.nan,
                    "rolling_mean_24h": rolling[target - 1],
                    "label": counts[target],
                }
            )
    return pd.DataFrame(rows)


def credit_frame(n: int = 3000, seed: int = 11) -> pd.DataFrame:
    """Loan applications over 60 days; about 10% default, driven by debt, lateness and utilization."""
    rng = np.random.default_rng(seed)
    times = pd.Timestamp("2021-01-01T00:00:00Z") + pd.to_timedelta(np.sort(rng.uniform(0, 60 * 24, n)).round(), unit="h")
    income = rng.lognormal(3.7, 0.4, n)
    debt = np.clip(rng.beta(2, 5, n), 0, 1)
    age = rng.integers(19, 75, n).astype(float)
    late = rng.poisson(0.4, n).astype(float)
    util = np.clip(rng.normal(0.4, 0.2, n), 0, 1)
    logit = -4.2 + 3.0 * debt + 0.9 * late + 2.2 * util - 0.012 * (income - 40) - 0.01 * (age - 40)
    label = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(float)
    income[rng.random(n) < 0.05] = np.nan  # some applicants leave income blank
    return pd.DataFrame(
        {
            "entity_id": [f"cust-{i}" for i in range(n)],
            "event_time": times,
            "income_k": income.round(2),
            "debt_ratio": debt.round(4),
            "age": age,
            "late_payments": late,
            "utilization": util.round(4),
            "label": label,
        }
    )


def bike_snapshot(directory: Path, **kwargs: Any) -> Path:
    return write_snapshot(
        directory, bike_frame(**kwargs), task="regression", spec=feature_spec("bike-hourly", BIKE_FEATURES),
        label="count_next_hour", use_case="bike-traffic",
    )  # fmt: skip


def credit_snapshot(directory: Path, **kwargs: Any) -> Path:
    return write_snapshot(
        directory, credit_frame(**kwargs), task="classification", spec=feature_spec("credit", CREDIT_FEATURES),
        label="default_within_12m", use_case="credit-scoring", cost={"fn": 10, "fp": 1},
    )  # fmt: skip
