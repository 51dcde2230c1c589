"""A turn's deadline: the Unix time after which its requester stops waiting (PostMessage `deadline`) in; step
time limits capped to what is left, and a Timeout (counted) once it has passed.

Why: a command queued behind a backlog may reach the service after the gateway has already answered 504. Doing
the turn anyway spends CPU on an answer nobody reads while younger turns wait, and under overload that is how
throughput collapses; so an expired turn is dropped on arrival, or stopped between steps before its messages
are stored or its events published (the requester saw a timeout: no half-done turn in its history either)."""

from __future__ import annotations

import time
from dataclasses import dataclass

from prometheus_client import Counter

from libs.errors import Timeout

# Process-wide like libs/observability's metrics (prometheus' default registry allows one of each name).
EXPIRED_TURNS = Counter(
    "switchboard_conversation_expired_turns_total",
    "Turns dropped because their requester's deadline had passed, by where they were dropped",
    ["stage"],
)


class TurnTimer:
    """A moving average of how long recent turns took (seconds). At arrival a turn with less time left than that
    would most likely end past its deadline anyway: dropping it at once leaves its CPU to turns that can still
    make theirs (under a lasting overload most queued turns are in that position)."""

    def __init__(self, weight: float = 0.1) -> None:
        self.weight = weight
        self.typical_s = 0.0

    def record(self, seconds: float) -> None:
        self.typical_s += self.weight * (seconds - self.typical_s)

    def admit(self, deadline: Deadline) -> None:
        """Raise Timeout (counted under "arrival") when `deadline` leaves less than a typical turn.

        A drop also shrinks the typical time as if a zero-length turn had been recorded: only finished turns
        record their time, so without this a typical time grown past the requesters' whole timeout (a slow
        provider, a burst) would drop every new turn and never shrink again. Each drop lets the next turns be
        tried sooner, and those that finish set the figure back to what turns really take."""
        need = self.typical_s
        if deadline.expired(need):
            self.record(0.0)
        deadline.check("arrival", need_s=need)


@dataclass(frozen=True, slots=True)
class Deadline:
    """`at`: Unix time in seconds, or None for a command without a deadline (never expires)."""

    at: float | None = None

    def left(self) -> float | None:
        return None if self.at is None else self.at - time.time()

    def expired(self, need_s: float = 0.0) -> bool:
        """Passed, or fewer than `need_s` seconds left."""
        left = self.left()
        return left is not None and left <= need_s

    def cap(self, seconds: float) -> float:
        """A step's own limit, shortened to the time left (a step that would end past the deadline is useless)."""
        left = self.left()
        return seconds if left is None else max(0.0, min(seconds, left))

    def check(self, stage: str, need_s: float = 0.0) -> None:
        """Raise Timeout, counted under `stage`, once the deadline has passed or leaves less than `need_s`."""
        if self.expired(need_s):
            EXPIRED_TURNS.labels(stage=stage).inc()
            raise Timeout(
                "Turn dropped: its requester's deadline passed",
                {"deadline": self.at, "stage": stage, "needed_s": round(need_s, 3)},
            )
