"""Typed trainer errors. Each carries the process exit code the CLI returns for it, so
callers (the TypeScript retrainer) can tell bad input from a refused export from a crash."""

from __future__ import annotations


class TrainerError(Exception):
    """Base class: `code` is a stable identifier for logs, `exit_code` the CLI's exit status."""

    code = "TRAINER_ERROR"
    exit_code = 1


class BadInput(TrainerError):
    """The snapshot or the arguments are wrong; retrying with the same input cannot help."""

    code = "BAD_INPUT"
    exit_code = 2


class ParityFailure(TrainerError):
    """ONNX predictions differ from the native model's beyond tolerance: no model is emitted."""

    code = "PARITY_FAILED"
    exit_code = 3


class TrackingFailure(TrainerError):
    """MLflow logging failed while the run required it (`--mlflow-required`)."""

    code = "TRACKING_FAILED"
    exit_code = 1
