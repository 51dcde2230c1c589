"""Fairness analysis (seed 000 /fairness/analyze): takes rows, attributes and outcomes; produces findings and advice.

Per attribute × outcome, fairlearn's MetricFrame gives each group's average (numeric outcome) or rate (boolean
outcome) and size. The disparity score is the lowest group value divided by the highest (1 = parity), i.e.
fairlearn's demographic parity ratio for boolean outcomes; numeric outcomes with values ≤ 0 use instead
1 − (max − min) / (observed outcome range). Concern level: score ≥ 0.8 low (the "four-fifths rule"), ≥ 0.6
medium, below 0.6 high. Groups smaller than `min_sample_size` are flagged and left out of the score unless fewer
than two groups are large enough, in which case all groups are used and the finding is marked unreliable.
fairness_score is the mean disparity score of all findings. Outcomes are read as "higher is better".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from fairlearn.metrics import MetricFrame, count, demographic_parity_difference, demographic_parity_ratio

from libs.errors import Invalid

LOW_CONCERN_MIN = 0.8  # disparity_score at or above → "low"
MEDIUM_CONCERN_MIN = 0.6  # at or above → "medium"; below → "high"
DEFAULT_MIN_SAMPLE_SIZE = 30
MAX_ROWS = 100_000


def concern_level(score: float) -> str:
    return "low" if score >= LOW_CONCERN_MIN else "medium" if score >= MEDIUM_CONCERN_MIN else "high"


def _mean(y_true: Any, y_pred: Any) -> float:
    return float(np.mean(y_pred))


def _validate(data: Any, attributes: Any, outcomes: Any, min_sample_size: Any) -> pd.DataFrame:
    if not isinstance(data, list) or not data:
        raise Invalid("Validation error", {"data": "must be a non-empty list of records"})
    if len(data) > MAX_ROWS:
        raise Invalid("Validation error", {"data": f"at most {MAX_ROWS} records per request"})
    if not all(isinstance(row, Mapping) for row in data):
        raise Invalid("Validation error", {"data": "every record must be an object"})
    for name, cols in (("attributes", attributes), ("outcome_columns", outcomes)):
        if not isinstance(cols, list) or not cols or not all(isinstance(c, str) and c for c in cols):
            raise Invalid("Validation error", {name: "must be a non-empty list of column names"})
    if isinstance(min_sample_size, bool) or not isinstance(min_sample_size, int) or min_sample_size < 1:
        raise Invalid("Validation error", {"min_sample_size": "must be a positive integer"})
    frame = pd.DataFrame.from_records(data)
    for name, cols in (("attributes", attributes), ("outcome_columns", outcomes)):
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise Invalid("Validation error", {name: f"column(s) missing from data: {', '.join(missing)}"})
    for attr in attributes:
        groups = frame[attr].dropna().astype(str).unique()
        if len(groups) < 2:
            raise Invalid(
                "Validation error", {"attributes": f"'{attr}' has {len(groups)} group(s); at least two are needed"}
            )
    for col in outcomes:
        _outcome_kind(frame[col], col)
    return frame


def _outcome_kind(series: pd.Series, name: str) -> str:
    values = series.dropna().tolist()
    if not values:
        raise Invalid("Validation error", {"outcome_columns": f"'{name}' has no values"})
    if all(isinstance(v, bool | np.bool_) for v in values):
        return "boolean"
    numbers = all(isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool) for v in values)
    if numbers and all(np.isfinite(float(v)) for v in values):
        return "numeric"
    raise Invalid("Validation error", {"outcome_columns": f"'{name}' must be numeric or boolean"})


def _disparity(values: pd.Series, y: pd.Series, groups: pd.Series, kind: str) -> float:
    if kind == "boolean":
        if float(values.max()) == 0.0:
            return 1.0  # every group at rate 0: no gap to report
        return float(demographic_parity_ratio(y, y, sensitive_features=groups))
    lo, hi = float(values.min()), float(values.max())
    if lo > 0:
        return lo / hi
    span = float(y.max() - y.min())
    return 1.0 if span == 0 else 1.0 - (hi - lo) / span


def _finding(frame: pd.DataFrame, attr: str, outcome: str, min_size: int) -> dict[str, Any]:
    sub = frame[[attr, outcome]].dropna()
    kind = _outcome_kind(sub[outcome], outcome)
    y = sub[outcome].astype(int if kind == "boolean" else float)
    groups = sub[attr].astype(str)
    mf = MetricFrame(metrics={"value": _mean, "n": count}, y_true=y, y_pred=y, sensitive_features=groups)
    by_group = mf.by_group
    key = "rate" if kind == "boolean" else "average"
    small = [str(g) for g, n in by_group["n"].items() if int(n) < min_size]
    disparities: dict[str, dict[str, Any]] = {}
    for g, row in by_group.iterrows():
        entry: dict[str, Any] = {key: round(float(row["value"]), 4), "sample_size": int(row["n"])}
        if str(g) in small:
            entry["insufficient_sample"] = True
        disparities[str(g)] = entry
    eligible = [g for g in by_group.index if str(g) not in small]
    reliable = len(eligible) >= 2
    if reliable:
        keep = groups.isin(eligible)
        y, groups = y[keep], groups[keep]
    values = by_group.loc[eligible if reliable else list(by_group.index), "value"]
    score = _disparity(values, y, groups, kind)
    finding: dict[str, Any] = {
        "attribute": attr,
        "outcome": outcome,
        "outcome_type": kind,
        "disparities": disparities,
        "disparity_score": round(score, 4),
        "concern_level": concern_level(score),
        "reliable": reliable,
    }
    if kind == "boolean":
        finding["demographic_parity_difference"] = round(
            float(demographic_parity_difference(y, y, sensitive_features=groups)), 4
        )
    finding["_lagging"] = [str(g) for g, v in values.items() if _lags(float(v), values)]
    return finding


def _lags(value: float, values: pd.Series) -> bool:
    best, worst = float(values.max()), float(values.min())
    if worst > 0:
        return value / best < LOW_CONCERN_MIN
    return best > worst and (best - value) / (best - worst) >= 1 - LOW_CONCERN_MIN


def _label(column: str) -> str:
    return column.removesuffix("_group").removesuffix("_groups").replace("_", " ")


def _join(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def recommendations(findings: list[dict[str, Any]], min_size: int) -> list[str]:
    """Advice derived from the findings: lagging groups, root-cause work for high concern, data gaps."""
    out: list[str] = []
    for f in findings:
        attr, outcome, lagging = _label(f["attribute"]), _label(f["outcome"]), f["_lagging"]
        if f["outcome_type"] == "boolean":
            outcome += " rate"
        if f["concern_level"] != "low" and lagging:
            noun = "group" if len(lagging) == 1 else "groups"
            out.append(f"Review and improve {outcome} for customers in the {_join(lagging)} {attr} {noun}")
        if f["concern_level"] == "high":
            out.append(
                f"Investigate the root causes of the {outcome} gap across {attr} groups and provide targeted "
                f"agent training for the groups most affected"
            )
        small = [g for g, d in f["disparities"].items() if d.get("insufficient_sample")]
        if small:
            out.append(
                f"Collect more data for the {_join(small)} {attr} groups (fewer than {min_size} records each) "
                f"before drawing conclusions"
            )
    if not any(f["concern_level"] != "low" for f in findings):
        out.append("No material disparities found across the analysed groups; keep monitoring as new data arrives")
    return list(dict.fromkeys(out))


def analyze_fairness(
    data: Any, attributes: Any, outcome_columns: Any, *, min_sample_size: int = DEFAULT_MIN_SAMPLE_SIZE
) -> dict[str, Any]:
    """Seed 000 `data` object: fairness_score, detailed_findings (one per attribute × outcome), recommendations."""
    frame = _validate(data, attributes, outcome_columns, min_sample_size)
    findings = [_finding(frame, a, o, min_sample_size) for a in attributes for o in outcome_columns]
    advice = recommendations(findings, min_sample_size)
    for f in findings:
        f.pop("_lagging")
    score = float(np.mean([f["disparity_score"] for f in findings]))
    return {"fairness_score": round(score, 4), "detailed_findings": findings, "recommendations": advice}
