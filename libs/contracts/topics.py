"""The declarations of contracts/topics.yaml as values: topics, the per-instance reply topic, each command's reply."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from libs.errors import PermanentError


class ContractViolation(PermanentError):
    """A message does not match its contract (unknown type, wrong topic or schema mismatch)."""

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: dict[str, Any] = details or {}


@dataclass(frozen=True)
class TopicSpec:
    """One declared topic: its partitions, key, message types, producers and consumers."""

    name: str
    partitions: int
    key: str
    messages: tuple[str, ...]
    replies: tuple[str, ...] = ()
    producer: tuple[str, ...] = ()
    consumers: tuple[str, ...] = ()
    description: str = ""

    @property
    def dlq(self) -> str:
        return f"{self.name}.dlq"


@dataclass(frozen=True)
class ReplySpec:
    """What a command is answered with (topics.yaml `replies`): exactly one reply type, optionally preceded by
    streamed partial replies (`stream`) or, for a non-final part of an ordered upload, acknowledged instead by
    `interim`."""

    command: str
    topic: str
    reply: str
    stream: str | None = None
    interim: str | None = None

    @property
    def types(self) -> tuple[str, ...]:
        """Every type a requester of this command may receive (error replies aside)."""
        return (self.reply, *(t for t in (self.stream, self.interim) if t))


@dataclass(frozen=True)
class ReplyTopicSpec:
    """The per-instance reply topic pattern and the types always allowed on it."""

    pattern: str = "{service}.replies.{instance}"
    partitions: int = 1
    messages: tuple[str, ...] = ("common.ErrorReply.v1",)

    def name(self, service: str, instance: str) -> str:
        return self.pattern.format(service=service, instance=instance)

    @cached_property
    def _regex(self) -> re.Pattern[str]:
        escaped = re.escape(self.pattern)
        return re.compile(escaped.replace(r"\{service\}", r"[^.]+").replace(r"\{instance\}", r"[^.]+"))

    def matches(self, topic: str) -> bool:
        return self._regex.fullmatch(topic) is not None


def reply_map(topic: str, spec: dict[str, Any]) -> dict[str, Any]:
    replies = spec.get("replies") or {}
    if not isinstance(replies, dict):  # the former list form said which types, not which command gets which
        raise ContractViolation(f"{topic}: `replies` must map each command to its reply type", {"topic": topic})
    return replies


def reply_spec(topic: str, command: str, value: Any) -> ReplySpec:
    """`Cmd: Reply` or `Cmd: {reply: Reply, stream: Delta}` / `{reply: Reply, interim: Ack}`."""
    fields = {"reply": value} if isinstance(value, str) else dict(value or {})
    unknown = set(fields) - {"reply", "stream", "interim"}
    if not isinstance(fields.get("reply"), str) or unknown:
        raise ContractViolation(f"{topic}: the reply of {command!r} is malformed", {"topic": topic, "type": command})
    return ReplySpec(command=command, topic=topic, **fields)


def as_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)
