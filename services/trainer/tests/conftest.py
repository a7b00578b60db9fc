"""Shared fixtures: synthetic snapshots and one full training run per task, reused by the
tests that only read the resulting version folder (keeps the suite well under two minutes)."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from synthetic import bike_snapshot, credit_snapshot  # noqa: E402

from edgeflow_trainer.train import TrainOptions, run  # noqa: E402


@dataclass
class TrainedRun:
    snapshot: Path
    out: Path
    summary: dict[str, Any]

    @property
    def card(self) -> dict[str, Any]:
        return json.loads((self.out / "card.json").read_text())

    @property
    def reference(self) -> dict[str, Any]:
        return json.loads((self.out / "reference.json").read_text())


@pytest.fixture(scope="session")
def bike_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return bike_snapshot(tmp_path_factory.mktemp("bike") / "snapshot")


@pytest.fixture(scope="session")
def credit_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return credit_snapshot(tmp_path_factory.mktemp("credit") / "snapshot")


@pytest.fixture(scope="session")
def bike_run(bike_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> TrainedRun:
    out = tmp_path_factory.mktemp("bike-out") / "v1"
    summary = run(TrainOptions(snapshot=str(bike_dir), out=str(out), name="bike", version="1"))
    return TrainedRun(bike_dir, out, summary)


@pytest.fixture(scope="session")
def credit_run(credit_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> TrainedRun:
    out = tmp_path_factory.mktemp("credit-out") / "v1"
    summary = run(TrainOptions(snapshot=str(credit_dir), out=str(out), name="credit", parent="3"))
    return TrainedRun(credit_dir, out, summary)


@pytest.fixture
def copy_snapshot(tmp_path: Path):
    """Copy a snapshot so a test can corrupt it."""

    def _copy(src: Path) -> Path:
        dst = tmp_path / "snapshot"
        dst.mkdir()
        for name in ("rows.csv", "manifest.json"):
            (dst / name).write_bytes((src / name).read_bytes())
        return dst

    return _copy
