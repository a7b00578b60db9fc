"""The peer of bench/http: how the original project served its model. FastAPI + uvicorn, a
LightGBM regressor loaded with joblib, pydantic validation of the request, numpy in,
`model.predict` out. Same model and the same 19 features as edgeflow's ONNX export.

    EDGEFLOW_PEER_MODEL=model.joblib uvicorn server:app --host 127.0.0.1 --port 8001
"""

from __future__ import annotations

import os
import time
import warnings

import joblib
import numpy as np
from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field

N_FEATURES = 19
# sklearn warns on every call that numpy rows carry no feature names; the warning machinery
# would be most of what the peer measures.
warnings.filterwarnings("ignore", message="X does not have valid feature names")
MODEL = joblib.load(os.environ.get("EDGEFLOW_PEER_MODEL", "model.joblib"))

app = FastAPI(title="bench peer: FastAPI + LightGBM (joblib)")


class PredictRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    instances: list[list[float]] = Field(min_length=1, max_length=1000)


class PredictResponse(BaseModel):
    predictions: list[float]
    latency_ms: float


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/predict", response_model=PredictResponse)
def predict(request: PredictRequest) -> PredictResponse:
    started = time.perf_counter()
    rows = np.asarray(request.instances, dtype=np.float32)
    if rows.ndim != 2 or rows.shape[1] != N_FEATURES:
        from fastapi import HTTPException

        raise HTTPException(status_code=422, detail=f"expected rows of {N_FEATURES} features")
    values = MODEL.predict(rows)
    return PredictResponse(predictions=values.tolist(), latency_ms=(time.perf_counter() - started) * 1000)
