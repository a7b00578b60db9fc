"""ONNX export of a fitted candidate pipeline, and ONNX Runtime inference on it.

One float32 input named `input` [N, F]. Regression: the first output, [N, 1] float.
Classification: ZipMap disabled, so `probabilities` is a plain [N, 2] float tensor (plus
`label`). LightGBM goes through skl2onnx with onnxmltools' converter registered for it."""

from __future__ import annotations

from dataclasses import dataclass

import lightgbm as lgb
import numpy as np
import onnxruntime as ort
from onnxmltools.convert.lightgbm.operator_converters.LightGbm import convert_lightgbm
from skl2onnx import convert_sklearn, update_registered_converter
from skl2onnx.common.data_types import FloatTensorType
from skl2onnx.common.shape_calculator import (
    calculate_linear_classifier_output_shapes,
    calculate_linear_regressor_output_shapes,
)
from sklearn.pipeline import Pipeline

from edgeflow_trainer.candidates import N_JOBS

INPUT_NAME = "input"
PROBABILITIES = "probabilities"
# Opset 17 / ai.onnx.ml 3: supported by every onnxruntime (Python and Node) from 1.13 on.
TARGET_OPSET = {"": 17, "ai.onnx.ml": 3}

_registered = False


def _register_lightgbm() -> None:
    global _registered
    if _registered:
        return
    update_registered_converter(
        lgb.LGBMRegressor,
        "LightGbmLGBMRegressor",
        calculate_linear_regressor_output_shapes,
        convert_lightgbm,
        options={"split": None},
    )
    update_registered_converter(
        lgb.LGBMClassifier,
        "LightGbmLGBMClassifier",
        calculate_linear_classifier_output_shapes,
        convert_lightgbm,
        options={"nocl": [True, False], "zipmap": [True, False, "columns"]},
    )
    _registered = True


@dataclass(frozen=True)
class ExportedModel:
    model_bytes: bytes
    output: str
    kind: str
    opset: int
    n_features: int


def export(pipeline: Pipeline, n_features: int, task: str, metadata: dict[str, str]) -> ExportedModel:
    _register_lightgbm()
    final = pipeline.steps[-1][1]
    options = {id(final): {"zipmap": False}} if task == "classification" else None
    model = convert_sklearn(
        pipeline,
        name="edgeflow",
        initial_types=[(INPUT_NAME, FloatTensorType([None, n_features]))],
        target_opset=TARGET_OPSET,
        options=options,
    )
    for key, value in metadata.items():
        prop = model.metadata_props.add()
        prop.key, prop.value = key, value
    outputs = [o.name for o in model.graph.output]
    if task == "classification":
        if PROBABILITIES not in outputs:
            raise RuntimeError(f"classifier export has outputs {outputs}, expected {PROBABILITIES!r}")
        output = PROBABILITIES
    else:
        output = outputs[0]
    opset = max(op.version for op in model.opset_import if op.domain in ("", "ai.onnx"))
    return ExportedModel(model.SerializeToString(), output, task, int(opset), n_features)


def session(model_bytes: bytes) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.intra_op_num_threads = N_JOBS
    options.inter_op_num_threads = 1
    return ort.InferenceSession(model_bytes, sess_options=options, providers=["CPUExecutionProvider"])


def onnx_predict(sess: ort.InferenceSession, X: np.ndarray, task: str, output: str) -> np.ndarray:
    """Regression value, or the positive class's probability, as float64."""
    (result,) = sess.run([output], {INPUT_NAME: np.ascontiguousarray(X, dtype=np.float32)})
    if task == "regression":
        return np.asarray(result, dtype=np.float64).reshape(len(X), -1)[:, 0]
    return np.asarray(result, dtype=np.float64)[:, 1]
