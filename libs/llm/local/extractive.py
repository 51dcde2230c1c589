"""Extractive answering: query and passage-sentence vectors in, a cited answer (or a question back) out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from libs.llm.local.calibration import answer_threshold, confidence
from libs.llm.local.sentences import count_tokens
from libs.llm.types import Citation, Passage

MAX_SENTENCES = 3
# Sentences this far below the best one are off-topic filler, even when above the answer threshold.
RELATIVE_MARGIN = 0.12
# Two picked sentences this similar say the same thing; the second adds length, not information.
DUPLICATE_SIMILARITY = 0.85

CLARIFY = (
    "I couldn't find an answer to that in our help articles. Could you tell me a little more, such as "
    "which product or account this is about and what you have tried so far? I can also connect you with "
    "a member of our team."
)


@dataclass(frozen=True, slots=True)
class Answer:
    text: str
    citations: tuple[Citation, ...]
    confidence: float
    answered: bool


def opening(sentiment: float | None) -> str:
    """An opening matched to the customer's mood; the only sentence not taken from a passage."""
    if sentiment is None:
        return ""
    if sentiment <= -0.5:
        return "I'm really sorry for the frustration this has caused, and I want to help fix it."
    if sentiment <= -0.15:
        return "Sorry about the trouble."
    if sentiment >= 0.4:
        return "Happy to help!"
    return ""


def _pick(sims: np.ndarray, vectors: np.ndarray, floor: float, budget: int, sentences: list[str]) -> list[int]:
    chosen: list[int] = []
    used = 0
    for i in np.argsort(-sims):
        if sims[i] < floor or len(chosen) == MAX_SENTENCES:
            break
        if chosen and float((vectors[chosen] @ vectors[i]).max()) > DUPLICATE_SIMILARITY:
            continue
        cost = count_tokens(sentences[i]) + 3
        if chosen and used + cost > budget:
            break
        chosen.append(int(i))
        used += cost
    return chosen


def compose(
    query_vector: np.ndarray,
    passages: Sequence[Passage],
    cached: Sequence[tuple[list[str], np.ndarray]],
    sentiment: float | None,
    max_tokens: int,
) -> Answer:
    """Pick the best-matching sentences and cite each; below the calibrated threshold, ask back."""
    head = opening(sentiment)
    owners = [(p, j) for p, (sentences, _) in enumerate(cached) for j in range(len(sentences))]
    if not owners:
        return Answer(" ".join(x for x in (head, CLARIFY) if x), (), confidence(0.0), answered=False)
    sentences = [cached[p][0][j] for p, j in owners]
    vectors = np.concatenate([v for _, v in cached if len(v)], axis=0)
    sims = vectors @ query_vector
    best = float(sims.max())
    if best < answer_threshold():
        return Answer(" ".join(x for x in (head, CLARIFY) if x), (), confidence(best), answered=False)
    floor = max(best - RELATIVE_MARGIN, answer_threshold() - 0.05)
    chosen = sorted(_pick(sims, vectors, floor, max(max_tokens - 40, 20), sentences), key=lambda i: owners[i])
    numbers: dict[str, int] = {}
    body, citations = [], []
    for i in chosen:
        source = passages[owners[i][0]].source
        n = numbers.setdefault(source, len(numbers) + 1)
        body.append(f"{sentences[i]} [{n}]")
        citations.append(Citation(sentence=sentences[i], source=source, similarity=round(float(sims[i]), 4)))
    refs = "; ".join(f"[{n}] {source}" for source, n in numbers.items())
    text = " ".join(x for x in (head, " ".join(body)) if x) + f"\n\nSources: {refs}"
    return Answer(text, tuple(citations), confidence(best), answered=True)
