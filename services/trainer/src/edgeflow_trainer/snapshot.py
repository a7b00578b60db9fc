"""Training snapshot: `manifest.json` + `rows.csv`, written by the TypeScript retrainer.

Everything is checked before any training starts: the manifest's shape, the sha256 and row
count of rows.csv, its header against the feature spec's order, and every value. A failure
is a `BadInput` naming the file (and the line, for a bad value)."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from edgeflow_trainer.errors import BadInput

TASKS = ("regression", "classification")
FEATURE_TYPES = ("numeric", "categorical")
DEFAULT_COST = {"fn": 10.0, "fp": 1.0}


@dataclass(frozen=True)
class Feature:
    name: str
    type: str


@dataclass(frozen=True)
class Snapshot:
    directory: Path
    id: str
    sha256: str
    rows: int
    from_: str
    to: str
    task: str
    label: str
    use_case: str
    feature_spec: dict[str, Any]
    features: tuple[Feature, ...]
    cost: dict[str, float]
    # entity_id (str), event_time (datetime64 UTC), one float64 column per feature, label (float64);
    # sorted by event_time then entity_id.
    frame: pd.DataFrame

    @property
    def feature_names(self) -> list[str]:
        return [f.name for f in self.features]


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _require(cond: bool, path: Path, message: str) -> None:
    if not cond:
        raise BadInput(f"{path}: {message}")


def _is_iso(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        pd.Timestamp(value)
    except (ValueError, TypeError):
        return False
    return True


def _parse_manifest(path: Path) -> dict[str, Any]:
    _require(path.is_file(), path, "manifest.json is missing")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BadInput(f"{path}: not valid JSON ({exc})") from exc
    _require(isinstance(manifest, dict), path, "the manifest must be a JSON object")
    for key in ("id", "sha256", "label", "useCase"):
        _require(isinstance(manifest.get(key), str) and manifest[key] != "", path, f'"{key}" must be a non-empty string')
    rows = manifest.get("rows")
    _require(isinstance(rows, int) and not isinstance(rows, bool) and rows >= 0, path, '"rows" must be a non-negative integer')
    for key in ("from", "to"):
        _require(_is_iso(manifest.get(key)), path, f'"{key}" must be an ISO 8601 time')
    _require(manifest.get("task") in TASKS, path, f'"task" must be one of {list(TASKS)}')
    spec = manifest.get("featureSpec")
    _require(isinstance(spec, dict), path, '"featureSpec" must be an object')
    _require(isinstance(spec.get("name"), str) and spec["name"] != "", path, '"featureSpec.name" must be a non-empty string')
    _require(isinstance(spec.get("version"), int), path, '"featureSpec.version" must be an integer')
    _require(isinstance(spec.get("hash"), str) and spec["hash"] != "", path, '"featureSpec.hash" must be a non-empty string')
    feats = spec.get("features")
    _require(isinstance(feats, list) and len(feats) > 0, path, '"featureSpec.features" must be a non-empty list')
    for i, feat in enumerate(feats):
        _require(
            isinstance(feat, dict) and isinstance(feat.get("name"), str) and feat.get("type") in FEATURE_TYPES,
            path,
            f'"featureSpec.features[{i}]" must be {{"name": str, "type": "numeric"|"categorical"}}',
        )
    names = [f["name"] for f in feats]
    dup = next((n for i, n in enumerate(names) if n in names[:i]), None)
    _require(dup is None, path, f'feature "{dup}" is listed twice in featureSpec.features')
    reserved = {"entity_id", "event_time", "label"} & set(names)
    _require(not reserved, path, f"feature names may not be {sorted(reserved)}: rows.csv uses them")
    cost = manifest.get("cost")
    if cost is not None:
        _require(isinstance(cost, dict), path, '"cost" must be an object {"fn": number, "fp": number}')
        for key in ("fn", "fp"):
            val = cost.get(key)
            _require(
                isinstance(val, (int, float)) and not isinstance(val, bool) and math.isfinite(val) and val >= 0,
                path,
                f'"cost.{key}" must be a non-negative number',
            )
    return manifest


def _parse_numbers(column: pd.Series, path: Path, name: str, allow_missing: bool) -> np.ndarray:
    text = column.str.strip()
    empty = (text == "").to_numpy()
    values = pd.to_numeric(text.mask(empty, None), errors="coerce").to_numpy(dtype=np.float64)
    bad = ~empty & ~np.isfinite(values)
    if bad.any():
        i = int(np.argmax(bad))
        raise BadInput(f"{path}: line {i + 2}: column {name} has {column.iloc[i]!r}, not a finite number")
    if not allow_missing and empty.any():
        i = int(np.argmax(empty))
        raise BadInput(f"{path}: line {i + 2}: column {name} is empty")
    return values


def load_snapshot(directory: str | Path) -> Snapshot:
    root = Path(directory)
    if not root.is_dir():
        raise BadInput(f"{root}: snapshot directory does not exist")
    manifest_path = root / "manifest.json"
    rows_path = root / "rows.csv"
    manifest = _parse_manifest(manifest_path)
    spec = manifest["featureSpec"]
    features = tuple(Feature(f["name"], f["type"]) for f in spec["features"])

    categorical = [f.name for f in features if f.type == "categorical"]
    if categorical:
        # The model's ONNX input is one float32 tensor, so strings cannot reach it; the feature
        # processor must encode categories as numeric features until a string input exists.
        raise BadInput(
            f"{manifest_path}: categorical features {categorical} are not supported yet: the model input is a "
            "single float32 tensor; encode them as numeric features (e.g. one-hot) in the feature spec"
        )

    _require(rows_path.is_file(), rows_path, "rows.csv is missing")
    actual_sha = sha256_file(rows_path)
    if actual_sha != manifest["sha256"].lower():
        raise BadInput(f"{rows_path}: sha256 {actual_sha} does not match manifest.json sha256 {manifest['sha256']}")

    try:
        raw = pd.read_csv(rows_path, dtype=str, keep_default_na=False, na_filter=False, skip_blank_lines=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise BadInput(f"{rows_path}: cannot be read as CSV ({exc})") from exc

    expected = ["entity_id", "event_time", *[f.name for f in features], "label"]
    header = list(raw.columns)
    if header != expected:
        missing = [c for c in expected if c not in header]
        extra = [c for c in header if c not in expected]
        detail = f"missing columns {missing}" if missing else ""
        if extra:
            detail += ("; " if detail else "") + f"unexpected columns {extra}"
        if not detail:
            detail = "same columns in a different order"
        raise BadInput(f"{rows_path}: header does not match the feature spec ({detail}); expected {expected}")

    if len(raw) != manifest["rows"]:
        raise BadInput(f"{rows_path}: has {len(raw)} rows but manifest.json says {manifest['rows']}")

    try:
        times = pd.to_datetime(raw["event_time"], utc=True, format="ISO8601")
    except (ValueError, TypeError) as exc:
        raise BadInput(f"{rows_path}: event_time is not ISO 8601 ({exc})") from exc
    frame = pd.DataFrame({"entity_id": raw["entity_id"].astype(str), "event_time": times})
    for feat in features:
        frame[feat.name] = _parse_numbers(raw[feat.name], rows_path, feat.name, allow_missing=True)
    frame["label"] = _parse_numbers(raw["label"], rows_path, "label", allow_missing=False)
    if manifest["task"] == "classification":
        bad = ~np.isin(frame["label"].to_numpy(), (0.0, 1.0))
        if bad.any():
            i = int(np.argmax(bad))
            raise BadInput(f"{rows_path}: line {i + 2}: classification label must be 0 or 1, got {raw['label'].iloc[i]!r}")
    frame = frame.sort_values(["event_time", "entity_id"], kind="mergesort").reset_index(drop=True)

    cost = dict(DEFAULT_COST)
    if manifest.get("cost"):
        cost = {"fn": float(manifest["cost"]["fn"]), "fp": float(manifest["cost"]["fp"])}
    return Snapshot(
        directory=root,
        id=manifest["id"],
        sha256=actual_sha,
        rows=manifest["rows"],
        from_=manifest["from"],
        to=manifest["to"],
        task=manifest["task"],
        label=manifest["label"],
        use_case=manifest["useCase"],
        feature_spec=spec,
        features=features,
        cost=cost,
        frame=frame,
    )
