"""Escalation policy speed: evaluate() p50/p99 over a mix of turns, against a trivial call measured in the
same run. Run: python -m tests.bench.bench_escalation"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from services.escalation.company_config import CompanyConfig
from services.escalation.domain import Sentiment, Tier, TurnFacts
from services.escalation.facts import extract_facts
from services.escalation.policy import evaluate

TURNS = [
    (TurnFacts(sentiment_level=Sentiment.NEUTRAL, retrieval_confidence=0.8), Tier.AI_REP),
    (TurnFacts(irate=True, failed_attempts=2, sentiment_score=-0.9), Tier.AI_REP),
    (TurnFacts(refund_amount=150.0, currency="EUR", is_vip=True), Tier.AI_REP),
    (TurnFacts(legal_threat=True, social_media_threat=True), Tier.AI_MANAGER),
    (TurnFacts(retrieval_confidence=0.1, failed_attempts=3, repeat_contacts=2), Tier.AI_MANAGER),
]
TEXT = "This is unacceptable. Refund my €150 or I'll tell everyone on twitter and call my lawyer."


def _trivial(facts: TurnFacts, config: CompanyConfig, tier: Tier) -> bool:
    return facts.irate


def _timings(fn: Callable[[], object], rounds: int) -> list[float]:
    out = []
    for _ in range(rounds):
        start = time.perf_counter_ns()
        fn()
        out.append((time.perf_counter_ns() - start) / 1000)
    return out


def _report(name: str, samples: list[float]) -> float:
    p50 = statistics.median(samples)
    p99 = statistics.quantiles(samples, n=100)[98]
    print(f"{name:<28} p50 {p50:8.2f} µs   p99 {p99:8.2f} µs")
    return p50


def main(rounds: int = 20_000) -> None:
    config = CompanyConfig.default("bench")
    cycle = [(facts, config, tier) for facts, tier in TURNS]

    def one(fn: Callable[..., object]) -> Callable[[], object]:
        state = {"i": 0}

        def call() -> object:
            state["i"] = (state["i"] + 1) % len(cycle)
            return fn(*cycle[state["i"]])

        return call

    _timings(one(evaluate), 2000)  # warm-up
    base = _report("baseline (trivial call)", _timings(one(_trivial), rounds))
    p50 = _report("evaluate", _timings(one(evaluate), rounds))
    text = _report("extract_facts (88 chars)", _timings(lambda: extract_facts(TEXT), rounds // 4))
    print(f"evaluate / baseline p50 ratio: {p50 / base:.1f}x; target p50 <= 1000 µs: {'OK' if p50 <= 1000 else 'MISS'}")
    print(f"extract_facts p50 {text:.1f} µs")


if __name__ == "__main__":
    main()
