"""Optional MLflow tracking: when MLFLOW_TRACKING_URI is set, one run in experiment
`edgeflow-<name>` with params, every candidate's metrics and the version folder as
artifacts. MLflow being down costs a warning, not the model, unless it is required."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from edgeflow_trainer import log
from edgeflow_trainer.errors import TrackingFailure


def _params(card: dict[str, Any], options: dict[str, Any]) -> dict[str, str]:
    params: dict[str, Any] = {
        "snapshot.id": card["snapshot"]["id"],
        "snapshot.sha256": card["snapshot"]["sha256"],
        "featureSpecHash": card["featureSpecHash"],
        "task": card["task"],
        "chosen": card["chosen"]["name"],
        **{f"split.{k}": v for k, v in card["split"].items()},
        **{f"option.{k}": v for k, v in options.items()},
    }
    for cand in card["metrics"]["candidates"]:
        for key, value in cand["params"].items():
            params[f"{cand['name']}.{key}"] = value
    if card.get("threshold") is not None:
        params["threshold"] = card["threshold"]
    return {k: str(v) for k, v in params.items()}


def _metrics(card: dict[str, Any]) -> dict[str, float]:
    metrics = {f"test.{k}": v for k, v in card["metrics"]["test"].items()}
    for cand in card["metrics"]["candidates"]:
        for key, value in cand["metrics"].items():
            metrics[f"{cand['name']}.test.{key}"] = value
        for key, value in cand.get("validation", {}).items():
            metrics[f"{cand['name']}.validation.{key}"] = value
        metrics[f"{cand['name']}.trainSeconds"] = cand["trainSeconds"]
    for base in card["metrics"]["baselines"]:
        for key, value in base["metrics"].items():
            metrics[f"baseline.{base['name']}.{key}"] = value
    metrics["trainingSeconds"] = card["trainingSeconds"]
    return metrics


def log_run(card: dict[str, Any], folder: Path, options: dict[str, Any], required: bool) -> str | None:
    uri = os.environ.get("MLFLOW_TRACKING_URI")
    if not uri:
        if required:
            raise TrackingFailure("--mlflow-required is set but MLFLOW_TRACKING_URI is not")
        return None
    # An unreachable server would otherwise be retried with backoff for minutes.
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "15")
    experiment = f"edgeflow-{card['name']}"
    try:
        import mlflow

        mlflow.set_tracking_uri(uri)
        mlflow.set_experiment(experiment)
        with mlflow.start_run(run_name=f"{card['name']}-{card['snapshot']['id']}") as run:
            mlflow.set_tags(
                {
                    "edgeflow.name": card["name"],
                    "edgeflow.version": str(card["version"]),
                    "edgeflow.parent": str(card["parent"]),
                    "edgeflow.useCase": card["useCase"],
                    "edgeflow.modelSha256": card["modelSha256"],
                }
            )
            mlflow.log_params(_params(card, options))
            mlflow.log_metrics(_metrics(card))
            mlflow.log_artifacts(str(folder))
            run_id = run.info.run_id
    except Exception as exc:  # noqa: BLE001 - any tracking failure is reported the same way
        if required:
            raise TrackingFailure(f"MLflow logging to {uri} failed: {exc}") from exc
        log.warn("MLflow logging failed; the model is still written", uri=uri, error=str(exc)[:500])
        return None
    log.info("logged to MLflow", experiment=experiment, runId=run_id)
    return run_id
