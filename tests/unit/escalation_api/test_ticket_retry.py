"""A ticket create retried after a 504 opens one ticket: the Idempotency-Key reaches the escalation service as the
command's event id, and its inbox answers the retry with the ticket the first try opened.

The first try's 504 is real: the escalation store is slow to commit (longer than the gateway waits), so the ticket is
stored after the gateway gave up; the guard keeps no record of a 5xx, so the retry runs the route again."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from pathlib import Path

import pytest

from libs.bus import MemoryBus
from libs.runtime import PlatformSettings
from libs.store import Write, open_store
from libs.store.sqlite import SQLiteStore
from services.conversation.bootstrap import bootstrap as bootstrap_conversation
from services.conversation.settings import ConversationSettings
from services.escalation.bootstrap import bootstrap as bootstrap_escalation
from services.escalation.handlers import HANDLED
from services.escalation.settings import EscalationSettings
from tests.support.platform import gateway_for_tests, serving
from tests.unit.escalation_api.conftest import KEY_AUTH, Platform

GATEWAY_WAITS_S = 1.0
BODY = {"session_id": "sess-retry", "reason": "manual_request", "priority": "high"}


class SlowCommitStore(SQLiteStore):
    """The real in-memory SQLite store whose first command-log commit takes longer than the gateway waits."""

    def __init__(self) -> None:
        super().__init__(":memory:")
        self.slow_once = True

    async def commit(self, writes: Sequence[Write]) -> None:
        if self.slow_once and any(getattr(w, "collection", None) == HANDLED for w in writes):
            self.slow_once = False
            await asyncio.sleep(GATEWAY_WAITS_S * 1.5)
        await super().commit(writes)


@pytest.fixture
async def platform(tmp_path: Path) -> AsyncIterator[Platform]:
    common = PlatformSettings(bus="memory", data_dir=tmp_path)
    bus = MemoryBus(service_name="test")
    escalation = bootstrap_escalation(EscalationSettings(platform=common), bus=bus, store=SlowCommitStore())
    conversation = bootstrap_conversation(
        ConversationSettings(platform=common, sweep_interval_s=0), bus=bus, store=open_store(database="conv")
    )
    gateway = gateway_for_tests(common, bus, request_timeout_s=GATEWAY_WAITS_S)
    async with serving(bus, [escalation, conversation, gateway]) as client:
        found = Platform(client=client, bus=bus)
        await found.open_session("sess-retry", "cust-retry")
        yield found


def _tickets(platform: Platform) -> list[str]:
    """Tickets opened, by id (a replayed create re-emits its event under the same event id: consumers dedupe it)."""
    return sorted({e["ticket_id"] for e in platform.events_of("escalation.EscalationCreated.v1")})


async def _first_try_landed(platform: Platform) -> None:
    """Retry once the first try's ticket exists (its event goes out after the commit): the case where only the
    reply was lost; a retry racing the first try would wait behind it in the session's lane anyway."""
    for _ in range(100):
        if _tickets(platform):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the first try opened no ticket")


async def test_a_create_retried_with_its_key_after_a_504_opens_one_ticket(platform: Platform) -> None:
    headers = {**KEY_AUTH, "Idempotency-Key": "ticket-try-1"}
    first = await platform.client.post("/api/escalation", json=BODY, headers=headers)
    assert first.status_code == 504, first.text
    await _first_try_landed(platform)
    retried = await platform.client.post("/api/escalation", json=BODY, headers=headers)
    assert retried.status_code == 200, retried.text
    again = await platform.client.post("/api/escalation", json=BODY, headers=headers)
    assert again.json() == retried.json() and again.headers.get("idempotent-replayed") == "true"
    assert _tickets(platform) == [retried.json()["ticket_id"]]


async def test_without_a_key_a_retry_after_a_504_is_a_second_create(platform: Platform) -> None:
    """The other side of the same coin: what the key prevents does happen without it (so the test above can fail)."""
    first = await platform.client.post("/api/escalation", json=BODY, headers=KEY_AUTH)
    assert first.status_code == 504, first.text
    await _first_try_landed(platform)
    retried = await platform.client.post("/api/escalation", json=BODY, headers=KEY_AUTH)
    assert retried.status_code == 200, retried.text
    assert len(_tickets(platform)) == 2
