"""Ranked dense and sparse candidate lists in, one fused ranking out (weighted RRF or a convex score blend)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

Ranked = Sequence[tuple[str, float]]  # (id, score), best first


@dataclass(frozen=True, slots=True)
class FusionConfig:
    """How hybrid retrieval merges its two lists; `dense_weight` is the dense share (sparse gets 1 − it).

    The defaults were chosen by cross-validation over StackFAQ threads, on the first source the conversation turn
    cites (tests/eval/eval_rag.py prints the comparison).
    """

    method: Literal["rrf", "convex"] = "convex"
    dense_weight: float = 0.9
    rrf_k: int = 60
    # Documents whose best fused score is more than this below the best document's are dropped (None keeps all),
    # see `focus`.
    focus_margin: float | None = 0.1


def rrf(rankings: Sequence[Sequence[str]], weights: Sequence[float] | None = None, k: int = 60) -> dict[str, float]:
    """Weighted reciprocal-rank fusion: Σ w / (k + rank), rank starting at 1; only ranks matter, not scores."""
    weights = weights or [1.0] * len(rankings)
    fused: dict[str, float] = {}
    for ranking, weight in zip(rankings, weights, strict=True):
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank)
    return fused


def min_max(scores: Mapping[str, float]) -> dict[str, float]:
    """Scores rescaled to [0, 1] over this candidate list (all 1.0 when they are equal)."""
    if not scores:
        return {}
    low, high = min(scores.values()), max(scores.values())
    if high - low < 1e-12:
        return dict.fromkeys(scores, 1.0)
    return {key: (value - low) / (high - low) for key, value in scores.items()}


def convex(score_lists: Sequence[Mapping[str, float]], weights: Sequence[float]) -> dict[str, float]:
    """Σ w · minmax(score): a candidate missing from a list scores 0 there (it ranked below its cut-off)."""
    fused: dict[str, float] = {}
    for scores, weight in zip(score_lists, weights, strict=True):
        for key, value in min_max(scores).items():
            fused[key] = fused.get(key, 0.0) + weight * value
    return fused


def fuse(dense: Ranked, sparse: Ranked, config: FusionConfig) -> list[tuple[str, float]]:
    """The fused ranking, best first; ties break on the dense order, then the id, so results are stable."""
    weights = (config.dense_weight, 1.0 - config.dense_weight)
    if config.method == "rrf":
        fused = rrf([[i for i, _ in dense], [i for i, _ in sparse]], weights, config.rrf_k)
    else:
        fused = convex([dict(dense), dict(sparse)], weights)
    dense_rank = {item: rank for rank, (item, _) in enumerate(dense)}
    return sorted(fused.items(), key=lambda kv: (-kv[1], dense_rank.get(kv[0], len(dense)), kv[0]))


def focus(ranked: Ranked, document_of: Callable[[str], object], margin: float | None) -> list[tuple[str, float]]:
    """The candidates of the documents whose best score lies within `margin` of the first one's, in order.

    The turn answers from the passages it is handed and cites the documents its sentences come from; a weaker
    document's passage that happens to hold a well-worded sentence would otherwise be cited ahead of the
    document retrieval ranked first. Every chunk of a kept document stays (it is context for the answer).
    """
    if margin is None or not ranked:
        return list(ranked)
    floor = ranked[0][1] - margin
    kept = {document_of(item) for item, score in ranked if score >= floor}
    return [(item, score) for item, score in ranked if document_of(item) in kept]
