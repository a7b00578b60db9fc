"""Make a fitted LightGBM model's split thresholds exact in float32.

LightGBM compares `x <= threshold` with a float64 threshold; the ONNX TreeEnsemble operators
store float32 thresholds, rounded to nearest. When the rounding goes up onto a value the
data can take (e.g. midway between two adjacent float32 values), a row equal to it goes
left in ONNX and right natively. Every input we serve is float32, and for a float32 x,
`x <= t` holds exactly when `x <= floor32(t)` (the largest float32 not above t). So
replacing each threshold by floor32(t) leaves native predictions on float32 inputs
unchanged and makes the ONNX graph compute the very same splits."""

from __future__ import annotations

import re

import lightgbm as lgb
import numpy as np

_THRESHOLD_LINE = re.compile(r"^threshold=(.*)$", re.MULTILINE)
# `tree_sizes` lists each tree's byte length in the text; it is optional and stale once a
# threshold's text changes length, so it is dropped and LightGBM parses the trees in order.
_TREE_SIZES_LINE = re.compile(r"^tree_sizes=.*\n", re.MULTILINE)


def floor_to_float32(value: float) -> float:
    rounded = np.float32(value)
    if not np.isfinite(rounded) or float(rounded) <= value:
        return float(rounded)
    return float(np.nextafter(rounded, np.float32(-np.inf)))


def _floor_line(match: re.Match[str]) -> str:
    return "threshold=" + " ".join(repr(floor_to_float32(float(v))) for v in match.group(1).split())


def make_thresholds_float32(model: lgb.LGBMModel) -> int:
    """Rewrite the fitted model's booster in place; returns how many thresholds changed."""
    text = model.booster_.model_to_string()
    if re.search(r"^num_cat=[1-9]", text, re.MULTILINE):
        raise ValueError("categorical splits are not supported by the float32 threshold rewrite")
    changed = 0
    for match in _THRESHOLD_LINE.finditer(text):
        changed += sum(1 for v in match.group(1).split() if floor_to_float32(float(v)) != float(v))
    rewritten = _TREE_SIZES_LINE.sub("", _THRESHOLD_LINE.sub(_floor_line, text))
    # The sklearn wrapper predicts through `_Booster`; swapping it keeps classes and params.
    model._Booster = lgb.Booster(model_str=rewritten)
    return changed
