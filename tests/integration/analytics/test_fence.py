"""The rebuild's fence against a live batch caught at its instant, on SQLite and on a MongoDB-protocol server
(FerretDB): the batch is paused where each store decides (SQLite: before its transaction; MongoDB: after the
commit journal's checks, before its writes land) while a rebuild fences and drops the store. The rebuild waits
for the batch (it registered before reading the epoch), so nothing it wrote survives the drop uncounted or is
counted twice by the replay: the rollups equal the facts and every session is counted once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from libs.store import DocumentStore, open_store
from libs.store.mongo_journal import Journal
from libs.store.sqlite import SQLiteStore
from services.analytics.handlers import event_handler
from services.analytics.report import build_report
from services.analytics.store import FactStore, Scope
from tests.support import ferretdb
from tests.support.analytics_history import START, history
from tests.unit.analytics.test_writers import deliver

pytestmark = pytest.mark.integration
SESSIONS = 40


@pytest.fixture(scope="module")
def ferret(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not ferretdb.BINARY.exists():
        pytest.skip("FerretDB is not built (make install)")
    server = ferretdb.FerretDB(tmp_path_factory.mktemp("ferretdb")).start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", "ferretdb"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[DocumentStore]:
    if request.param == "sqlite":
        opened = open_store(database="fence", sqlite_dir=tmp_path)
    else:
        opened = open_store(database=f"fence_{tmp_path.name[-8:]}", mongodb_url=request.getfixturevalue("ferret"))
    yield opened
    await opened.close()


def pause_next_commit(store: DocumentStore, monkeypatch: pytest.MonkeyPatch) -> tuple[asyncio.Event, asyncio.Event]:
    """(paused, release): the next commit stops where its store decides whether the epoch still exists."""
    paused, release = asyncio.Event(), asyncio.Event()

    def gated(original: Any) -> Any:
        async def wait_then(*args: Any) -> Any:
            if not paused.is_set():
                paused.set()
                await release.wait()
            return await original(*args)

        return wait_then

    if isinstance(store, SQLiteStore):
        monkeypatch.setattr(store, "commit", gated(store.commit))
    else:
        monkeypatch.setattr(Journal, "_apply", gated(Journal._apply))
    return paused, release


async def test_a_batch_caught_at_the_fence_is_counted_once(
    store: DocumentStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    sessions = history(SESSIONS)
    live = FactStore(store, writer="live")
    await live.ensure_indexes()
    await deliver(event_handler(live), sessions[: SESSIONS // 2])  # rows the live writer remembers
    paused, release = pause_next_commit(store, monkeypatch)
    caught = asyncio.create_task(deliver(event_handler(live), sessions[SESSIONS // 2 :][:1]))
    await paused.wait()
    replay = FactStore(store, writer="rebuild")
    drop = asyncio.create_task(replay.drop_all())
    await asyncio.sleep(0.5)
    assert not drop.done(), "the rebuild dropped the store under a batch that read the old epoch"
    release.set()
    await drop
    await asyncio.gather(caught, deliver(event_handler(replay), sessions))  # the replay: everything the log holds
    await deliver(event_handler(live), sessions[SESSIONS // 2 :])  # the live traffic goes on (redeliveries)
    scope = Scope("acme", START, START + timedelta(days=12))
    args: dict[str, Any] = {"window": timedelta(days=7), "now": datetime(2026, 6, 1, tzinfo=UTC)}
    rolled = await build_report(live, scope, "day", **args)
    assert rolled.totals.conversations == SESSIONS == await live.count(scope.filter("conversation"))
    assert rolled.model_dump() == (await build_report(live, scope, "day", rollups=False, **args)).model_dump()
