"""The chaos suite's clients: paced conversations in seed 001, 002 and 003, each turn under its own Idempotency-Key
and retried with it on 5xx or a dropped connection (what a careful client does), every answer kept in a Ledger;
and each dialect's history read back afterwards for the turn-by-turn comparison."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.e2e.conftest import Stack

RETRY_FOR_S = 60.0
TURNS_PER_CONVERSATION = 40  # under every dialect's history page
USER_ROLES = ("user", "customer")


@dataclass
class Ledger:
    acked: dict[str, list[str]] = field(default_factory=dict)  # conversation -> texts answered 2xx
    sent: dict[str, list[str]] = field(default_factory=dict)  # conversation -> every text sent at least once
    acked_at: list[tuple[float, float]] = field(default_factory=list)  # (attempt sent, answered) per acknowledged turn
    errors: Counter[str] = field(default_factory=Counter)

    def acknowledged(self) -> int:
        return sum(len(v) for v in self.acked.values())


@dataclass(frozen=True)
class Dialect:
    """How one seed opens a conversation, posts a turn and shows the history (conversation ids are prefixed with
    the dialect's name in the ledger, so one ledger holds them all)."""

    name: str

    def turn_request(self, conversation_id: str | None, text: str) -> tuple[str, dict[str, Any]]:
        if self.name == "kb":  # seed 003: the first turn opens the conversation and the answer names it
            return "/api/v1/conversations", {"message": text, "user_id": "chaos-client"} | (
                {"conversation_id": conversation_id} if conversation_id else {}
            )
        if self.name == "agent":  # seed 001: the client names the session; the first turn creates it
            return "/api/query", {"query": text, "session_id": conversation_id, "customer_id": "chaos-client"}
        return f"/cs/sessions/{conversation_id}/messages", {"message": text}  # seed 002

    def answered_id(self, conversation_id: str | None, answer: dict[str, Any]) -> str:
        return str(answer["conversation_id"]) if self.name == "kb" else str(conversation_id)

    def history_path(self, conversation_id: str) -> str:
        return {
            "kb": f"/api/v1/conversations/{conversation_id}",
            "agent": f"/api/session/{conversation_id}",
            "cs": f"/cs/sessions/{conversation_id}",
        }[self.name]


DIALECTS = (Dialect("kb"), Dialect("agent"), Dialect("cs"))


def ledger_id(dialect: Dialect, conversation_id: str) -> str:
    return f"{dialect.name}:{conversation_id}"


async def post_until_answered(
    http: httpx.AsyncClient, stack: Stack, path: str, body: dict[str, Any], ledger: Ledger, *, turn: bool = True
) -> dict[str, Any] | None:
    """POST under one Idempotency-Key until answered 2xx (None after RETRY_FOR_S); an acknowledged turn is timed."""
    key = uuid.uuid4().hex
    deadline = time.monotonic() + RETRY_FOR_S
    while time.monotonic() < deadline:
        attempt = time.monotonic()
        try:
            resp = await http.post(f"{stack.url}{path}", json=body, headers={**stack.auth(), "Idempotency-Key": key})
        except httpx.HTTPError as exc:
            ledger.errors[type(exc).__name__] += 1
            await asyncio.sleep(0.5)
            continue
        if resp.status_code < 300:
            if turn:
                ledger.acked_at.append((attempt, time.monotonic()))
            return dict(resp.json())
        ledger.errors[str(resp.status_code)] += 1
        assert resp.status_code >= 500 or resp.status_code == 429, resp.text  # never a 4xx for a valid turn
        await asyncio.sleep(0.5)
    return None


async def turn(
    http: httpx.AsyncClient, stack: Stack, dialect: Dialect, conversation_id: str | None, text: str, ledger: Ledger
) -> str | None:
    """One turn; returns its conversation id once answered (seed 003 chooses the id of a new conversation: the key
    makes a retry return the same one instead of opening a second)."""
    if conversation_id:
        ledger.sent.setdefault(ledger_id(dialect, conversation_id), []).append(text)
    path, body = dialect.turn_request(conversation_id, text)
    answer = await post_until_answered(http, stack, path, body, ledger)
    if answer is None:
        return None
    answered = dialect.answered_id(conversation_id, answer)
    sent = ledger.sent.setdefault(ledger_id(dialect, answered), [])
    if not conversation_id:
        sent.append(text)
    ledger.acked.setdefault(ledger_id(dialect, answered), []).append(text)
    return answered


async def open_conversation(http: httpx.AsyncClient, stack: Stack, dialect: Dialect, ledger: Ledger) -> str | None:
    """Seed 002 opens a session first (its id comes back); seed 001 names one; seed 003 opens with its first turn."""
    if dialect.name == "agent":
        return f"chaos_{uuid.uuid4().hex[:12]}"
    if dialect.name == "cs":
        body = {"companyId": "default", "customerId": "chaos-client", "channel": "chat"}  # the key's tenant
        answer = await post_until_answered(http, stack, "/cs/sessions", body, ledger, turn=False)
        return None if answer is None else str(answer["id"])
    return None


async def client_loop(stack: Stack, dialect: Dialect, every_s: float, ledger: Ledger, stop: asyncio.Event) -> None:
    """Turns one after another, one every `every_s` at most (never bursting to catch up after an outage), a new
    conversation every TURNS_PER_CONVERSATION turns."""
    next_at = time.monotonic()
    async with httpx.AsyncClient(timeout=30) as http:
        while not stop.is_set():
            conversation_id = await open_conversation(http, stack, dialect, ledger)
            for n in range(TURNS_PER_CONVERSATION):
                next_at = max(next_at + every_s, time.monotonic())
                await asyncio.sleep(next_at - time.monotonic())
                if stop.is_set() or (conversation_id is None and (n or dialect.name != "kb")):
                    break
                text = f"Chaos {dialect.name} turn {n} ({uuid.uuid4().hex[:8]}): where is my order?"
                conversation_id = await turn(http, stack, dialect, conversation_id, text, ledger)


def history(stack: Stack, ledger_key: str) -> list[tuple[bool, str]]:
    """(sent by the customer, content) of every message in the conversation, oldest first."""
    name, conversation_id = ledger_key.split(":", 1)
    dialect = next(d for d in DIALECTS if d.name == name)
    resp = httpx.get(f"{stack.url}{dialect.history_path(conversation_id)}", headers=stack.auth(), timeout=30)
    assert resp.status_code == 200, resp.text
    return [(str(m.get("sender", m.get("role"))) in USER_ROLES, str(m["content"])) for m in resp.json()["messages"]]
