"""An in-process platform for the escalation endpoints: gateway + escalation + conversation (tickets name a
session, and the session its tickets) bootstrapped on one MemoryBus and in-memory stores; events read back from the
broker's escalation.events history; users of each role made by the admin."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from libs.bus import MemoryBus
from libs.bus.envelope import Envelope
from libs.runtime import PlatformSettings
from libs.store import open_store
from services.conversation.bootstrap import bootstrap as bootstrap_conversation
from services.conversation.settings import ConversationSettings
from services.escalation.bootstrap import bootstrap as bootstrap_escalation
from services.escalation.settings import EscalationSettings
from tests.support.platform import API_KEY, gateway_for_tests, serving, user_headers

TENANT = "default"  # the gateway's default tenant: the admin and the bootstrap key belong to it
KEY_AUTH = {"Authorization": f"Bearer {API_KEY}"}


@dataclass
class Platform:
    client: httpx.AsyncClient
    bus: MemoryBus

    async def user(self, role: str, *, tenant_id: str | None = None) -> dict[str, str]:
        return await user_headers(self.client, role, tenant_id=tenant_id)

    async def open_session(self, session_id: str, customer_id: str, headers: dict[str, str] | None = None) -> None:
        """Seed 001 POST /api/session; tickets can only be opened for a session that exists."""
        body = {"session_id": session_id, "customer_id": customer_id}
        resp = await self.client.post("/api/session", json=body, headers=headers or KEY_AUTH)
        assert resp.status_code == 200, resp.text

    def events(self) -> list[Envelope]:
        """Everything published on escalation.events so far (events go out before the command's reply)."""
        return [Envelope.from_bytes(r.value) for r in self.bus.broker.records("escalation.events")]

    def events_of(self, event_type: str) -> list[dict[str, Any]]:
        return [e.data for e in self.events() if e.type == event_type]


@pytest.fixture
async def platform(tmp_path: Path) -> AsyncIterator[Platform]:
    common = PlatformSettings(bus="memory", data_dir=tmp_path)
    bus = MemoryBus(service_name="test")
    escalation = bootstrap_escalation(EscalationSettings(platform=common), bus=bus, store=open_store(database="esc"))
    conversation = bootstrap_conversation(
        ConversationSettings(platform=common, sweep_interval_s=0), bus=bus, store=open_store(database="conv")
    )
    async with serving(bus, [escalation, conversation, gateway_for_tests(common, bus)]) as client:
        yield Platform(client=client, bus=bus)
