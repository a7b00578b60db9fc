import hashlib
import json
from pathlib import Path

import numpy as np
import pytest

from edgeflow_trainer.cli import main
from edgeflow_trainer.errors import BadInput
from edgeflow_trainer.snapshot import load_snapshot


def _rewrite_rows(snapshot: Path, transform) -> None:
    """Change rows.csv and keep the manifest's sha256 consistent, so only the intended defect remains."""
    rows = snapshot / "rows.csv"
    lines = rows.read_text().splitlines()
    rows.write_text("\n".join(transform(lines)) + "\n")
    manifest = json.loads((snapshot / "manifest.json").read_text())
    manifest["sha256"] = hashlib.sha256(rows.read_bytes()).hexdigest()
    (snapshot / "manifest.json").write_text(json.dumps(manifest))


def _drop_column(lines: list[str], name: str) -> list[str]:
    index = lines[0].split(",").index(name)
    return [",".join(c for i, c in enumerate(line.split(",")) if i != index) for line in lines]


def _train(snapshot: Path, out: Path, capfd) -> tuple[int, str]:
    code = main(["train", "--snapshot", str(snapshot), "--out", str(out), "--name", "m", "--candidates", "ridge"])
    return code, capfd.readouterr().err


def test_loads_rows_sorted_by_time_with_missing_values_as_nan(bike_dir):
    snap = load_snapshot(bike_dir)
    assert snap.rows == len(snap.frame) == 3 * 35 * 24
    assert snap.frame["event_time"].is_monotonic_increasing
    assert snap.feature_names == ["hour", "weekday", "is_weekend", "lag_1h", "lag_24h", "lag_168h", "rolling_mean_24h"]
    # Each counter's first week has no lag_168h: 167 hours x 3 counters.
    assert int(np.isnan(snap.frame["lag_168h"]).sum()) == 3 * 167
    assert snap.cost == {"fn": 10.0, "fp": 1.0}


def test_a_sha256_mismatch_exits_2_naming_rows_csv(bike_dir, copy_snapshot, tmp_path, capfd):
    snap = copy_snapshot(bike_dir)
    with (snap / "rows.csv").open("a") as fh:
        fh.write("counter-9,2021-04-10T00:00:00Z,1,1,0,1,1,1,1,1\n")
    code, err = _train(snap, tmp_path / "out", capfd)
    assert code == 2
    assert "rows.csv: sha256" in err and "does not match manifest.json" in err
    assert not (tmp_path / "out").exists()


def test_a_missing_feature_column_exits_2_naming_the_column(bike_dir, copy_snapshot, tmp_path, capfd):
    snap = copy_snapshot(bike_dir)
    _rewrite_rows(snap, lambda lines: _drop_column(lines, "lag_24h"))
    code, err = _train(snap, tmp_path / "out", capfd)
    assert code == 2
    assert "rows.csv: header does not match the feature spec (missing columns ['lag_24h'])" in err


def test_columns_out_of_spec_order_are_refused(bike_dir, copy_snapshot):
    snap = copy_snapshot(bike_dir)

    def swap(lines):
        out = []
        for line in lines:
            cells = line.split(",")
            cells[2], cells[3] = cells[3], cells[2]
            out.append(",".join(cells))
        return out

    _rewrite_rows(snap, swap)
    with pytest.raises(BadInput, match="same columns in a different order"):
        load_snapshot(snap)


def test_a_row_count_mismatch_exits_2(bike_dir, copy_snapshot, tmp_path, capfd):
    snap = copy_snapshot(bike_dir)
    manifest = json.loads((snap / "manifest.json").read_text())
    manifest["rows"] += 1
    (snap / "manifest.json").write_text(json.dumps(manifest))
    code, err = _train(snap, tmp_path / "out", capfd)
    assert code == 2
    assert f"has {manifest['rows'] - 1} rows but manifest.json says {manifest['rows']}" in err


def test_a_non_numeric_value_is_reported_with_its_line(bike_dir, copy_snapshot):
    snap = copy_snapshot(bike_dir)

    def corrupt(lines):
        cells = lines[5].split(",")
        cells[2] = "noon"
        lines[5] = ",".join(cells)
        return lines

    _rewrite_rows(snap, corrupt)
    with pytest.raises(BadInput, match=r"line 6: column hour has 'noon', not a finite number"):
        load_snapshot(snap)


def test_categorical_features_are_refused_with_a_clear_reason(bike_dir, copy_snapshot, tmp_path, capfd):
    snap = copy_snapshot(bike_dir)
    manifest = json.loads((snap / "manifest.json").read_text())
    manifest["featureSpec"]["features"][1]["type"] = "categorical"
    (snap / "manifest.json").write_text(json.dumps(manifest))
    code, err = _train(snap, tmp_path / "out", capfd)
    assert code == 2
    assert "categorical features ['weekday'] are not supported yet" in err


def test_a_classification_label_other_than_0_or_1_is_refused(credit_dir, copy_snapshot):
    snap = copy_snapshot(credit_dir)

    def corrupt(lines):
        lines[10] = lines[10].rsplit(",", 1)[0] + ",2.0"
        return lines

    _rewrite_rows(snap, corrupt)
    with pytest.raises(BadInput, match="line 11: classification label must be 0 or 1"):
        load_snapshot(snap)


def test_a_missing_manifest_is_bad_input(bike_dir, copy_snapshot):
    snap = copy_snapshot(bike_dir)
    (snap / "manifest.json").unlink()
    with pytest.raises(BadInput, match="manifest.json is missing"):
        load_snapshot(snap)
