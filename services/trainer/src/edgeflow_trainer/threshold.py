"""Decision threshold that minimises cost = fn·FN + fp·FP on validation rows.

A row is flagged positive when its probability is >= the threshold. Candidates are the gaps
between distinct probabilities; the threshold is the midpoint of the chosen gap, so a tiny
float difference between native and ONNX probabilities does not flip a decision."""

from __future__ import annotations

import numpy as np


def choose_threshold(y_true: np.ndarray, proba: np.ndarray, cost: dict[str, float]) -> float:
    y = y_true.astype(int)
    order = np.argsort(-proba, kind="mergesort")
    p_sorted = proba[order]
    y_sorted = y[order]
    # Group rows by distinct probability (descending): flagging the first k groups positive.
    unique_desc, starts = np.unique(-p_sorted, return_index=True)
    unique_desc = -unique_desc
    positives_per_group = np.add.reduceat(y_sorted, starts)
    sizes = np.diff(np.append(starts, len(y_sorted)))
    tp = np.concatenate([[0], np.cumsum(positives_per_group)])
    fp = np.concatenate([[0], np.cumsum(sizes - positives_per_group)])
    fn = tp[-1] - tp
    total = cost["fn"] * fn + cost["fp"] * fp
    # First minimum: among equal costs flag the fewest rows.
    k = int(np.argmin(total))
    if k == 0:
        top = float(unique_desc[0])
        return 1.0 if top >= 1.0 else (top + 1.0) / 2.0
    if k == len(unique_desc):
        return float(unique_desc[-1]) / 2.0
    return (float(unique_desc[k - 1]) + float(unique_desc[k])) / 2.0
