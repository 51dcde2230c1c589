"""PII sent through the public API appears in no log file, no event topic and not in the vector index.

Command topics carry the customer's text to the services that work on it (the conversation keeps it as the documented
history), so they are not scanned; events, dead letters of events, logs and the knowledge-base index must not hold it.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from libs.contracts.registry import default_registry
from tests.e2e.conftest import Stack

pytestmark = pytest.mark.e2e


def test_pii_in_requests_never_reaches_a_log(stack: Stack) -> None:
    marker = uuid.uuid4().hex[:8]
    email = f"jane.{marker}@example.com"
    phone = f"555-{int(marker[:3], 16) % 900 + 100}-{int(marker[3:7], 16) % 9000 + 1000}"
    text = f"Hi, I am Jane Doe, e-mail {email}, phone {phone}; my card 4111 1111 1111 1111 was charged twice."
    with httpx.Client(base_url=stack.url, headers=stack.auth(), timeout=60) as api:
        assert api.post("/api/v1/privacy/anonymize", json={"text": text, "keep_mapping": True}).status_code == 200
        turn = {"query": text, "session_id": f"pii_{marker}", "customer_id": f"cust_{marker}"}
        assert api.post("/api/query", json=turn).status_code == 200
        assert api.post("/api/v1/analyze/sentiment", json={"text": text}).status_code == 200
    time.sleep(1.0)  # let every process flush its last lines
    logs = sorted((stack.data_dir / "logs").glob("*.log"))
    assert logs, "no service logs found"
    # The files are the live JSON logs of the processes (so the check below reads real output).
    assert any('"event": "service.started"' in p.read_text(errors="replace") for p in logs)
    for path in logs:
        content = path.read_text(errors="replace")
        for secret in (email, phone, "4111 1111 1111 1111"):
            assert secret not in content, f"{secret!r} found in {path.name}"


async def event_records(bootstrap: str) -> list[bytes]:
    """Every record (value and header values) of every event topic and its dead-letter topic, from the start."""
    reader = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await reader.start()
    try:
        specs = [spec for spec in default_registry().topics() if spec.name.endswith(".events")]
        partitions = [TopicPartition(t, p) for s in specs for t in (s.name, s.dlq) for p in range(s.partitions)]
        reader.assign(partitions)
        await reader.seek_to_beginning(*partitions)
        ends = await reader.end_offsets(partitions)
        found: list[bytes] = []
        while [tp for tp in partitions if await reader.position(tp) < ends[tp]]:
            for records in (await reader.getmany(timeout_ms=1000)).values():
                found += [(r.value or b"") + b"".join(v for _, v in r.headers) for r in records]
        return found
    finally:
        await reader.stop()


def files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def test_pii_in_a_turn_reaches_no_event_and_not_the_vector_index(stack: Stack) -> None:
    marker = uuid.uuid4().hex[:8]
    email = f"ana.{marker}@example.org"
    text = f"My name is Ana Lopez, write to {email} or call 555-0142; SSN 078-05-1120. Where is order {marker}?"
    with httpx.Client(base_url=stack.url, headers=stack.auth(), timeout=60) as api:
        for path, body in (
            ("/api/query", {"query": text, "session_id": f"pii_{marker}", "customer_id": f"cust_{marker}"}),
            ("/api/v1/conversations", {"message": text, "user_id": f"user_{marker}"}),
        ):
            assert api.post(path, json=body).status_code == 200, path
    time.sleep(1.0)
    records = asyncio.run(event_records(stack.kafka))
    assert records, "no events read: nothing was checked"
    for secret in (email, "078-05-1120", "Ana Lopez"):
        hits = [r for r in records if secret.encode() in r]
        assert hits == [], f"{secret!r} found in {len(hits)} event records"
        index_hits = [p for p in files_under(stack.data_dir / "rag") if secret.encode() in p.read_bytes()]
        assert index_hits == [], f"{secret!r} found in the knowledge-base index: {index_hits}"
