"""No PII from a request reaches the logs of the privacy path (gateway → bus → privacy handlers → vault → audit)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import structlog

from libs.observability import configure_logging
from tests.unit.privacy_api.conftest import API_KEY, Platform

AUTH = {"Authorization": f"Bearer {API_KEY}"}
# Values the log scrubber would not catch on its own (a name, a bare account number, a street address).
PII = ["Margaret Oyelaran", "88112233445566", "42 Wallaby Way", "margaret.o@example.org", "+44 20 7946 0958"]
TEXT = (
    f"Hello, this is {PII[0]}. My account number is {PII[1]}, I live at {PII[2]}, Sydney. "
    f"Write to {PII[3]} or call {PII[4]}."
)


@pytest.fixture
def restore_logging() -> Iterator[None]:
    yield
    structlog.reset_defaults()
    structlog.contextvars.clear_contextvars()


async def test_pii_in_requests_never_reaches_the_logs(
    platform: Platform, capsys: pytest.CaptureFixture[str], restore_logging: None
) -> None:
    # Configured here, not in a fixture: the logger writes to the sys.stdout of the moment, and capsys swaps
    # the stream between the setup and call phases.
    configure_logging("privacy", level="DEBUG", json_logs=True)
    # No logger caching: loggers bound now would keep writing to this test's closed stream after it ends.
    structlog.configure(cache_logger_on_first_use=False)
    resp = await platform.client.post(
        "/api/v1/privacy/anonymize", json={"text": TEXT, "keep_mapping": True, "store_originals": True}, headers=AUTH
    )
    assert resp.status_code == 200, resp.text
    data = resp.json()["data"]
    assert all(value not in data["anonymized_text"] for value in PII)
    token = data["token"]
    analyst = await platform.user("analyst")
    denied = await platform.client.post(
        "/api/v1/privacy/deanonymize", json={"token": token, "text": f"[NAME_1] {PII[0]}"}, headers=analyst
    )
    assert denied.status_code == 403
    granted = await platform.client.post("/api/v1/privacy/deanonymize", json={"token": token}, headers=AUTH)
    assert granted.status_code == 200 and granted.json()["data"]["text"] == TEXT
    await platform.bus.drain()

    captured = capsys.readouterr()
    logs = captured.out + captured.err
    # The capture really sees the privacy handlers' lines (so the absence below means something).
    assert '"event": "privacy.anonymized"' in logs and '"event": "privacy.vault_accessed"' in logs
    assert '"outcome": "denied"' in logs and '"outcome": "granted"' in logs
    leaked = [value for value in PII if value in logs]
    assert leaked == []
