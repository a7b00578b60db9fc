import lightgbm as lgb
import numpy as np
import onnx
import onnxruntime as ort
import pandas as pd
import pytest

from sklearn.pipeline import Pipeline

from edgeflow_trainer import candidates as cands
from edgeflow_trainer import onnx_export
from edgeflow_trainer.cli import main
from edgeflow_trainer.errors import ParityFailure
from edgeflow_trainer.lightgbm_float32 import floor_to_float32, make_thresholds_float32
from edgeflow_trainer.parity import check_parity


def _replay(run) -> tuple[pd.DataFrame, np.ndarray, list[str]]:
    card = run.card
    names = [f["name"] for f in card["featureSpec"]["features"]]
    # round_trip: pandas' default float parser may be off by an ulp; JavaScript's parseFloat is exact.
    parity = pd.read_csv(run.out / "parity.csv", float_precision="round_trip")
    sess = ort.InferenceSession(str(run.out / "model.onnx"), providers=["CPUExecutionProvider"])
    (out,) = sess.run([card["onnx"]["output"]], {"input": parity[names].to_numpy(dtype=np.float32)})
    return parity, out, names


def test_onnxruntime_reproduces_parity_csv_for_regression(bike_run):
    parity, out, names = _replay(bike_run)
    assert list(parity.columns) == [*names, "native_prediction", "onnx_prediction"]
    assert out.shape == (len(parity), 1) and out.dtype == np.float32
    np.testing.assert_array_equal(out[:, 0].astype(np.float64), parity["onnx_prediction"].to_numpy())
    native = parity["native_prediction"].to_numpy()
    assert np.all(np.abs(out[:, 0] - native) <= 1e-4 * np.maximum(1, np.abs(native)))


def test_onnxruntime_reproduces_parity_csv_for_classification(credit_run):
    parity, out, _ = _replay(credit_run)
    assert out.shape == (len(parity), 2)
    np.testing.assert_allclose(out.sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_array_equal(out[:, 1].astype(np.float64), parity["onnx_prediction"].to_numpy())
    assert parity["income_k"].isna().any(), "missing inputs survive the round trip as empty cells"


def test_the_model_signature_is_one_float_input_named_input(bike_run):
    model = onnx.load(str(bike_run.out / "model.onnx"))
    (inp,) = model.graph.input
    assert inp.name == "input"
    assert inp.type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    dims = inp.type.tensor_type.shape.dim
    assert not dims[0].HasField("dim_value") and dims[1].dim_value == 7
    meta = {p.key: p.value for p in model.metadata_props}
    assert meta["edgeflow.featureSpecHash"] == bike_run.card["featureSpecHash"]


def test_parity_tolerance_is_relative_to_the_native_value():
    check_parity(np.array([1000.0, 0.5]), np.array([1000.05, 0.50005]))
    with pytest.raises(ParityFailure, match="1 of 2 holdout rows"):
        check_parity(np.array([1000.0, 0.5]), np.array([1000.2, 0.5]))
    with pytest.raises(ParityFailure):
        check_parity(np.array([1.0]), np.array([np.nan]))


def test_a_parity_failure_exits_3_and_writes_nothing(bike_dir, tmp_path, monkeypatch, capfd):
    real = onnx_export.onnx_predict
    monkeypatch.setattr(onnx_export, "onnx_predict", lambda *a, **k: real(*a, **k) + 0.5)
    out = tmp_path / "models" / "v9"
    code = main(["train", "--snapshot", str(bike_dir), "--out", str(out), "--name", "bike", "--candidates", "ridge"])
    err = capfd.readouterr()
    assert code == 3
    assert "ONNX predictions differ from the native model" in err.err and '"code": "PARITY_FAILED"' in err.err
    assert err.out == ""
    assert not out.exists()
    models = tmp_path / "models"
    assert not models.exists() or list(models.iterdir()) == []  # no staging folder left behind


def test_floor_to_float32_never_rounds_up():
    for value in (0.1, 1.0000001788139345, -2.5, 1e-40, 3.4e38):
        f = floor_to_float32(value)
        assert f <= value and float(np.float32(f)) == f
        assert float(np.nextafter(np.float32(f), np.float32(np.inf))) > value


def test_lightgbm_thresholds_between_adjacent_float32_values_match_onnx():
    # Two adjacent float32 values: LightGBM's float64 midpoint rounds up to the larger one in
    # float32, so without the rewrite ONNX sends the larger value down the wrong branch.
    a = np.float32(1) + np.float32(2**-23)
    b = np.nextafter(a, np.float32(2))
    rng = np.random.default_rng(0)
    x = np.where(rng.random(1000) < 0.5, a, b).astype(np.float32)
    X = np.stack([x, rng.normal(size=1000).astype(np.float32)], axis=1)
    y = (x == b) * 10.0 + X[:, 1]

    def max_diff(model: lgb.LGBMRegressor) -> float:
        pipeline = Pipeline([("model", model)])
        exported = onnx_export.export(pipeline, 2, "regression", {})
        onnx_pred = onnx_export.onnx_predict(onnx_export.session(exported.model_bytes), X, "regression", exported.output)
        return float(np.max(np.abs(onnx_pred - cands.predict(pipeline, X, "regression"))))

    params = dict(n_estimators=5, min_child_samples=5, min_data_in_bin=1, verbose=-1, n_jobs=1)
    raw = lgb.LGBMRegressor(**params).fit(X, y)
    assert max_diff(raw) > 1.0
    fixed = lgb.LGBMRegressor(**params).fit(X, y)
    before = cands.predict(Pipeline([("model", fixed)]), X, "regression")
    assert make_thresholds_float32(fixed) > 0
    # Native predictions on float32 inputs are unchanged; ONNX now agrees with them.
    np.testing.assert_array_equal(cands.predict(Pipeline([("model", fixed)]), X, "regression"), before)
    assert max_diff(fixed) < 1e-4
