"""The local sandbox (services/gateway/sandbox.py): off by default; when on, only a credential-less request from a
loopback peer acts as the sandbox tenant (role agent); any credential is checked as usual; never off loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest

from libs.bus import MemoryBus
from libs.runtime import PlatformSettings
from libs.store import open_store
from services.gateway.sandbox import SandboxRefused, sandbox_for
from services.gateway.settings import GatewaySettings
from services.launcher.cli import main as switchboard
from services.sentiment.bootstrap import bootstrap as bootstrap_sentiment
from services.sentiment.settings import SentimentSettings
from tests.support.platform import API_KEY, gateway_for_tests, serving

SENTIMENT = ("/api/v1/analyze/sentiment", {"text": "Thanks, that was quick!"})


@asynccontextmanager
async def gateway(tmp_path: Path, peer: str = "127.0.0.1", **overrides: object) -> AsyncIterator[httpx.AsyncClient]:
    """The gateway and the sentiment service in process, reached from `peer`."""
    bus, common = MemoryBus(service_name="test"), PlatformSettings(bus="memory", data_dir=tmp_path)
    sentiment = bootstrap_sentiment(
        SentimentSettings(platform=common, warm_model_on_start=False), bus=bus, store=open_store(database="sentiment")
    )
    service = gateway_for_tests(common, bus, **overrides)
    async with serving(bus, [sentiment, service]) as client:
        # The ASGI transport's `client` is the socket peer the app sees (request.client), as uvicorn sets it.
        client._transport = httpx.ASGITransport(app=service.app, client=(peer, 50000))  # type: ignore[arg-type]
        yield client


async def analyze(client: httpx.AsyncClient, headers: dict[str, str] | None = None) -> httpx.Response:
    path, body = SENTIMENT
    return await client.post(path, json=body, headers=headers or {})


async def test_off_by_default_a_credential_less_call_is_refused(tmp_path: Path) -> None:
    async with gateway(tmp_path) as client:
        resp = await analyze(client)
    assert resp.status_code == 401 and resp.json()["error"] is True


async def test_sandbox_acts_as_its_own_tenant_with_the_agent_role(tmp_path: Path) -> None:
    async with gateway(tmp_path, sandbox=True) as client:
        answered = await analyze(client)
        assert answered.status_code == 200 and answered.json()["data"]["sentiment"] == "positive", answered.text
        # The least role: agent. Admin and operator routes stay closed (403: the caller is known, just not allowed).
        assert (await client.get("/api/v1/users")).status_code == 403
        assert (await client.get("/api/v1/publishable-keys")).status_code == 403
        assert (await client.post("/api/v1/tenants", json={"tenant_id": "t1", "name": "t"})).status_code == 403
        # The sandbox tenant exists like any other (the operator sees it), so its data has a home of its own.
        tenants = await client.get("/api/v1/tenants", headers={"X-API-Key": API_KEY})
        assert "sandbox" in {t["tenant_id"] for t in tenants.json()["data"]["tenants"]}, tenants.text


async def test_any_credential_is_checked_as_usual(tmp_path: Path) -> None:
    async with gateway(tmp_path, sandbox=True) as client:
        for headers in ({"X-API-Key": "sb_wrong"}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic eA=="}):
            resp = await analyze(client, headers)
            assert resp.status_code == 401, (headers, resp.text)
        # A good credential is its own tenant's, not the sandbox's: the operator reaches admin routes.
        assert (await client.get("/api/v1/users", headers={"X-API-Key": API_KEY})).status_code == 200


@pytest.mark.parametrize("peer", ["203.0.113.9", "10.0.0.7", "::ffff:203.0.113.9"])
async def test_a_remote_peer_gets_no_sandbox_whatever_it_forwards(tmp_path: Path, peer: str) -> None:
    async with gateway(tmp_path, peer=peer, sandbox=True) as client:
        resp = await analyze(client, {"X-Forwarded-For": "127.0.0.1"})
    assert resp.status_code == 401


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [({"host": "0.0.0.0"}, "'0.0.0.0'"), ({"host": "192.168.1.5"}, "'192.168.1.5'"),
     ({"trusted_proxies": "127.0.0.1"}, "trusted proxies")],
)  # fmt: skip
def test_refused_unless_local(tmp_path: Path, overrides: dict[str, str], reason: str) -> None:
    settings = GatewaySettings(platform=PlatformSettings(bus="memory", data_dir=tmp_path), sandbox=True, **overrides)
    with pytest.raises(SandboxRefused, match=reason):
        sandbox_for(settings)
    assert sandbox_for(GatewaySettings(**overrides)) is None  # off: nothing to refuse


def test_switchboard_up_refuses_a_sandbox_off_loopback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("SWITCHBOARD_GATEWAY_HOST", "0.0.0.0")
    # `up --sandbox` sets SWITCHBOARD_SANDBOX for the children it starts; setting it here first makes monkeypatch
    # remove it afterwards (a delenv of an absent variable records nothing), so no later test runs in the sandbox.
    monkeypatch.setenv("SWITCHBOARD_SANDBOX", "0")
    assert switchboard(["up", "--sandbox", "--inproc", "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "refusing to start" in err and "0.0.0.0" in err and "127.0.0.1" in err
