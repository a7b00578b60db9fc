"""The model card (`card.json`): what the registry, the gate and serving read about a version.
Field names follow schemas/model-card.ts; extra fields are reported, not relied on."""

from __future__ import annotations

import platform
from datetime import datetime, timezone
from importlib import metadata
from typing import Any

from edgeflow_trainer import __version__
from edgeflow_trainer.onnx_export import INPUT_NAME, ExportedModel
from edgeflow_trainer.snapshot import Snapshot
from edgeflow_trainer.split import TimeSplit

LIBRARIES = (
    "numpy", "pandas", "scipy", "scikit-learn", "lightgbm", "skl2onnx", "onnxmltools", "onnx", "onnxruntime",
    "optuna", "mlflow-skinny",
)  # fmt: skip


def library_versions() -> dict[str, str]:
    versions: dict[str, str] = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def build_card(
    *,
    name: str,
    version: str | None,
    parent: str | None,
    snapshot: Snapshot,
    split: TimeSplit,
    chosen: dict[str, Any],
    candidates: list[dict[str, Any]],
    baselines: list[dict[str, Any]],
    threshold: float | None,
    exported: ExportedModel,
    model_sha256: str,
    parity: dict[str, float],
    selection: dict[str, Any],
    training_seconds: float,
) -> dict[str, Any]:
    card: dict[str, Any] = {
        "name": name,
        "version": version,
        "task": snapshot.task,
        "created": now_iso(),
        "useCase": snapshot.use_case,
        "label": snapshot.label,
        "featureSpec": snapshot.feature_spec,
        "featureSpecHash": snapshot.feature_spec["hash"],
        "modelSha256": model_sha256,
        "snapshot": {
            "id": snapshot.id,
            "sha256": snapshot.sha256,
            "rows": snapshot.rows,
            "from": snapshot.from_,
            "to": snapshot.to,
        },
        "split": split.to_card(),
        "chosen": {"name": chosen["name"], "params": chosen["params"]},
        "metrics": {"test": chosen["metrics"], "candidates": candidates, "baselines": baselines},
        "selection": selection,
        "onnx": {
            "input": INPUT_NAME,
            "output": exported.output,
            "kind": exported.kind,
            "opset": exported.opset,
            "nFeatures": exported.n_features,
        },
        "parity": parity,
        "trainingSeconds": round(training_seconds, 3),
        "parent": parent,
        "trainer": {"version": __version__, "python": platform.python_version(), "libraries": library_versions()},
    }
    if snapshot.task == "classification":
        card["threshold"] = threshold
        card["cost"] = snapshot.cost
    return card
