"""Effects once per command: the same PostMessage envelope delivered again to a restarted conversation service
(a fresh bootstrap, a fresh bus with no in-memory dedupe, the same SQLite file) stores nothing twice."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from libs.bus import MemoryBus
from libs.contracts.models.conversation import PostMessageV1, ResolveSessionV1, StartSessionV1
from libs.runtime import PlatformSettings, Service
from libs.store import DocumentStore, open_store
from libs.store.mongo import MongoStore
from services.conversation.bootstrap import bootstrap
from services.conversation.settings import ConversationSettings, StepDeadlines
from services.conversation.store import ConversationRepository

pytestmark = pytest.mark.integration

TENANT = "default"
REPLIES = "tester.replies.1"
EVENTS = "conversation.events"
# The other services are absent: each remote step gives up fast; the turn still runs and is stored.
FAST = StepDeadlines(privacy_s=0.2, sentiment_s=0.2, retrieval_s=0.2, escalation_s=0.2, classify_s=0.2)


OpenDb = Callable[[], DocumentStore]


@pytest.fixture(params=["sqlite", "mongomock"])
def open_db(request: pytest.FixtureRequest, tmp_path: Path) -> OpenDb:
    """Opens the service's database again on the same data each call: a SQLite file, or one MongoDB (mock)."""
    if request.param == "sqlite":
        return lambda: open_store(database="conversation", sqlite_dir=tmp_path / "db")
    from mongomock_motor import AsyncMongoMockClient

    client = AsyncMongoMockClient()
    return lambda: MongoStore(client, "conversation", owns_client=False)


def _process(tmp_path: Path, open_db: OpenDb) -> tuple[MemoryBus, Service]:
    """One 'process' of the conversation service: its own bus (and in-memory dedupe), its store on the data."""
    bus = MemoryBus(service_name="conversation")
    settings = ConversationSettings(platform=PlatformSettings(bus="memory", data_dir=tmp_path), deadlines=FAST)
    return bus, bootstrap(settings, bus=bus, store=open_db())


async def _deliver(
    db: tuple[Path, OpenDb],
    command: PostMessageV1 | StartSessionV1 | ResolveSessionV1,
    event_id: str,
    key: str = "k",
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """Start a fresh service, deliver the envelope `event_id`, stop it; its reply and the event types it emitted."""
    bus, service = _process(*db)
    await service.start()
    try:
        await bus.publish(
            "conversation.commands", command, key=key, tenant_id=TENANT, event_id=event_id,
            reply_to=REPLIES,
        )  # fmt: skip
        await bus.drain(within=30)
        replies = [json.loads(r.value) for r in bus.broker.records(REPLIES)]
        emitted = [(env["type"], env["id"]) for env in map(json.loads, (r.value for r in bus.broker.records(EVENTS)))]
    finally:
        await service.stop()
    assert len(replies) == 1, replies
    return replies[0], emitted


async def test_a_redelivered_post_message_after_a_restart_is_stored_once(tmp_path: Path, open_db: OpenDb) -> None:
    db = (tmp_path, open_db)
    command = PostMessageV1(
        session_id=f"s-{uuid.uuid4().hex[:8]}", customer_id="cust-1", text="My order 1234 never arrived.",
        channel="web", dialect="kb_platform", create_if_missing=True,
    )  # fmt: skip
    event_id = uuid.uuid4().hex
    first, first_events = await _deliver(db, command, event_id, command.session_id)
    again, again_events = await _deliver(
        db, command, event_id, command.session_id
    )  # the "crashed" consumer's redelivery

    assert first["type"] == again["type"] == "conversation.TurnResult.v1"
    assert again["data"] == first["data"]  # the stored reply, unchanged
    turn_events = [e for e in first_events if e[0] != "conversation.ConversationCreated.v1"]
    assert [t for t, _ in turn_events] == ["conversation.MessageReceived.v1", "conversation.MessageReplied.v1"]
    # Nothing re-run; the turn's events are re-published under the SAME ids (in case the crash came before they
    # went out), so consumers drop them as duplicates.
    assert again_events == turn_events

    store = open_db()
    repo = ConversationRepository(store)
    messages = await repo.list_messages(TENANT, command.session_id, limit=50)
    assert [(m.role, m.seq) for m in messages] == [("customer", 1), (messages[1].role, 2)]
    assert sum(m.content == command.text for m in messages) == 1
    session = await repo.get_session(TENANT, command.session_id)
    assert session is not None and session.message_count == 2
    await store.close()


async def test_a_redelivered_start_session_opens_one_session_with_its_first_turn(
    tmp_path: Path, open_db: OpenDb
) -> None:
    db = (tmp_path, open_db)
    command = StartSessionV1(
        customer_id="cust-2", channel="chat", dialect="tiered_cs", initial_message="Hello, my invoice is wrong."
    )
    event_id = uuid.uuid4().hex
    first, _ = await _deliver(db, command, event_id)
    again, _ = await _deliver(db, command, event_id)
    assert first["type"] == again["type"] == "conversation.SessionView.v1", first
    assert again["data"]["session"]["session_id"] == first["data"]["session"]["session_id"]
    assert [m["message_id"] for m in again["data"]["messages"]] == [m["message_id"] for m in first["data"]["messages"]]
    store = open_db()
    assert await store.collection("sessions").count({"customer_id": "cust-2"}) == 1
    assert await store.collection("messages").count({"customer_id": "cust-2"}) == 2
    await store.close()


async def test_a_redelivered_resolve_answers_the_same_view_not_already_resolved(
    tmp_path: Path, open_db: OpenDb
) -> None:
    db = (tmp_path, open_db)
    turn = PostMessageV1(
        session_id="s-resolve", customer_id="cust-3", text="Thanks, that fixed it.", channel="web",
        dialect="kb_platform", create_if_missing=True,
    )  # fmt: skip
    await _deliver(db, turn, uuid.uuid4().hex, turn.session_id)
    resolve = ResolveSessionV1(
        session_id="s-resolve", resolution_type="ISSUE_RESOLVED", actions_taken=[], follow_up_required=False
    )
    event_id = uuid.uuid4().hex
    first, first_events = await _deliver(db, resolve, event_id, resolve.session_id)
    again, again_events = await _deliver(db, resolve, event_id, resolve.session_id)
    assert first["type"] == again["type"] == "conversation.SessionView.v1", again
    assert again["data"] == first["data"] and first["data"]["session"]["status"] == "RESOLVED"
    assert [t for t, _ in first_events] == ["conversation.SessionResolved.v1"]
    assert again_events == first_events  # re-published under the same id
