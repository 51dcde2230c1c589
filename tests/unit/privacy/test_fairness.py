"""Fairness: seed-shaped findings, thresholds, small groups, recommendations and input errors."""

from __future__ import annotations

from typing import Any

import pytest

from libs.errors import Invalid
from services.privacy.fairness import analyze_fairness, concern_level


def seed_like_rows() -> list[dict[str, Any]]:
    rows = []
    for group, avg, n in [("18-30", 4.2, 100), ("31-45", 4.0, 150), ("46-60", 3.1, 125), ("60+", 2.8, 75)]:
        rows += [
            {"age_group": group, "gender": "female" if i % 2 else "male", "satisfaction_score": avg, "resolved": True}
            for i in range(n)
        ]
    return rows


def test_seed_000_shape_and_figures() -> None:
    out = analyze_fairness(seed_like_rows(), ["age_group"], ["satisfaction_score"])
    assert set(out) == {"fairness_score", "detailed_findings", "recommendations"}
    [finding] = out["detailed_findings"]
    assert finding["attribute"] == "age_group" and finding["outcome"] == "satisfaction_score"
    assert finding["disparities"]["18-30"] == {"average": 4.2, "sample_size": 100}
    assert finding["disparities"]["60+"] == {"average": 2.8, "sample_size": 75}
    assert finding["disparity_score"] == pytest.approx(2.8 / 4.2, abs=1e-4)  # 0.67 in the seed
    assert finding["concern_level"] == "medium"
    assert out["fairness_score"] == pytest.approx(finding["disparity_score"])
    assert out["recommendations"][0] == (
        "Review and improve satisfaction score for customers in the 46-60 and 60+ age groups"
    )


def test_boolean_outcome_uses_rates_and_demographic_parity() -> None:
    rows = [{"g": "a", "ok": i < 90} for i in range(100)] + [{"g": "b", "ok": i < 40} for i in range(100)]
    [f] = analyze_fairness(rows, ["g"], ["ok"])["detailed_findings"]
    assert f["disparities"] == {"a": {"rate": 0.9, "sample_size": 100}, "b": {"rate": 0.4, "sample_size": 100}}
    assert f["disparity_score"] == pytest.approx(0.4 / 0.9, abs=1e-4)
    assert f["demographic_parity_difference"] == pytest.approx(0.5)
    assert f["concern_level"] == "high"


def test_small_groups_are_flagged_and_left_out_of_the_score() -> None:
    rows = [{"g": "a", "y": 5.0}] * 40 + [{"g": "b", "y": 5.0}] * 40 + [{"g": "c", "y": 1.0}] * 3
    out = analyze_fairness(rows, ["g"], ["y"], min_sample_size=30)
    [f] = out["detailed_findings"]
    assert f["disparities"]["c"] == {"average": 1.0, "sample_size": 3, "insufficient_sample": True}
    assert f["disparity_score"] == 1.0 and f["concern_level"] == "low" and f["reliable"] is True
    assert any("Collect more data for the c g groups" in r for r in out["recommendations"])


def test_tiny_data_is_still_judged_but_marked_unreliable() -> None:
    rows = [
        {"age_group": "18-30", "satisfaction_score": 4, "resolved": True},
        {"age_group": "31-45", "satisfaction_score": 5, "resolved": True},
    ]
    [f, _] = analyze_fairness(rows, ["age_group"], ["satisfaction_score", "resolved"])["detailed_findings"]
    assert f["reliable"] is False and f["disparity_score"] == 0.8


def test_thresholds() -> None:
    assert [concern_level(s) for s in (1.0, 0.8, 0.79, 0.6, 0.59)] == ["low", "low", "medium", "medium", "high"]


def test_no_disparity_recommends_monitoring() -> None:
    rows = [{"g": g, "y": 3} for g in "ab" for _ in range(40)]
    out = analyze_fairness(rows, ["g"], ["y"])
    assert out["fairness_score"] == 1.0 and out["recommendations"][0].startswith("No material disparities")


@pytest.mark.parametrize(
    ("data", "attrs", "outcomes", "field", "words"),
    [
        ([], ["g"], ["y"], "data", "non-empty"),
        ([{"g": "a", "y": 1}, {"g": "b", "y": 2}], ["age"], ["y"], "attributes", "age"),
        ([{"g": "a", "y": 1}, {"g": "b", "y": 2}], ["g"], ["score"], "outcome_columns", "score"),
        ([{"g": "a", "y": "good"}, {"g": "b", "y": "bad"}], ["g"], ["y"], "outcome_columns", "numeric"),
        ([{"g": "a", "y": 1}, {"g": "a", "y": 2}], ["g"], ["y"], "attributes", "at least two"),
        ([{"g": "a", "y": 1}], [], ["y"], "attributes", "non-empty"),
    ],
)
def test_bad_input_names_the_problem(data: Any, attrs: Any, outcomes: Any, field: str, words: str) -> None:
    with pytest.raises(Invalid) as err:
        analyze_fairness(data, attrs, outcomes)
    assert words in err.value.details[field]
