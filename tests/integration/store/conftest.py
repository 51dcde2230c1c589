"""Backends for the document-store conformance suite: every test runs on each adapter it can reach."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from libs.store import DocumentStore
from libs.store.mongo import MongoStore
from libs.store.sqlite import SQLiteStore

BACKENDS = ["sqlite-file", "sqlite-memory", "motor-mongomock", "motor-mongodb"]


@dataclass
class Backend:
    """`open()` gives a store over the same data each time (a reopen), when the backend persists."""

    name: str
    open: Callable[[], DocumentStore]
    persistent: bool


def _docker_answers() -> bool:
    try:
        import docker

        docker.from_env(timeout=3).ping()
    except Exception:
        return False
    return True


@pytest.fixture(scope="session")
def mongodb_url() -> Iterator[str]:
    url = os.environ.get("SWITCHBOARD_MONGODB_URL")
    if url:
        yield url
        return
    if not _docker_answers():
        pytest.skip("real MongoDB: SWITCHBOARD_MONGODB_URL unset and no Docker engine answers")
    from testcontainers.mongodb import MongoDbContainer

    with MongoDbContainer("mongo:7") as container:
        yield container.get_connection_url()


@pytest.fixture(params=BACKENDS)
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Backend]:
    kind = request.param
    cleanup: list[Callable[[], Any]] = []
    if kind == "sqlite-file":
        path = tmp_path / "conformance.sqlite3"
        yield Backend(kind, lambda: SQLiteStore(path), persistent=True)
    elif kind == "sqlite-memory":
        yield Backend(kind, lambda: SQLiteStore(":memory:"), persistent=False)
    elif kind == "motor-mongomock":
        from mongomock_motor import AsyncMongoMockClient

        client = AsyncMongoMockClient()
        yield Backend(kind, lambda: MongoStore(client, "conformance", owns_client=False), persistent=True)
    else:
        from motor.motor_asyncio import AsyncIOMotorClient

        url = request.getfixturevalue("mongodb_url")
        client = AsyncIOMotorClient(url, serverSelectionTimeoutMS=5000)
        database = f"conformance_{uuid.uuid4().hex[:12]}"
        cleanup.append(lambda: client.drop_database(database))
        yield Backend(kind, lambda: MongoStore(client, database, owns_client=False), persistent=True)
        for step in cleanup:
            await step()
        client.close()


@pytest.fixture
async def store(backend: Backend) -> AsyncIterator[DocumentStore]:
    opened = backend.open()
    yield opened
    await opened.close()
