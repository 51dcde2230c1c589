"""Delivery end to end: a domain event on the bus reaches a real receiver, signed; retries keep the webhook-id and
honour Retry-After; 410 disables; timeouts and oversized answers are bounded; order per conversation; a slow
endpoint never delays another; the outbox survives a restart."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from libs.bus import MemoryBus
from libs.store import open_store
from services.gateway.settings import GatewaySettings
from tests.support.platform import serving
from tests.unit.gateway.fanout import events
from tests.unit.gateway.fanout.conftest import ADMIN, Stack, start_stack
from tests.unit.gateway.fanout.receiver import Reply, receiving
from tests.unit.gateway.fanout.test_signing_egress import standard_webhooks_verify, verify_webhook

BASE = "/api/v1/webhooks"


async def test_event_arrives_signed_in_the_seed_payload_and_is_logged(stack: Stack) -> None:
    hook_id, secret = await stack.subscribe("kb_platform", ["*"])
    await stack.publish("conversation.SessionEscalated.v1", events.session_escalated(), key="conv_abc123")
    [hit] = await stack.receiver.wait_for(1)
    body = hit.json()
    assert body["event"] == "conversation.escalated" and body["timestamp"].endswith("Z")
    assert body["data"] == {
        "conversation_id": "conv_abc123",
        "user_id": "user_12345",
        "reason": "IRATE_CUSTOMER",
        "assigned_agent": None,
    }
    assert verify_webhook(hit.body.decode(), hit.headers["x-webhook-signature"], secret)  # seed 003's own code
    assert standard_webhooks_verify(secret, hit.headers, hit.body)
    assert abs(int(hit.headers["webhook-timestamp"]) - time.time()) < 5
    await asyncio.sleep(0.05)
    [row] = await stack.log(hook_id)
    assert row["outcome"] == "delivered" and row["status_code"] == 200 and row["attempt"] == 1
    assert row["delivery_id"] == hit.headers["webhook-id"] and row["event"] == "conversation.escalated"


async def test_unsubscribed_events_and_formats_are_not_sent(stack: Stack) -> None:
    await stack.subscribe("support_agent", ["escalation.created"])
    await stack.publish("conversation.SessionClosed.v1", events.session_closed(), key="sess_1")
    await stack.publish("conversation.ConversationCreated.v1", events.conversation_created(), key="conv_abc123")
    await stack.publish("escalation.EscalationCreated.v1", events.escalation_created(), key="sess_1")
    [hit] = await stack.receiver.wait_for(1)
    await asyncio.sleep(0.2)
    assert len(stack.receiver.requests) == 1 and hit.json()["event"] == "escalation.created"


async def test_retry_keeps_webhook_id_and_honours_retry_after(stack: Stack) -> None:
    stack.receiver.script = [Reply(status=503, headers={"Retry-After": "120"})]
    hook_id, _ = await stack.subscribe("support_agent", ["session.closed"])
    await stack.publish("conversation.SessionClosed.v1", events.session_closed(), key="sess_1")
    [first] = await stack.receiver.wait_for(1)
    await asyncio.sleep(0.05)
    [row] = await stack.log(hook_id)
    assert row["outcome"] == "retry" and row["status_code"] == 503
    wait = datetime.fromisoformat(row["next_retry_at"]) - datetime.now(UTC)
    assert timedelta(seconds=110) < wait <= timedelta(seconds=120)
    resent = await stack.client.post(f"{BASE}/{hook_id}/deliveries/{row['delivery_id']}/resend", headers=ADMIN)
    assert resent.status_code == 200, resent.text
    _, second = await stack.receiver.wait_for(2)
    assert second.headers["webhook-id"] == first.headers["webhook-id"] and second.body == first.body
    await asyncio.sleep(0.05)
    assert [r["outcome"] for r in await stack.log(hook_id)] == ["delivered", "retry"]  # newest first


async def test_gone_disables_the_endpoint_and_tells_the_others(stack: Stack) -> None:
    stack.receiver.by_path["/gone"] = Reply(status=410)
    gone_id, _ = await stack.subscribe("support_agent", ["session.closed"], path="/gone")
    await stack.subscribe("support_agent", ["endpoint.disabled"], path="/ops")
    await stack.publish("conversation.SessionClosed.v1", events.session_closed(), key="sess_1")
    await stack.receiver.wait_for(2)
    [notice] = stack.receiver.on("/ops")
    assert notice.json()["event"] == "endpoint.disabled" and notice.json()["data"]["endpoint_id"] == gone_id
    sub = (await stack.client.get(f"{BASE}/{gone_id}", headers=ADMIN)).json()["data"]
    assert sub["enabled"] is False and "410" in sub["disabled_reason"]
    await stack.publish("conversation.SessionClosed.v1", events.session_closed("sess_2"), key="sess_2")
    await asyncio.sleep(0.2)
    assert len(stack.receiver.on("/gone")) == 1


async def test_timeout_and_huge_answers_are_bounded(stack: Stack) -> None:
    stack.receiver.by_path["/slow"] = Reply(delay_s=3.0)  # answers 200, too late (timeout is 1 s here)
    stack.receiver.by_path["/huge"] = Reply(body_bytes=10 * 1024 * 1024)
    slow_id, _ = await stack.subscribe("support_agent", ["session.closed"], path="/slow")
    huge_id, _ = await stack.subscribe("support_agent", ["session.closed"], path="/huge")
    await stack.publish("conversation.SessionClosed.v1", events.session_closed(), key="sess_1")
    await stack.receiver.wait_for(2)
    await asyncio.sleep(1.3)
    [slow] = await stack.log(slow_id)
    assert slow["outcome"] == "retry" and slow["error"] == "timeout" and 900 < slow["latency_ms"] < 1500
    [huge] = await stack.log(huge_id)
    assert huge["outcome"] == "delivered" and huge["latency_ms"] < 1000


async def test_redirects_are_not_followed(stack: Stack) -> None:
    stack.receiver.by_path["/moved"] = Reply(status=302, headers={"Location": stack.receiver.url("/elsewhere")})
    hook_id, _ = await stack.subscribe("support_agent", ["session.closed"], path="/moved")
    await stack.publish("conversation.SessionClosed.v1", events.session_closed(), key="sess_1")
    await stack.receiver.wait_for(1)
    await asyncio.sleep(0.2)
    assert [r.path for r in stack.receiver.requests] == ["/moved"]
    [row] = await stack.log(hook_id)
    assert row["status_code"] == 302 and row["outcome"] == "retry"


async def test_failing_for_five_days_disables_and_emits_endpoint_disabled(stack: Stack) -> None:
    stack.receiver.by_path["/down"] = Reply(status=503)
    down_id, _ = await stack.subscribe("tiered_cs", ["session.created"], path="/down")
    await stack.subscribe("kb_platform", ["endpoint.disabled"], path="/ops")
    since = (datetime.now(UTC) - timedelta(days=5, minutes=1)).isoformat()
    await stack.fanout.store.patch_subscription(down_id, {"failing_since": since})  # its streak began 5 days ago
    await stack.publish("conversation.ConversationCreated.v1", events.conversation_created(), key="conv_abc123")
    await stack.receiver.wait_for(2)
    [notice] = stack.receiver.on("/ops")
    assert notice.json()["data"] == {
        "endpoint_id": down_id,
        "url": stack.receiver.url("/down"),
        "reason": "failing for 5 days",
        "failing_since": since,
    }
    sub = (await stack.client.get(f"{BASE}/{down_id}", headers=ADMIN)).json()["data"]
    assert sub["enabled"] is False and sub["disabled_reason"] == "failing for 5 days"
    assert [r["outcome"] for r in await stack.log(down_id)] == ["disabled"]


async def test_connect_time_check_refuses_an_address_no_longer_allowed(tmp_path: Path) -> None:
    """Allowed when subscribed, refused at the next connection: the address is checked again before connecting."""
    store = open_store(database="gateway", sqlite_dir=tmp_path / "db")
    async with receiving() as receiver:
        bus = MemoryBus(service_name="first")
        first = await start_stack(bus, store, tmp_path)
        async with serving(bus, [first]) as client:
            hook_id, _ = await Stack(client, bus, first, receiver).subscribe("support_agent", ["session.closed"])
        store = open_store(database="gateway", sqlite_dir=tmp_path / "db")
        bus = MemoryBus(service_name="second")
        second = await start_stack(bus, store, tmp_path, webhook_allowed_hosts=[])
        async with serving(bus, [second]) as client:
            live = Stack(client, bus, second, receiver)
            await live.publish("conversation.SessionClosed.v1", events.session_closed(), key="sess_1")
            await asyncio.sleep(0.3)
            [row] = await live.log(hook_id)
    assert receiver.requests == [] and row["outcome"] == "retry" and row["status_code"] is None
    assert "http is only allowed" in row["error"] or "refused" in row["error"]


async def test_order_per_conversation_survives_a_failure(stack: Stack) -> None:
    stack.receiver.script = [Reply(status=500)]
    hook_id, _ = await stack.subscribe("kb_platform", ["*"])
    for make, event_type in [
        (events.conversation_created, "conversation.ConversationCreated.v1"),
        (events.session_escalated, "conversation.SessionEscalated.v1"),
        (events.session_resolved, "conversation.SessionResolved.v1"),
    ]:
        await stack.publish(event_type, make(), key="conv_abc123")
    await stack.receiver.wait_for(1)
    await asyncio.sleep(0.3)
    assert len(stack.receiver.requests) == 1  # the later events wait behind the failed first one
    [row] = await stack.log(hook_id)
    await stack.client.post(f"{BASE}/{hook_id}/deliveries/{row['delivery_id']}/resend", headers=ADMIN)
    hits = await stack.receiver.wait_for(4)
    assert [h.json()["event"] for h in hits[1:]] == [
        "conversation.created",
        "conversation.escalated",
        "conversation.resolved",
    ]


async def test_a_hung_endpoint_never_delays_another(stack: Stack) -> None:
    stack.receiver.by_path["/hung"] = Reply(delay_s=0.9)
    await stack.subscribe("support_agent", ["session.closed"], path="/hung")
    await stack.subscribe("support_agent", ["session.closed"], path="/fast")
    started = time.perf_counter()
    for n in range(20):
        await stack.publish("conversation.SessionClosed.v1", events.session_closed(f"s{n}"), key=f"s{n}")
    while len(stack.receiver.on("/fast")) < 20:
        await asyncio.sleep(0.01)
        assert time.perf_counter() - started < 0.8, "the fast endpoint waited for the hung one"
    assert len(stack.receiver.on("/hung")) <= GatewaySettings().webhook_per_endpoint  # its own slots only


async def test_a_hung_endpoints_backlog_never_starves_a_newer_endpoint(tmp_path: Path) -> None:
    """The hung endpoint's 20 owed rows are older than anything else and outnumber the worker's window of 8."""
    bus = MemoryBus(service_name="test")
    gateway = await start_stack(
        bus, open_store(database="gateway"), tmp_path, webhook_max_in_flight=8, webhook_per_endpoint=4
    )
    async with receiving() as receiver, serving(bus, [gateway]) as client:
        receiver.by_path["/hung"] = Reply(delay_s=0.9)
        live = Stack(client=client, bus=bus, gateway=gateway, receiver=receiver)
        await live.subscribe("support_agent", ["session.closed"], path="/hung")
        for n in range(20):
            await live.publish("conversation.SessionClosed.v1", events.session_closed(f"old{n}"), key=f"old{n}")
        await live.subscribe("support_agent", ["session.closed"], path="/fast")
        started = time.perf_counter()
        for n in range(5):
            await live.publish("conversation.SessionClosed.v1", events.session_closed(f"new{n}"), key=f"new{n}")
        while len(receiver.on("/fast")) < 5:
            await asyncio.sleep(0.01)
            assert time.perf_counter() - started < 0.6, "the hung endpoint's backlog held the fast one up"


async def test_outbox_survives_a_restart_with_the_same_webhook_id(tmp_path: Path) -> None:
    store_dir = tmp_path / "db"
    async with receiving() as receiver:
        receiver.script = [Reply(status=500)]
        bus = MemoryBus(service_name="first")
        first = await start_stack(bus, open_store(database="gateway", sqlite_dir=store_dir), tmp_path)
        async with serving(bus, [first]) as client:
            body = {"url": receiver.url(), "events": ["*"], "format": "support_agent"}
            hook_id = (await client.post(BASE, json=body, headers=ADMIN)).json()["data"]["id"]
            model_stack = Stack(client=client, bus=bus, gateway=first, receiver=receiver)
            await model_stack.publish("conversation.SessionClosed.v1", events.session_closed(), key="sess_1")
            [failed] = await receiver.wait_for(1)
            await asyncio.sleep(0.05)
        # Time passes while the gateway is down: the retry falls due.
        store = open_store(database="gateway", sqlite_dir=store_dir)
        outbox = store.collection("webhook_deliveries")
        [row] = await outbox.find({"subscription_id": hook_id})
        assert row["status"] == "pending"
        await outbox.update(row["id"], {"next_attempt_at": datetime.now(UTC).isoformat()})
        bus = MemoryBus(service_name="second")
        second = await start_stack(bus, store, tmp_path)
        async with serving(bus, [second]):
            _, retried = await receiver.wait_for(2)
    assert retried.headers["webhook-id"] == failed.headers["webhook-id"] and retried.body == failed.body
