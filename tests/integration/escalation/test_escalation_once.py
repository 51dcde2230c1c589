"""A ticket-creating command redelivered after a crash opens one ticket: the ticket and the command's handled
record are one store commit (SQLite file, a fresh service per 'process')."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from libs.bus.base import MessageContext
from libs.contracts.models.escalation import CreateTicketV1
from libs.store import DocumentStore, open_store
from services.escalation.handlers import CommandLog, handle_create_ticket
from services.escalation.service import EscalationService

pytestmark = pytest.mark.integration

CMD = CreateTicketV1(session_id="sess_1", reason="manual_request", priority="medium", customer_id="c1")


class Published:
    def __init__(self, crash: bool = False) -> None:
        self.crash, self.events = crash, []  # type: list[BaseModel]

    async def __call__(self, event: BaseModel, *, key: str | None) -> None:
        if self.crash:
            raise SystemExit("killed after the commit, before the events went out")
        self.events.append(event)


async def _deliver(tmp_path: Path, ctx: MessageContext, publish: Published) -> tuple[Any, DocumentStore]:
    store = open_store(database="escalation", sqlite_dir=tmp_path)
    service = EscalationService(store)
    await service.start()
    receipt = await handle_create_ticket(CMD, ctx=ctx, service=service, log=CommandLog(store), publish=publish)
    return receipt, store


def _ctx() -> MessageContext:
    return MessageContext(uuid.uuid4().hex, "t1", "corr", "sess_1", "escalation.CreateTicket.v1")


async def test_a_crash_after_the_commit_answers_the_same_ticket_on_redelivery(tmp_path: Path) -> None:
    ctx = _ctx()
    with pytest.raises(SystemExit):
        await _deliver(tmp_path, ctx, Published(crash=True))
    again = Published()
    receipt, store = await _deliver(tmp_path, ctx, again)
    assert await store.collection("tickets").count() == 1
    assert receipt.ticket_id == (await store.collection("tickets").find())[0]["ticket_id"]
    assert len(again.events) == 1, "the recorded EscalationCreated goes out on the redelivery"
    await store.close()


async def test_a_crash_inside_the_commit_leaves_nothing_and_the_redelivery_creates_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ctx = _ctx()

    async def killed(self: Any, writes: Any) -> None:
        raise SystemExit("killed before the commit")

    monkeypatch.setattr("libs.store.sqlite.SQLiteStore.commit", killed)
    with pytest.raises(SystemExit):
        await _deliver(tmp_path, ctx, Published())
    monkeypatch.undo()
    receipt, store = await _deliver(tmp_path, ctx, Published())
    tickets = await store.collection("tickets").find()
    assert [t["ticket_id"] for t in tickets] == [receipt.ticket_id]
    await store.close()
