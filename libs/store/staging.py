"""Collect a command's writes instead of applying them, to store them with its inbox record in one commit."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from libs.store.port import Write


class Staging:
    """Per asyncio context (one handler's call chain), so concurrent commands never see each other's writes.

    A repository asks `writes()` in each write method: None means "write now"; a list means "append here, the
    caller commits them" (`DocumentStore.commit`, with the command's inbox record)."""

    def __init__(self, name: str) -> None:
        self._var: ContextVar[list[Write] | None] = ContextVar(name, default=None)

    @contextmanager
    def collect(self) -> Iterator[list[Write]]:
        writes: list[Write] = []
        token = self._var.set(writes)
        try:
            yield writes
        finally:
            self._var.reset(token)

    def writes(self) -> list[Write] | None:
        return self._var.get()
