"""A redelivered Anonymize (store_originals) seals one vault entry under the same token: the token derives from
the command's event id and the single vault insert is itself the "already handled" record."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from pydantic import BaseModel

from libs.bus.base import MessageContext
from libs.contracts.models.privacy import AnonymizeV1
from libs.store import open_store
from services.privacy.batching import AnonymizeBatcher
from services.privacy.handlers import handle_anonymize
from services.privacy.pii import get_analyzer
from services.privacy.store import COLLECTION, PiiVault, generate_key

pytestmark = pytest.mark.integration

KEYS = {"k1": generate_key()}


async def _nothing(message: BaseModel, *, key: str | None = None) -> None:
    return None


async def test_a_redelivered_anonymize_keeps_one_vault_entry_and_answers_the_same(tmp_path: Path) -> None:
    cmd = AnonymizeV1(text="Ignatius Pennywhistle, ignatius@example.com", keep_mapping=False, store_originals=True)
    ctx = MessageContext(uuid.uuid4().hex, "t1", "corr", "s1", "privacy.Anonymize.v1")
    replies = []
    for _ in range(2):  # the second 'process' gets the same envelope again
        store = open_store(database="privacy", sqlite_dir=tmp_path)
        vault = PiiVault(store, KEYS, "k1")
        replies.append(
            await handle_anonymize(cmd, ctx=ctx, batcher=AnonymizeBatcher(get_analyzer), vault=vault, publish=_nothing)
        )
        await store.close()
    assert replies[0] == replies[1] and replies[0].token is not None
    store = open_store(database="privacy", sqlite_dir=tmp_path)
    assert [d["token"] for d in await store.collection(COLLECTION).find()] == [replies[0].token]
    await store.close()
