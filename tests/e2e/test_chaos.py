"""Chaos: kill -9 each service and the broker under a steady load of turns; no acknowledged turn lost or doubled.

Clients continue seed 003 conversations, one turn at a time, each turn with its own Idempotency-Key, retrying the same
key on 5xx or a dropped connection (what a careful client does). Afterwards every conversation's history is compared
turn by turn with what the clients were told: an acknowledged turn is stored exactly once with its reply, a turn never
acknowledged is stored at most once, and no customer message is left without the reply that follows it. The time from
each kill to the next acknowledged turn is printed (figures belong in reports, not assertions).
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import Stack, children_of, launch, shut_down

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]

VICTIMS = ("conversation", "privacy", "sentiment", "escalation", "rag", "gateway", "broker")
CLIENTS = 4
KILL_EVERY_S = 10.0
RETRY_FOR_S = 60.0
TURNS_PER_CONVERSATION = 40


@dataclass
class Ledger:
    acked: dict[str, list[str]] = field(default_factory=dict)  # conversation id -> texts answered 2xx
    sent: dict[str, list[str]] = field(default_factory=dict)  # conversation id -> every text sent at least once
    acked_at: list[tuple[float, float]] = field(default_factory=list)  # (attempt sent, answered) per acknowledged turn
    errors: Counter[str] = field(default_factory=Counter)


def pid_of(stack: Stack, victim: str) -> int:
    marker = "kafka.Kafka" if victim == "broker" else f"services.{victim}"
    for pid, cmd in children_of(stack.process.pid):
        if marker in cmd:
            return pid
    raise LookupError(victim)


async def turn(
    http: httpx.AsyncClient, stack: Stack, conversation_id: str | None, text: str, ledger: Ledger
) -> str | None:
    """One turn, retried under the same Idempotency-Key until answered 2xx; returns its conversation id, if answered.

    Without a conversation id the turn opens a conversation (seed 003 chooses the id): the key makes a retry return
    the same one instead of opening a second."""
    key = uuid.uuid4().hex
    body = {"message": text, "user_id": "chaos-client"} | (
        {"conversation_id": conversation_id} if conversation_id else {}
    )
    deadline = time.monotonic() + RETRY_FOR_S
    if conversation_id:
        ledger.sent.setdefault(conversation_id, []).append(text)
    while time.monotonic() < deadline:
        attempt = time.monotonic()
        try:
            resp = await http.post(
                f"{stack.url}/api/v1/conversations", json=body, headers={**stack.auth(), "Idempotency-Key": key}
            )
        except httpx.HTTPError as exc:
            ledger.errors[type(exc).__name__] += 1
            await asyncio.sleep(0.5)
            continue
        if resp.status_code < 300:
            answered = str(resp.json()["conversation_id"])
            ledger.sent.setdefault(answered, [])
            if not conversation_id:
                ledger.sent[answered].append(text)
            ledger.acked.setdefault(answered, []).append(text)
            ledger.acked_at.append((attempt, time.monotonic()))
            return answered
        ledger.errors[str(resp.status_code)] += 1
        assert resp.status_code >= 500 or resp.status_code == 429, resp.text  # never a 4xx for a valid turn
        await asyncio.sleep(0.5)
    return None


async def client_loop(stack: Stack, ledger: Ledger, stop: asyncio.Event) -> None:
    """Turns one after another, a new conversation every TURNS_PER_CONVERSATION (a history view shows 500 messages)."""
    async with httpx.AsyncClient(timeout=30) as http:
        while not stop.is_set():
            opening = f"Chaos opening {uuid.uuid4().hex[:8]}: I need help with an order."
            conversation_id = await turn(http, stack, None, opening, ledger)
            for n in range(1, TURNS_PER_CONVERSATION):
                if stop.is_set() or conversation_id is None:
                    break
                await turn(http, stack, conversation_id, f"Chaos turn {n} of {conversation_id}: where is it?", ledger)


async def seconds_to_next_ack(ledger: Ledger, since: float, within: float = 60.0) -> float:
    """Seconds from `since` to the first answer of an attempt sent after it (polled: the ledger is plain data)."""
    while time.monotonic() < since + within:
        later = [answered for sent, answered in ledger.acked_at if sent > since]
        if later:
            return min(later) - since
        await asyncio.sleep(0.1)  # the clients append to a plain list; there is no event to wait on
    return float("inf")


async def run_chaos(stack: Stack) -> tuple[Ledger, list[str], list[tuple[str, float]]]:
    ledger = Ledger()
    stop = asyncio.Event()
    clients = [asyncio.create_task(client_loop(stack, ledger, stop)) for _ in range(CLIENTS)]
    recoveries: list[tuple[str, float]] = []
    for victim in VICTIMS:
        await asyncio.sleep(KILL_EVERY_S)
        os.kill(pid_of(stack, victim), signal.SIGKILL)
        recoveries.append((victim, await seconds_to_next_ack(ledger, time.monotonic())))
    await asyncio.sleep(KILL_EVERY_S)
    stop.set()
    await asyncio.wait_for(asyncio.gather(*clients), RETRY_FOR_S + 30)
    return ledger, sorted(ledger.sent), recoveries


def history(stack: Stack, conversation_id: str) -> list[dict[str, object]]:
    resp = httpx.get(f"{stack.url}/api/v1/conversations/{conversation_id}", headers=stack.auth(), timeout=30)
    assert resp.status_code == 200, resp.text
    return list(resp.json()["messages"])


def test_kill_9_of_every_service_and_the_broker_loses_and_doubles_no_acknowledged_turn(tmp_path: Path) -> None:
    stack = launch(tmp_path)
    try:
        ledger, conversations, recoveries = asyncio.run(run_chaos(stack))
        histories = {c: history(stack, c) for c in conversations}
    finally:
        shut_down(stack.process)

    lost, doubled, orphans = [], [], []
    for conversation_id, messages in histories.items():
        stored = Counter(str(m["content"]) for m in messages if m["sender"] == "user")
        lost += [t for t in ledger.acked.get(conversation_id, []) if stored[t] == 0]
        doubled += [t for t in ledger.sent.get(conversation_id, []) if stored[t] > 1]
        orphans += [
            m["content"] for i, m in enumerate(messages) if m["sender"] == "user" and (
                i + 1 == len(messages) or messages[i + 1]["sender"] == "user"
            )
        ]  # fmt: skip
    acked = sum(len(v) for v in ledger.acked.values())
    print(f"\nchaos: {acked} turns acknowledged, errors seen by clients {dict(ledger.errors)}")
    figures = ", ".join(f"{victim} {seconds:.1f}" for victim, seconds in recoveries)
    print(f"recovery after kill -9 (s to the first answered attempt sent after it): {figures}")
    assert acked >= len(VICTIMS) * CLIENTS, "too little load to tell anything"
    assert lost == [], f"{len(lost)} acknowledged but missing, e.g. {lost[:3]}"
    assert doubled == [], f"{len(doubled)} stored twice, e.g. {doubled[:3]}"
    assert orphans == [], f"{len(orphans)} customer messages without a reply, e.g. {orphans[:3]}"
