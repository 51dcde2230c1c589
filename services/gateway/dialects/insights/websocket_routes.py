"""Seed 000 WebSocket `/websocket`: the seed 000 JWT or an API key in `Authorization`/`X-API-Key` or the `token`
query parameter (browsers cannot set headers); frames {"event", "timestamp", "data"} of the caller's tenant:
queue_update, sentiment_alert, system_status (on connect and periodically); "ping" is answered with "pong"."""

from __future__ import annotations

import asyncio
import contextlib

import orjson
from fastapi import APIRouter, WebSocket, WebSocketDisconnect

from libs.errors import DomainError
from libs.runtime.websocket import frame_writer
from services.gateway.deps import Gateway
from services.gateway.fanout.hub import Client, QueueSink, frame
from services.gateway.fanout.service import Fanout

router = APIRouter(tags=["insights: websocket"])
POLICY_VIOLATION = 1008
TRY_AGAIN_LATER = 1013  # the client fell too far behind: its buffer overflowed
DROPPED_GRACE_S = 10.0


@router.websocket("/websocket")
async def feed(ws: WebSocket, token: str | None = None) -> None:
    gw: Gateway = ws.app.state.gateway
    fanout: Fanout = ws.app.state.fanout
    authorization = ws.headers.get("authorization") or (f"Bearer {token}" if token else None)
    try:
        principal = await gw.identity.authenticate(authorization, ws.headers.get("x-api-key"))
    except DomainError as exc:
        await ws.close(code=POLICY_VIOLATION, reason=exc.message)
        return
    await ws.accept()
    writer = frame_writer(ws.scope)  # offered by libs.runtime's uvicorn protocol: frames go straight to the socket
    client = fanout.hub.join(principal.tenant_id, writer)
    try:
        client.offer(frame("system_status", await fanout.hub.status()))
        await _serve(ws, client)
    finally:
        fanout.hub.leave(client)
    if client.dropped.is_set() and writer is not None:
        # The close frame waits behind the unread backlog: a reader that never catches up is cut after a grace.
        asyncio.get_running_loop().call_later(DROPPED_GRACE_S, writer.abort)


async def _serve(ws: WebSocket, client: Client) -> None:
    tasks = {asyncio.create_task(_listen(ws, client)), asyncio.create_task(client.dropped.wait())}
    if isinstance(client.sink, QueueSink):
        tasks.add(asyncio.create_task(_pump(ws, client.sink)))
    _done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    for task in pending:
        with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, RuntimeError):
            await task
    if client.dropped.is_set():
        with contextlib.suppress(RuntimeError, WebSocketDisconnect):
            await ws.close(code=TRY_AGAIN_LATER, reason="client too slow")


async def _pump(ws: WebSocket, sink: QueueSink) -> None:
    while True:
        await ws.send_text(await sink.get())


async def _listen(ws: WebSocket, client: Client) -> None:
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            text = await ws.receive_text()
            if _is_ping(text):
                client.offer(frame("pong", {}))


def _is_ping(text: str) -> bool:
    if text.strip().lower() == "ping":
        return True
    try:
        message = orjson.loads(text)
    except orjson.JSONDecodeError:
        return False
    return isinstance(message, dict) and message.get("event") == "ping"
