"""One training run: snapshot → split → candidates → pick → ONNX → parity → version folder."""

from __future__ import annotations

import hashlib
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from edgeflow_trainer import candidates as cands
from edgeflow_trainer import log, mlflow_log, onnx_export, output
from edgeflow_trainer.baselines import naive_baselines
from edgeflow_trainer.card import build_card
from edgeflow_trainer.errors import BadInput
from edgeflow_trainer.metrics import classification_metrics, regression_metrics
from edgeflow_trainer.parity import check_parity, parity_frame
from edgeflow_trainer.reference import reference_profile
from edgeflow_trainer.snapshot import load_snapshot
from edgeflow_trainer.split import iso, parse_time, time_split, validation_split
from edgeflow_trainer.threshold import choose_threshold
from edgeflow_trainer.tuning import tune_lightgbm


@dataclass(frozen=True)
class TrainOptions:
    snapshot: str
    out: str
    name: str
    version: str | None = None
    train_to: str | None = None
    test_from: str | None = None
    test_to: str | None = None
    holdout_fraction: float = 0.2
    validation_fraction: float = 0.2
    trials: int = 0
    tuning_timeout: float = 600.0
    seed: int = 42
    parent: str | None = None
    candidates: str = "ridge,random_forest,lightgbm"
    mlflow_required: bool = False


def _score_key(task: str) -> str:
    return "rmse" if task == "regression" else "cost"


def _evaluate(task: str, y: np.ndarray, pred: np.ndarray, threshold: float | None, cost: dict[str, float]) -> dict[str, float]:
    if task == "regression":
        return regression_metrics(y, pred)
    assert threshold is not None
    return classification_metrics(y, pred, threshold, cost)


