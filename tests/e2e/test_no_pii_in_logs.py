"""PII sent through the public API appears in no log file, on no topic, not in the vector index and not in what a
cloud model provider is sent.

Every topic is read from its start, commands and replies included: their payloads travel sealed (libs/bus/sealing.py),
so the broker's log holds no customer text. The documented places that keep it (the conversation history and the CRM
views, in the services' own databases) are not scanned. The provider check runs its own stack with the OpenAI,
Anthropic and Gemini keys set and pointed at the fake servers of tests/support/fake_llm, which record every request.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from tests.e2e.conftest import Stack, launch, shut_down
from tests.e2e.seed_examples import crm_ok
from tests.support.fake_llm.server import FakeLLMServer
from tests.support.topic_reader import read_to_end

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]


def seeded_pii() -> tuple[str, list[str]]:
    """A customer message full of PII, fresh per call, and the raw values that must not leak."""
    marker = uuid.uuid4().hex[:8]
    email = f"ana.{marker}@example.org"
    phone = f"555-{int(marker[:3], 16) % 900 + 100}-{int(marker[3:7], 16) % 9000 + 1000}"
    text = (
        f"My name is Ana Lopez, write to {email} or call {phone}; SSN 078-05-1120, card 4111 1111 1111 1111 was "
        f"charged twice. Where is order {marker}?"
    )
    return text, [email, phone, "078-05-1120", "4111 1111 1111 1111", "Ana Lopez"]


def through_every_dialect(stack: Stack, text: str) -> None:
    """The text as a turn in each of the five seeds (plus the seed 000 analysis and anonymize routes)."""
    marker = uuid.uuid4().hex[:8]
    with httpx.Client(base_url=stack.url, headers=stack.auth(), timeout=60) as api:
        for path, body in (
            ("/api/v1/privacy/anonymize", {"text": text, "keep_mapping": True}),
            ("/api/v1/analyze/sentiment", {"text": text}),
            ("/api/v1/generate/response", {"query": text, "customer_id": f"cust_{marker}"}),
            ("/api/query", {"query": text, "session_id": f"pii_{marker}", "customer_id": f"cust_{marker}"}),
            ("/cs/sessions", {"companyId": "default", "customerId": marker, "channel": "chat", "initialMessage": text}),
            ("/api/v1/conversations", {"message": text, "user_id": f"user_{marker}"}),
        ):  # fmt: skip
            resp = api.post(path, json=body)
            assert resp.status_code in (200, 201), f"{path}: {resp.text}"
        user = crm_ok(api.post("/crm/create_user", json={"name": f"Crm {marker}", "email": f"crm.{marker}@x.test"}))
        token = crm_ok(api.post("/sessions/create", json={"user_id": user["id"]}))["session_token"]
        chat = api.post("/chat", json={"message": text, "user_id": user["id"], "session_token": token})
        assert chat.status_code == 200, chat.text
    time.sleep(1.0)  # let every process flush its last lines and events


async def every_record(bootstrap: str) -> dict[str, list[bytes]]:
    """Every record (value and header values) of every topic on the broker, from the start, by topic."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics()
    finally:
        await admin.close()
    topics = sorted(d["topic"] for d in described if not d["topic"].startswith("__"))
    partitions = [
        TopicPartition(d["topic"], p["partition"]) for d in described if d["topic"] in topics for p in d["partitions"]
    ]
    found: dict[str, list[bytes]] = {t: [] for t in topics}
    for r in await read_to_end(bootstrap, partitions):
        found[r.topic].append((r.value or b"") + b"".join(v for _, v in r.headers))
    return found


def files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def leaks(stack: Stack, secrets: list[str]) -> list[str]:
    """Where each secret was found: log files, topics (with the count of records), the knowledge-base index."""
    found = []
    logs = sorted((stack.data_dir / "logs").glob("*.log"))
    assert any('"event": "service.started"' in p.read_text(errors="replace") for p in logs), "no live service logs"
    records = asyncio.run(every_record(stack.kafka))
    assert any(t.endswith(".commands") and r for t, r in records.items()), "no command read: nothing was checked"
    assert any(".replies." in t and r for t, r in records.items()), "no reply read: nothing was checked"
    for secret in secrets:
        found += [f"{secret!r} in log {p.name}" for p in logs if secret in p.read_text(errors="replace")]
        for topic, values in records.items():
            if hits := [v for v in values if secret.encode() in v]:
                found.append(f"{secret!r} in {len(hits)} records of {topic}")
        index = files_under(stack.data_dir / "rag")
        found += [f"{secret!r} in index {p}" for p in index if secret.encode() in p.read_bytes()]
    return found


def test_pii_through_every_dialect_reaches_no_log_no_topic_and_not_the_vector_index(stack: Stack) -> None:
    text, secrets = seeded_pii()
    through_every_dialect(stack, text)
    assert leaks(stack, secrets) == []


@pytest.fixture
def providers() -> Iterator[FakeLLMServer]:
    server = FakeLLMServer().start()
    try:
        yield server
    finally:
        server.stop()


def test_pii_reaches_no_cloud_provider_request(tmp_path: Path, providers: FakeLLMServer) -> None:
    env = {
        "SWITCHBOARD_LLM_OPENAI_API_KEY": "sk-fake",
        "SWITCHBOARD_LLM_OPENAI_BASE_URL": providers.openai_base_url,
        "SWITCHBOARD_LLM_ANTHROPIC_API_KEY": "sk-ant-fake",
        "SWITCHBOARD_LLM_ANTHROPIC_BASE_URL": providers.anthropic_base_url,
        "SWITCHBOARD_LLM_GOOGLE_API_KEY": "fake",
        "SWITCHBOARD_LLM_GOOGLE_BASE_URL": providers.google_base_url,
    }
    stack = launch(tmp_path, env=env)
    try:
        text, secrets = seeded_pii()
        through_every_dialect(stack, text)
        found = leaks(stack, secrets)
    finally:
        shut_down(stack.process)
    requests = providers.requests()
    print(f"\nprovider requests recorded: {len(requests)} ({sorted({r.split(' ', 1)[0] for r in requests})})")
    assert requests, "no provider was called: nothing was checked"
    found += [f"{s!r} in a request to {r.split(' ', 1)[0]}" for s in secrets for r in requests if s in r]
    assert found == []
