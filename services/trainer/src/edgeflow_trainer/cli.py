"""Command line: `python -m edgeflow_trainer train --snapshot DIR --out DIR --name NAME ...`.

Progress goes to stderr as JSON lines; the last stdout line is the JSON summary. Anything a
library prints to stdout is sent to stderr so stdout stays machine-readable. Exit codes:
0 ok, 2 bad input, 3 parity check failed (nothing written), 1 anything else."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import traceback
from collections.abc import Iterator, Sequence

from edgeflow_trainer import log
from edgeflow_trainer.errors import TrainerError
from edgeflow_trainer.train import TrainOptions, run


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m edgeflow_trainer", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    train = sub.add_parser("train", help="train candidates on a snapshot and write a model version folder")
    train.add_argument("--snapshot", required=True, help="snapshot directory (manifest.json + rows.csv)")
    train.add_argument("--out", required=True, help="version folder to create (must not exist, or be empty)")
    train.add_argument("--name", required=True, help="model name (MLflow experiment edgeflow-<name>)")
    train.add_argument("--version", default=None, help="registry version (digits); null in the card when absent")
    train.add_argument("--train-to", default=None, help="train on event_time < this (ISO 8601)")
    train.add_argument("--test-from", default=None, help="test on event_time >= this (default: --train-to)")
    train.add_argument("--test-to", default=None, help="test on event_time < this (default: end of snapshot)")
    train.add_argument("--holdout-fraction", type=float, default=0.2, help="test share by time when --train-to is absent")
    train.add_argument("--validation-fraction", type=float, default=0.2,
                       help="last share of training rows used to pick the model and the threshold")  # fmt: skip
    train.add_argument("--trials", type=int, default=0, help="Optuna trials for LightGBM (0 = defaults)")
    train.add_argument("--tuning-timeout", type=float, default=600.0, help="wall-clock budget for --trials, seconds")
    train.add_argument("--seed", type=int, default=42)
    train.add_argument("--parent", default=None, help="version this one was retrained from")
    train.add_argument("--candidates", default="ridge,random_forest,lightgbm",
                       help="comma list of ridge (linear baseline), random_forest, lightgbm")  # fmt: skip
    train.add_argument("--mlflow-required", action="store_true", help="fail (exit 1) if MLflow logging fails")
    return parser


@contextlib.contextmanager
def stdout_to_stderr() -> Iterator[int]:
    """Point fd 1 at stderr (native libraries print there too); yields a dup of the real stdout."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield saved
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse: 2 on bad usage, 0 for --help
        return int(exc.code or 0)
    opts = TrainOptions(
        snapshot=args.snapshot, out=args.out, name=args.name, version=args.version, train_to=args.train_to,
        test_from=args.test_from, test_to=args.test_to, holdout_fraction=args.holdout_fraction,
        validation_fraction=args.validation_fraction, trials=args.trials, tuning_timeout=args.tuning_timeout,
        seed=args.seed, parent=args.parent, candidates=args.candidates, mlflow_required=args.mlflow_required,
    )  # fmt: skip
    with stdout_to_stderr():
        try:
            summary = run(opts)
        except TrainerError as exc:
            log.error(str(exc), code=exc.code, exitCode=exc.exit_code)
            return exc.exit_code
        except Exception as exc:  # noqa: BLE001 - the CLI's contract is exit 1 for anything unexpected
            log.error(f"training failed: {exc}", code="INTERNAL", exitCode=1, traceback=traceback.format_exc())
            return 1
    sys.stdout.write(json.dumps(summary, allow_nan=False) + "\n")
    sys.stdout.flush()
    return 0