def run(opts: TrainOptions) -> dict[str, Any]:
    started = time.perf_counter()
    out = Path(opts.out).resolve()
    output.check_out_free(out)
    if opts.version is not None and not opts.version.isdigit():
        raise BadInput(f"--version must be a positive integer string, got {opts.version!r}")
    if opts.trials < 0:
        raise BadInput("--trials must be >= 0")
    if not 0.0 < opts.validation_fraction < 1.0:
        raise BadInput("--validation-fraction must be between 0 and 1 (exclusive)")
    names = cands.parse_candidate_names(opts.candidates)

    t0 = time.perf_counter()
    snap = load_snapshot(opts.snapshot)
    frame = snap.frame
    features = snap.feature_names
    log.info("loaded snapshot", snapshot=snap.id, rows=len(frame), features=len(features), task=snap.task,
             seconds=round(time.perf_counter() - t0, 3))  # fmt: skip

    split = time_split(
        frame["event_time"],
        train_to=parse_time(opts.train_to, "--train-to") if opts.train_to else None,
        test_from=parse_time(opts.test_from, "--test-from") if opts.test_from else None,
        test_to=parse_time(opts.test_to, "--test-to") if opts.test_to else None,
        holdout_fraction=opts.holdout_fraction,
        snapshot_to=parse_time(snap.to, "manifest.json to"),
    )
    X = frame[features].to_numpy(dtype=np.float32)  # float32 is what serving feeds the model
    y = frame["label"].to_numpy(dtype=np.float64)
    X_train, y_train = X[split.train_index], y[split.train_index]
    X_test, y_test = X[split.test_index], y[split.test_index]
    train_times = frame["event_time"].iloc[split.train_index].reset_index(drop=True)
    fit_index, val_index = validation_split(train_times, opts.validation_fraction)
    if snap.task == "classification":
        for what, labels in (("training", y_train), ("training-minus-validation", y_train[fit_index])):
            if len(np.unique(labels)) < 2:
                raise BadInput(f"the {what} rows hold a single class ({int(labels[0])}); a classifier needs both")
    log.info("split by time", **split.to_card(), validationFrom=iso(train_times.iloc[val_index[0]]),
             validationRows=len(val_index))  # fmt: skip

    candidates = cands.build_candidates(snap.task, names, opts.seed)
    if opts.trials > 0:
        if any(c.name == "lightgbm" for c in candidates):
            t0 = time.perf_counter()
            params, best, ran = tune_lightgbm(
                snap.task, X_train[fit_index], y_train[fit_index], X_train[val_index], y_train[val_index],
                cost=snap.cost, trials=opts.trials, seed=opts.seed, timeout_seconds=opts.tuning_timeout,
            )  # fmt: skip
            candidates = [cands.lightgbm_candidate(snap.task, opts.seed, params) if c.name == "lightgbm" else c
                          for c in candidates]  # fmt: skip
            log.info("tuned lightgbm", trials=ran, best=best, params=params, seconds=round(time.perf_counter() - t0, 3))
        else:
            log.warn("--trials ignored: lightgbm is not among the candidates")

    key = _score_key(snap.task)
    results: list[dict[str, Any]] = []
    for cand in candidates:
        t0 = time.perf_counter()
        # Fit on the earlier part of training, score on its last window (selection and the
        # decision threshold), then refit on all training rows for the test and the export.
        probe = cands.fit(cand, X_train[fit_index], y_train[fit_index])
        val_pred = cands.predict(probe, X_train[val_index], snap.task)
        threshold = choose_threshold(y_train[val_index], val_pred, snap.cost) if snap.task == "classification" else None
        validation = _evaluate(snap.task, y_train[val_index], val_pred, threshold, snap.cost)
        model = cands.fit(cand, X_train, y_train)
        test_pred = cands.predict(model, X_test, snap.task)
        test = _evaluate(snap.task, y_test, test_pred, threshold, snap.cost)
        seconds = time.perf_counter() - t0
        entry: dict[str, Any] = {"name": cand.name, "params": cand.params, "metrics": test, "validation": validation,
                                 "trainSeconds": round(seconds, 3)}  # fmt: skip
        if threshold is not None:
            entry["threshold"] = threshold
        results.append({"entry": entry, "model": model, "test_pred": test_pred, "threshold": threshold})
        log.info("trained candidate", candidate=cand.name, seconds=round(seconds, 3), validation=validation, test=test)

    best = min(results, key=lambda r: r["entry"]["validation"].get(key, float("inf")))
    chosen = best["entry"]
    log.info("chose candidate", candidate=chosen["name"], by=f"validation {key}", test=chosen["metrics"])

    baselines: list[dict[str, Any]] = []
    if snap.task == "regression":
        baselines = naive_baselines(frame.iloc[split.test_index], y_test, float(np.mean(y_train)))
        for base in baselines:
            log.info("baseline", baseline=base["name"], metrics=base["metrics"])

    t0 = time.perf_counter()
    metadata = {"edgeflow.featureSpecHash": snap.feature_spec["hash"], "edgeflow.features": ",".join(features),
                "edgeflow.task": snap.task}  # fmt: skip
    exported = onnx_export.export(best["model"], len(features), snap.task, metadata)
    sess = onnx_export.session(exported.model_bytes)
    log.info("exported ONNX", bytes=len(exported.model_bytes), opset=exported.opset, output=exported.output,
             seconds=round(time.perf_counter() - t0, 3))  # fmt: skip

    onnx_test = onnx_export.onnx_predict(sess, X_test, snap.task, exported.output)
    parity = check_parity(best["test_pred"], onnx_test)
    log.info("parity ok", **parity)

    train_pred = onnx_export.onnx_predict(sess, X_train, snap.task, exported.output)
    reference = reference_profile(
        frame.iloc[split.train_index], [(f.name, f.type) for f in snap.features], train_pred,
        snap.feature_spec["hash"], opts.seed,
    )  # fmt: skip
    model_sha = hashlib.sha256(exported.model_bytes).hexdigest()
    card = build_card(
        name=opts.name, version=opts.version, parent=opts.parent, snapshot=snap, split=split,
        chosen=chosen, candidates=[r["entry"] for r in results], baselines=baselines, threshold=best["threshold"],
        exported=exported, model_sha256=model_sha, parity=parity,
        selection={"metric": key, "on": "validation", "validationFrom": iso(train_times.iloc[val_index[0]]),
                   "validationRows": int(len(val_index))},
        training_seconds=time.perf_counter() - started,
    )  # fmt: skip

    staging = output.staging_dir(out)
    try:
        (staging / "model.onnx").write_bytes(exported.model_bytes)
        output.write_json(staging / "card.json", card)
        output.write_json(staging / "reference.json", reference)
        parity_frame(X_test, features, best["test_pred"], onnx_test, opts.seed).to_csv(
            staging / "parity.csv", index=False, na_rep=""
        )
        mlflow_log.log_run(card, staging, asdict(opts), opts.mlflow_required)
        output.publish(staging, out)
    except BaseException:
        output.discard(staging)
        raise
    log.info("wrote model version", out=str(out), chosen=chosen["name"], modelSha256=model_sha,
             seconds=round(time.perf_counter() - started, 3))  # fmt: skip
    return {"out": str(out), "chosen": chosen["name"], "metrics": chosen["metrics"]}
