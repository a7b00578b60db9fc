import json

import pytest

from edgeflow_trainer.cli import main


def _argv(snapshot, out, *extra):
    return ["train", "--snapshot", str(snapshot), "--out", str(out), "--name", "bike", "--candidates", "ridge", *extra]


def test_a_run_is_logged_with_metrics_params_and_the_version_folder(bike_dir, tmp_path, monkeypatch, capfd):
    store = tmp_path / "mlruns"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", store.as_uri())
    out = tmp_path / "v1"
    assert main(_argv(bike_dir, out)) == 0, capfd.readouterr().err
    import mlflow
    from mlflow.tracking import MlflowClient

    client = MlflowClient(tracking_uri=store.as_uri())
    experiment = client.get_experiment_by_name("edgeflow-bike")
    assert experiment is not None
    (run,) = client.search_runs([experiment.experiment_id])
    card = json.loads((out / "card.json").read_text())
    assert run.data.metrics["test.rmse"] == pytest.approx(card["metrics"]["test"]["rmse"])
    assert run.data.metrics["ridge.validation.rmse"] == pytest.approx(card["metrics"]["candidates"][0]["validation"]["rmse"])
    assert "baseline.naive_this_hour.rmse" in run.data.metrics
    assert run.data.params["snapshot.id"] == card["snapshot"]["id"] and run.data.params["ridge.alpha"] == "1.0"
    assert run.data.tags["edgeflow.modelSha256"] == card["modelSha256"]
    artifacts = {a.path for a in client.list_artifacts(run.info.run_id)}
    assert artifacts == {"card.json", "model.onnx", "parity.csv", "reference.json"}
    mlflow.set_tracking_uri("")  # leave no global state for other tests


def test_an_unreachable_mlflow_only_warns(bike_dir, tmp_path, monkeypatch, capfd):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:9")
    out = tmp_path / "v1"
    assert main(_argv(bike_dir, out)) == 0
    err = capfd.readouterr().err
    assert '"level": "warn"' in err and "MLflow logging failed" in err
    assert (out / "model.onnx").exists()


def test_an_unreachable_mlflow_fails_the_run_when_required(bike_dir, tmp_path, monkeypatch, capfd):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:9")
    out = tmp_path / "v1"
    assert main(_argv(bike_dir, out, "--mlflow-required")) == 1
    assert "TRACKING_FAILED" in capfd.readouterr().err
    assert not out.exists()
    assert [p for p in tmp_path.iterdir() if p.name.startswith(".")] == []
