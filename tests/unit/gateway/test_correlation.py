"""The request id is the correlation id of everything a request causes: the gateway binds it in context, the bus puts
it on the command, and the downstream service's log lines while handling it name it."""

from __future__ import annotations

import structlog
from structlog.testing import capture_logs

from tests.unit.gateway.conftest import API_KEY, Platform

AUTH = {"Authorization": f"Bearer {API_KEY}"}


async def test_a_downstream_services_log_line_carries_the_callers_request_id(platform: Platform) -> None:
    headers = {**AUTH, "X-Request-ID": "corr-classify-7"}
    body = {"text": "where is my parcel", "categories": ["billing", "shipping"], "model": "no such model"}
    with capture_logs(processors=[structlog.contextvars.merge_contextvars]) as lines:
        resp = await platform.client.post("/api/v1/ai/classify", json=body, headers=headers)
    assert resp.status_code == 400, resp.text  # the sentiment service refused the unknown model
    assert resp.headers["X-Request-ID"] == "corr-classify-7"
    # Logged by the sentiment service's consumer loop while it handled the command, not by the gateway.
    refused = [line for line in lines if line["event"] == "bus.domain_error"]
    assert [line.get("correlation_id") for line in refused] == ["corr-classify-7"]
    assert refused[0]["type"] == "sentiment.Classify.v1"


async def test_without_a_caller_request_id_the_generated_one_is_the_correlation_id(platform: Platform) -> None:
    body = {"text": "where is my parcel", "categories": ["billing", "shipping"], "model": "no such model"}
    with capture_logs(processors=[structlog.contextvars.merge_contextvars]) as lines:
        resp = await platform.client.post("/api/v1/ai/classify", json=body, headers=AUTH)
    refused = [line for line in lines if line["event"] == "bus.domain_error"]
    assert [line.get("correlation_id") for line in refused] == [resp.headers["X-Request-ID"]]
    assert resp.headers["X-Request-ID"].startswith("req_")
