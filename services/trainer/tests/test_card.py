import hashlib
import re

import pandas as pd

REQUIRED = {
    "name", "version", "task", "created", "useCase", "label", "featureSpec", "featureSpecHash", "modelSha256",
    "snapshot", "split", "chosen", "metrics", "onnx", "trainingSeconds", "parent", "trainer",
}  # fmt: skip


def test_the_card_has_every_contract_field(bike_run):
    card = bike_run.card
    assert REQUIRED <= set(card)
    assert card["name"] == "bike" and card["version"] == "1" and card["parent"] is None
    assert card["task"] == "regression" and card["useCase"] == "bike-traffic" and card["label"] == "count_next_hour"
    assert pd.Timestamp(card["created"]).tzinfo is not None
    assert set(card["split"]) == {"trainFrom", "trainTo", "testFrom", "testTo", "trainRows", "testRows"}
    assert set(card["snapshot"]) == {"id", "sha256", "rows", "from", "to"}
    assert card["snapshot"]["sha256"] == hashlib.sha256((bike_run.snapshot / "rows.csv").read_bytes()).hexdigest()
    assert [c["name"] for c in card["metrics"]["candidates"]] == ["ridge", "random_forest", "lightgbm"]
    for cand in card["metrics"]["candidates"]:
        assert set(cand) >= {"name", "params", "metrics", "trainSeconds"}
        assert set(cand["metrics"]) == {"rmse", "mae", "r2"} and cand["trainSeconds"] >= 0
    assert "threshold" not in card
    assert card["trainer"]["libraries"]["onnxruntime"] and card["trainer"]["python"].startswith("3.")


def test_model_sha256_and_feature_spec_hash_match(bike_run):
    card = bike_run.card
    assert re.fullmatch(r"[0-9a-f]{64}", card["modelSha256"])
    assert card["modelSha256"] == hashlib.sha256((bike_run.out / "model.onnx").read_bytes()).hexdigest()
    assert card["featureSpecHash"] == card["featureSpec"]["hash"]
    assert card["onnx"] == {
        "input": "input", "output": card["onnx"]["output"], "kind": "regression", "opset": card["onnx"]["opset"],
        "nFeatures": 7,
    }  # fmt: skip
    assert card["onnx"]["opset"] >= 15


def test_a_classification_card_carries_its_threshold_and_probabilities_output(credit_run):
    card = credit_run.card
    assert card["task"] == "classification" and card["parent"] == "3" and card["version"] is None
    assert 0.0 <= card["threshold"] <= 1.0
    assert card["onnx"]["output"] == "probabilities" and card["onnx"]["kind"] == "classification"
    assert [c["name"] for c in card["metrics"]["candidates"]] == ["logistic_regression", "random_forest", "lightgbm"]
    chosen = next(c for c in card["metrics"]["candidates"] if c["name"] == card["chosen"]["name"])
    assert chosen["threshold"] == card["threshold"]


def test_the_version_folder_holds_exactly_the_four_files(bike_run):
    assert sorted(p.name for p in bike_run.out.iterdir()) == ["card.json", "model.onnx", "parity.csv", "reference.json"]
    leftovers = [p.name for p in bike_run.out.parent.iterdir() if p.name.startswith(".")]
    assert leftovers == []
