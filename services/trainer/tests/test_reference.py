import numpy as np
import pandas as pd

from edgeflow_trainer.reference import categorical_profile, numeric_profile


def _check_numeric(profile: dict) -> None:
    edges = profile["quantileEdges"]
    assert all(a < b for a, b in zip(edges, edges[1:])), "edges strictly increase"
    assert len(profile["binCounts"]) == len(edges) - 1
    assert sum(profile["binCounts"]) == profile["n"]
    assert edges[0] == profile["min"]
    # A constant feature's single bin is [v, next float after v]; otherwise the last edge is the max.
    assert edges[-1] == profile["max"] or (profile["min"] == profile["max"] and len(edges) == 2)
    assert len(profile["sample"]) == min(2000, profile["n"])


def test_bins_are_half_open_with_a_closed_last_bin():
    values = np.array([1.0, 1.0, 2.0, 3.0, 4.0, 5.0, 5.0, np.nan])
    p = numeric_profile(values, np.random.default_rng(0))
    assert p["n"] == 7 and p["missing"] == 1
    _check_numeric(p)
    edges, counts = p["quantileEdges"], p["binCounts"]
    # Both 5.0s (the maximum) are in the last bin, none fall past it.
    in_last = sum(1 for v in values[~np.isnan(values)] if edges[-2] <= v <= edges[-1])
    assert counts[-1] == in_last


def test_duplicate_deciles_are_collapsed():
    values = np.array([0.0] * 80 + list(range(1, 21)), dtype=float)
    p = numeric_profile(values, np.random.default_rng(0))
    _check_numeric(p)
    assert p["quantileEdges"][0] == 0.0 and p["binCounts"][0] >= 80


def test_a_constant_feature_gets_one_bin():
    p = numeric_profile(np.full(10, 3.0), np.random.default_rng(0))
    _check_numeric(p)
    assert p["binCounts"] == [10] and p["std"] == 0.0


def test_an_all_missing_feature_has_no_bins():
    p = numeric_profile(np.full(4, np.nan), np.random.default_rng(0))
    assert p["n"] == 0 and p["missing"] == 4 and p["quantileEdges"] == [] and p["mean"] is None


def test_the_sample_is_seeded_and_bounded():
    values = np.random.default_rng(5).normal(size=10_000)
    a = numeric_profile(values, np.random.default_rng(42))
    b = numeric_profile(values, np.random.default_rng(42))
    assert len(a["sample"]) == 2000 and a["sample"] == b["sample"]
    assert set(a["sample"]) <= set(values.tolist())


def test_categorical_profiles_count_categories():
    p = categorical_profile(pd.Series(["a", "b", "a", "", None]))
    assert p == {"kind": "categorical", "n": 3, "missing": 2, "frequencies": {"a": 2, "b": 1}}


def test_reference_json_profiles_every_feature_on_the_training_rows(bike_run):
    ref = bike_run.reference
    card = bike_run.card
    assert ref["schemaVersion"] == 1
    assert ref["featureSpecHash"] == card["featureSpecHash"]
    assert ref["rows"] == card["split"]["trainRows"]
    assert list(ref["features"]) == [f["name"] for f in card["featureSpec"]["features"]]
    for name, profile in ref["features"].items():
        assert profile["kind"] == "numeric"
        assert profile["n"] + profile["missing"] == ref["rows"], name
        _check_numeric(profile)
    # Each counter's first week has no lag_168h, and all of it is in training.
    assert ref["features"]["lag_168h"]["missing"] == 3 * 167
    assert ref["features"]["hour"]["min"] == 0.0 and ref["features"]["hour"]["max"] == 23.0
    prediction = ref["prediction"]
    assert prediction["n"] == ref["rows"] and prediction["missing"] == 0
    _check_numeric(prediction)


def test_classification_reference_profiles_the_positive_probability(credit_run):
    prediction = credit_run.reference["prediction"]
    assert 0.0 <= prediction["min"] and prediction["max"] <= 1.0
    income = credit_run.reference["features"]["income_k"]
    assert income["missing"] > 0
