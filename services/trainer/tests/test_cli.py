import json
import os
import subprocess
import sys

from edgeflow_trainer.cli import main


def test_python_m_prints_progress_to_stderr_and_one_json_summary_on_stdout(bike_dir, tmp_path):
    out = tmp_path / "v2"
    proc = subprocess.run(
        [sys.executable, "-m", "edgeflow_trainer", "train", "--snapshot", str(bike_dir), "--out", str(out),
         "--name", "bike", "--version", "2", "--parent", "1", "--candidates", "ridge,random_forest", "--seed", "7"],
        capture_output=True, text=True, timeout=300, env={**os.environ, "MLFLOW_TRACKING_URI": ""},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1
    summary = json.loads(lines[-1])
    assert set(summary) == {"out", "chosen", "metrics"}
    assert summary["out"] == str(out.resolve()) and summary["chosen"] in {"ridge", "random_forest"}
    assert set(summary["metrics"]) == {"rmse", "mae", "r2"}
    events = [json.loads(line) for line in proc.stderr.splitlines() if line.startswith("{")]
    msgs = [e["msg"] for e in events]
    for expected in ("loaded snapshot", "split by time", "trained candidate", "exported ONNX", "parity ok"):
        assert expected in msgs
    trained = [e for e in events if e["msg"] == "trained candidate"]
    assert [e["candidate"] for e in trained] == ["ridge", "random_forest"] and all(e["seconds"] >= 0 for e in trained)
    card = json.loads((out / "card.json").read_text())
    assert card["version"] == "2" and card["parent"] == "1"


def test_an_existing_non_empty_out_folder_is_bad_input(bike_dir, tmp_path, capfd):
    out = tmp_path / "v1"
    out.mkdir()
    (out / "model.onnx").write_text("old")
    code = main(["train", "--snapshot", str(bike_dir), "--out", str(out), "--name", "bike"])
    assert code == 2 and "already exists" in capfd.readouterr().err
    assert (out / "model.onnx").read_text() == "old"


def test_bad_arguments_exit_2(bike_dir, tmp_path, capfd):
    assert main(["train", "--snapshot", str(bike_dir), "--out", str(tmp_path / "o")]) == 2  # no --name
    base = ["train", "--snapshot", str(bike_dir), "--out", str(tmp_path / "o"), "--name", "b"]
    assert main([*base, "--version", "v1"]) == 2
    assert main([*base, "--candidates", "xgboost"]) == 2
    assert main([*base, "--test-from", "2021-03-10T00:00:00Z", "--train-to", "2021-03-20T00:00:00Z"]) == 2
    assert main([*base, "--train-to", "yesterday-ish"]) == 2
    assert not (tmp_path / "o").exists()


def test_explicit_windows_and_an_empty_out_folder(bike_dir, tmp_path, capfd):
    out = tmp_path / "v3"
    out.mkdir()  # an empty folder made by the caller is fine
    code = main(
        ["train", "--snapshot", str(bike_dir), "--out", str(out), "--name", "bike", "--candidates", "ridge",
         "--train-to", "2021-03-22T00:00:00Z", "--test-from", "2021-03-29T00:00:00Z", "--test-to", "2021-04-01T00:00:00Z"]
    )  # fmt: skip
    captured = capfd.readouterr()
    assert code == 0, captured.err
    card = json.loads((out / "card.json").read_text())
    assert card["split"]["trainTo"] == "2021-03-22T00:00:00Z" and card["split"]["testTo"] == "2021-04-01T00:00:00Z"
    assert card["split"]["testRows"] == 3 * 24 * 3
    assert json.loads(captured.out.strip().splitlines()[-1])["chosen"] == "ridge"


def test_optuna_trials_tune_lightgbm_reproducibly(bike_dir, tmp_path, capfd):
    cards = []
    for i in range(2):
        out = tmp_path / f"t{i}"
        code = main(["train", "--snapshot", str(bike_dir), "--out", str(out), "--name", "bike",
                     "--candidates", "lightgbm", "--trials", "3", "--seed", "5"])  # fmt: skip
        err = capfd.readouterr().err
        assert code == 0, err
        assert '"msg": "tuned lightgbm"' in err and '"trials": 3' in err
        cards.append(json.loads((out / "card.json").read_text()))
    assert cards[0]["chosen"]["params"] == cards[1]["chosen"]["params"]
    assert cards[0]["chosen"]["params"] != {
        "n_estimators": 300, "learning_rate": 0.05, "num_leaves": 31, "min_child_samples": 20, "subsample": 0.8,
        "subsample_freq": 1, "colsample_bytree": 0.9, "reg_lambda": 0.0,
    }  # fmt: skip
    assert cards[0]["metrics"]["test"] == cards[1]["metrics"]["test"]
