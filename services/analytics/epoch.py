"""The store's epoch: a fence that lets a rebuild drop everything while live writers keep running.

Every batch commit of a writer carries an `Update` of the epoch document it read before; an `Update` of a
missing id refuses the whole commit (libs/store). A rebuild first inserts the next epoch (not ready), deletes
the older epoch documents, which fences every writer whose batch was read before, then drops the facts, rollups,
states and breaks, and marks the new epoch ready. A fenced or early batch fails, its handlers raise and the bus
redelivers their events; the writer forgets the rollup rows it remembered (they were dropped) and, once the epoch
is ready, stores them afresh beside the replay (the fact ids keep each event counted once). Without this, a live
writer would write its remembered rows back after the drop, and the replay would count their events again.

**Batches in flight at the fence.** On SQLite the epoch `Update` is checked inside the commit's transaction. On
MongoDB the commit's checks are not locked: a batch checked in the instant before the fence could land after the
drop. So every batch first *registers* (`enter`: a `writing` document, one insert) and only then reads the epoch;
the rebuild first fences (deletes the old epoch) and only then reads the registrations (`settle`) and waits for
those to leave. Either the batch read the epoch after the fence (it is refused), or its registration was there
when the rebuild looked (the rebuild waits for its commit, then drops it with the rest): single-document inserts,
reads and deletes are enough, on every store. A registration left by a crashed writer is waited for up to
`SETTLE_S`, then dropped, after the store's commit journal was recovered.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime
from typing import Any

from libs.errors import Unavailable
from libs.store import Collection

META = "meta"
WRITING = "writing"
SETTLE_S = 30.0


class NotReady(Unavailable):
    """A rebuild is dropping the store: the batch is refused, and the bus redelivers its events."""


async def current(meta: Collection) -> dict[str, Any]:
    """The newest epoch document (the first one is made on a fresh store)."""
    found = await meta.find({"kind": "epoch"}, sort=[("n", -1)], limit=1)
    if not found:
        await meta.insert_if_absent({"id": "epoch:0", "kind": "epoch", "n": 0, "ready": True})
        found = await meta.find({"kind": "epoch"}, sort=[("n", -1)], limit=1)
    epoch = found[0]
    if not epoch.get("ready"):
        raise NotReady("the analytics store is being rebuilt")
    return epoch


async def begin(meta: Collection) -> dict[str, Any]:
    """Fence the writers: insert the next epoch, not ready, and delete the older ones."""
    found = await meta.find({"kind": "epoch"}, sort=[("n", -1)], limit=1)
    n = (found[0]["n"] if found else 0) + 1
    epoch = {"id": f"epoch:{n}", "kind": "epoch", "n": n, "ready": False, "began": datetime.now(UTC).isoformat()}
    await meta.insert(epoch)
    await meta.delete_many({"kind": "epoch", "n": {"$lt": n}})
    return epoch


async def ready(meta: Collection, epoch: dict[str, Any]) -> None:
    await meta.update(epoch["id"], {"ready": True})


async def enter(meta: Collection, writer: str) -> str:
    """Register a batch before it reads the epoch; `leave` once its commit is done (or refused)."""
    token = f"writing:{writer}:{uuid.uuid4().hex[:12]}"
    await meta.insert({"id": token, "kind": WRITING, "writer": writer, "at": datetime.now(UTC).isoformat()})
    return token


async def leave(meta: Collection, token: str) -> None:
    await meta.delete(token)


async def settle(meta: Collection, within_s: float = SETTLE_S) -> bool:
    """After the fence: wait until every batch registered by now has left. False when some never did (a crashed
    writer's); their registrations are deleted."""
    pending = sorted(doc["id"] for doc in await meta.find({"kind": WRITING}))
    deadline = asyncio.get_running_loop().time() + within_s
    while pending:
        if asyncio.get_running_loop().time() > deadline:
            for token in pending:
                await meta.delete(token)
            return False
        await asyncio.sleep(0.01)
        pending = sorted(doc["id"] for doc in await meta.find({"kind": WRITING, "id": {"$in": pending}}))
    return True
