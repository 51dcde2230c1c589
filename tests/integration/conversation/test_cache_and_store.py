"""Response cache on a real redis-server and the conversation repository on a real SQLite file."""

from __future__ import annotations

from pathlib import Path

from libs.store import open_store
from services.conversation.cache import open_cache
from services.conversation.domain import Session, cache_key
from services.conversation.store import ConversationRepository
from tests.support.redis_server import running_redis


async def test_redis_cache_shares_answers_between_instances_and_expires(tmp_path: Path) -> None:
    with running_redis(tmp_path) as url:
        writer, reader = open_cache(url, ttl_s=1), open_cache(url, ttl_s=1)
        key = cache_key("t1", "AI_REP", None, "How do I reset my password?", "kb-v1")
        assert await reader.get(key) is None
        await writer.put(key, {"text": "answer", "sources": ["kb_1"]})
        assert await reader.get(key) == {"text": "answer", "sources": ["kb_1"]}
        assert await reader.get(cache_key("t2", "AI_REP", None, "How do I reset my password?", "kb-v1")) is None
        assert await reader.get(cache_key("t1", "AI_REP", None, "how do i reset my password", "kb-v1")) is not None
        await writer.aclose()
        await reader.aclose()
    down = open_cache(url, ttl_s=1)  # the server is gone: a miss, never an error
    assert await down.get(key) is None
    await down.put(key, {"text": "x"})
    await down.aclose()


async def test_repository_on_sqlite_keeps_tenants_apart_and_survives_reopen(tmp_path: Path) -> None:
    store = open_store(database="conversation", sqlite_dir=tmp_path)
    repo = ConversationRepository(store)
    await repo.ensure_indexes()
    at = "2026-01-01T00:00:00.000Z"
    base = {"customer_id": "c", "channel": "chat", "dialect": "tiered_cs", "created_at": at, "updated_at": at,
            "last_activity_at": at}  # fmt: skip
    first = Session(session_id="s1", tenant_id="a", **base)
    await repo.insert_session(first)
    await repo.insert_session(Session(session_id="s1", tenant_id="b", **base))
    await store.close()
    repo = ConversationRepository(open_store(database="conversation", sqlite_dir=tmp_path))
    reopened = await repo.get_session("a", "s1")
    assert reopened == first, "a record reads back as it was stored"
    items, total = await repo.list_sessions("b", {}, limit=10, offset=0)
    assert total == 1 and items[0].tenant_id == "b"
    idle = await repo.idle_sessions("2026-06-01T00:00:00.000Z")
    assert {s.tenant_id for s in idle} == {"a", "b"}
