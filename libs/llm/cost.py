"""CostLedger: per-call model/token/cost records in, seed-001 `cost_metrics` and model usage snapshots out."""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass
from typing import Any


@dataclass(slots=True)
class _ModelTotals:
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0


class CostLedger:
    """In-process running totals (analytics rebuilds the durable view from events with the same figures)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_model: dict[str, _ModelTotals] = defaultdict(_ModelTotals)
        self._queries = 0

    def record(self, model: str, prompt_tokens: int, completion_tokens: int, cost_usd: float) -> None:
        with self._lock:
            totals = self._by_model[model]
            totals.calls += 1
            totals.prompt_tokens += prompt_tokens
            totals.completion_tokens += completion_tokens
            totals.cost_usd += cost_usd
            self._queries += 1

    def snapshot(self) -> dict[str, Any]:
        """Seed 001 `cost_metrics`: total_cost, cost_per_query, cost_by_model (keyed by actual model name)."""
        with self._lock:
            total = sum(t.cost_usd for t in self._by_model.values())
            return {
                "total_cost": round(total, 6),
                "cost_per_query": round(total / self._queries, 6) if self._queries else 0.0,
                "cost_by_model": {m: round(t.cost_usd, 6) for m, t in self._by_model.items()},
            }

    def model_usage(self) -> dict[str, int]:
        """Seed 001 `model_usage`: calls per actual model name."""
        with self._lock:
            return {m: t.calls for m, t in self._by_model.items()}

    def tokens(self) -> dict[str, dict[str, int]]:
        with self._lock:
            return {
                m: {"prompt_tokens": t.prompt_tokens, "completion_tokens": t.completion_tokens}
                for m, t in self._by_model.items()
            }
