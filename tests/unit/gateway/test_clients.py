"""The gateway's bus clients share one shape (services/gateway/clients/base.py) and are built once by bootstrap."""

from __future__ import annotations

import ast
from pathlib import Path

from libs.bus import Envelope, MemoryBus
from libs.contracts.models.sentiment import SentimentResultV1
from libs.contracts.registry import default_registry
from libs.observability.context import bind_correlation_id, reset_correlation_id
from libs.runtime import PlatformSettings
from services.gateway.auth import Principal
from services.gateway.clients.base import Deadlines
from services.gateway.clients.bundle import Clients
from tests.support.platform import gateway_for_tests
from tests.unit.bus.messages import analyze, result_for

DIALECTS = Path(__file__).resolve().parents[3] / "services" / "gateway" / "dialects"
CALLER = Principal(subject_id="u1", tenant_id="acme", roles=frozenset({"agent"}), kind="user", rate_tier="free")


async def test_a_client_call_runs_in_the_callers_tenant_keyed_and_correlated_by_the_request() -> None:
    bus = MemoryBus(service_name="test")
    seen: list[Envelope] = []

    async def answer(env: Envelope) -> SentimentResultV1:
        seen.append(env)
        return result_for(analyze(*(t["text"] for t in env.data["texts"])))

    topic = default_registry().topic_of("sentiment.AnalyzeSentiment.v1")
    bus.subscribe(topic, group="sentiment", handler=answer)
    await bus.start()
    clients = Clients.build(bus, Deadlines(short_s=7.0, long_s=90.0))
    token = bind_correlation_id("req-clients-1")  # what the gateway's RequestStamp does per request
    try:
        one = await clients.sentiment.analyze_sentiment(CALLER, [("a", "fine")], use_ai=False)
        many = await clients.sentiment.analyze_sentiment(CALLER, [(str(i), "ok") for i in range(300)], use_ai=False)
    finally:
        reset_correlation_id(token)
        await bus.stop()
    assert len(one.results) == 1 and len(many.results) == 300
    assert {env.tenantid for env in seen} == {"acme"} and {env.correlationid for env in seen} == {"req-clients-1"}
    waits = [(env.deadline - env.time).total_seconds() for env in seen if env.deadline is not None]
    assert round(waits[0]) == 7  # one chunk: the short deadline
    assert sorted(round(w) for w in waits[1:]) == [90, 90]  # a batch in two chunks: the long one each


def test_no_route_builds_a_client_per_request() -> None:
    """Routes use `gw.clients.<service>`: a `...Client(...)` call under dialects/ is a client built per request."""
    built = [
        f"{path.relative_to(DIALECTS)}:{node.lineno}"
        for path in DIALECTS.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id.endswith("Client")
    ]
    assert built == []


def test_bootstrap_builds_the_clients_once_on_its_bus_with_the_settings_deadlines(tmp_path: Path) -> None:
    bus = MemoryBus(service_name="test")
    common = PlatformSettings(bus="memory", data_dir=tmp_path)
    service = gateway_for_tests(common, bus, request_timeout_s=3, batch_timeout_s=40)
    assert service.app is not None
    clients: Clients = service.app.state.gateway.clients
    for client in (clients.conversation, clients.rag, clients.sentiment, clients.training, clients.escalation):
        assert client._bus is bus and client._deadlines == Deadlines(short_s=3, long_s=40)
