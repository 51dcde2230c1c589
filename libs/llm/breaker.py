"""Per-model circuit breaker: call outcomes in, allow/deny decisions out (closed → open → half-open)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(slots=True)
class _State:
    failures: int = 0
    opened_at: float | None = None
    trial_in_flight: bool = False


class CircuitBreaker:
    """After `failures` consecutive errors a model is skipped for `cooldown_s`; then one trial decides."""

    def __init__(self, failures: int, cooldown_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._threshold = failures
        self._cooldown = cooldown_s
        self._clock = clock
        self._states: dict[str, _State] = {}

    def allow(self, key: str) -> bool:
        state = self._states.get(key)
        if state is None or state.opened_at is None:
            return True
        if self._clock() - state.opened_at < self._cooldown or state.trial_in_flight:
            return False
        state.trial_in_flight = True  # half-open: exactly one caller probes the provider
        return True

    def is_open(self, key: str) -> bool:
        state = self._states.get(key)
        return state is not None and state.opened_at is not None

    def success(self, key: str) -> None:
        self._states.pop(key, None)

    def failure(self, key: str) -> None:
        state = self._states.setdefault(key, _State())
        state.failures += 1
        state.trial_in_flight = False
        if state.failures >= self._threshold:
            state.opened_at = self._clock()
