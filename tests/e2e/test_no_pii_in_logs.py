"""PII sent through the public API appears in no log file of any service process (issues 4 and 8)."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest

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
