"""Durable resolutions kept as counters: a resolution is durable once its window has passed with no new customer
message in its session and no new conversation of its customer (README: definitions).

When a batch stores a fact that *breaks* a resolution (a message within the window after a resolution of its
session, an opening within the window after a resolution of its customer), or a resolution that such a fact,
stored earlier, already broke (events of different sessions arrive in any order), the resolution's id goes to
the `breaks` collection, once (its id is the resolution's id: a second writer's Insert conflicts and its batch
retries), and the writer adds 1 to `durable.broken` in the resolution hour's rollup. A period's durable count is
then the resolutions of its part older than the window minus the broken ones, from whole rollup buckets, and
from the facts and breaks of its partial edge hours.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from libs.store import Collection
from services.analytics.domain import iso
from services.analytics.rollups import plan

if TYPE_CHECKING:
    from services.analytics.store import FactStore, Scope

BREAKS = "breaks"
DURABLE = "durable"  # the rollup cell's kind


def _within(resolution: dict[str, Any], at: str, window: timedelta) -> bool:
    """`at` falls in (resolution, resolution + window]."""
    resolved = datetime.fromisoformat(resolution["at"])
    return resolved < datetime.fromisoformat(at) <= resolved + window


async def _facts(facts: Collection, tenant: str, kind: str, field: str, keys: set[str]) -> list[dict[str, Any]]:
    if not keys:
        return []
    return await facts.find({"tenant_id": tenant, field: {"$in": sorted(keys)}, "kind": kind, "test": {"$ne": True}})


async def _broken_in_tenant(
    facts: Collection, tenant: str, batch: list[dict[str, Any]], window: timedelta
) -> list[dict[str, Any]]:
    """The resolutions (stored or in `batch`) broken by a fact of `batch`, or in `batch` and broken by a fact."""
    kinds = ("message", "conversation", "resolved")
    of = {kind: [d for d in batch if d["kind"] == kind and not d.get("test")] for kind in kinds}
    sessions = {d["session_id"] for d in of["message"] + of["resolved"] if d.get("session_id")}
    customers = {d["customer_id"] for d in of["conversation"] + of["resolved"] if d.get("customer_id")}
    batch_ids = {d["id"] for d in batch}

    def plus_batch(stored: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
        return [d for d in stored if d["id"] not in batch_ids] + of[kind]

    resolutions = plus_batch(await _facts(facts, tenant, "resolved", "session_id", sessions), "resolved")
    resolutions += [d for d in await _facts(facts, tenant, "resolved", "customer_id", customers)
                    if d["id"] not in batch_ids]  # fmt: skip
    messages = plus_batch(await _facts(facts, tenant, "message", "session_id", sessions), "message")
    openings = plus_batch(await _facts(facts, tenant, "conversation", "customer_id", customers), "conversation")
    fresh = {d["id"] for d in of["message"] + of["conversation"]}
    # The breakers of each session / customer: a resolution checks only those of its own (not every breaker).
    by_key = {"session_id": _grouped(messages, "session_id"), "customer_id": _grouped(openings, "customer_id")}
    broken: dict[str, dict[str, Any]] = {}
    for res in resolutions:
        new_res = res["id"] in batch_ids  # a new resolution checks every breaker; an old one only the new ones
        for key, groups in by_key.items():
            breakers = groups.get(res.get(key) or "", ())
            if any((new_res or b["id"] in fresh) and _within(res, b["at"], window) for b in breakers):
                broken[res["id"]] = res
    return list(broken.values())


def _grouped(docs: list[dict[str, Any]], key: str) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for doc in docs:
        if doc.get(key):
            out.setdefault(doc[key], []).append(doc)
    return out


async def broken_resolutions(
    facts: Collection, breaks: Collection, batch: Iterable[dict[str, Any]], window: timedelta
) -> list[dict[str, Any]]:
    """The resolutions this batch breaks that were not broken before (one per id)."""
    by_tenant: dict[str, list[dict[str, Any]]] = {}
    for doc in batch:
        by_tenant.setdefault(doc["tenant_id"], []).append(doc)
    found: list[dict[str, Any]] = []
    for tenant, docs in by_tenant.items():
        found += await _broken_in_tenant(facts, tenant, docs, window)
    if not found:
        return []
    ids = [d["id"] for d in found]
    known = {d["id"] for d in await breaks.find({"id": {"$in": ids}}, limit=len(ids))}
    return [d for d in found if d["id"] not in known]


async def durable_count(facts: FactStore, scope: Scope, window: timedelta, now: datetime) -> int:
    """Resolutions of the period whose window has passed, minus the broken ones."""
    until = min(scope.end, now - window)
    count = 0
    for level, lo, hi in plan(scope.start, until, ("month", "day", "hour")):
        if level is None:
            edge = {"$gte": iso(lo), "$lt": iso(hi)}
            count += await facts.count(scope.filter("resolved") | {"at": edge})
            count -= await facts.breaks.count({"tenant_id": scope.tenant_id, "at": edge})
            continue
        for doc in await facts.rollups(scope.tenant_id, level, lo, hi):
            count += doc["kinds"].get("resolved", {}).get("n", 0)
            count -= round(doc["kinds"].get(DURABLE, {}).get("sum", {}).get("broken", [0])[0])
    return count
