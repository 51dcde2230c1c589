"""Fake Anthropic API: POST /v1/messages (JSON or SSE events) in, Anthropic-shaped messages out."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.support.fake_llm.behaviour import SLOW_S, Stats, chunks, count_tokens, failure_status, maybe_slow, reply_text


def _error(status: int) -> Response:
    kind = "rate_limit_error" if status == 429 else "api_error"
    body = {"type": "error", "error": {"type": kind, "message": f"fake error {status}"}}
    return JSONResponse(body, status_code=status, headers={"retry-after-ms": "20"})


def _prompt(body: dict[str, Any]) -> str:
    system = body.get("system") or ""
    return " ".join([str(system)] + [str(m.get("content", "")) for m in body.get("messages", [])])


def routes(stats: Stats) -> list[Route]:
    async def messages(request: Request) -> Response:
        body = await request.json()
        model = body["model"]
        status = failure_status(model, stats, f"anthropic:{model}")
        if status:
            return _error(status)
        await maybe_slow(model)
        prompt = _prompt(body)
        text = reply_text(model, prompt)
        if body.get("stream"):
            events = _events(model, text, count_tokens(prompt), count_tokens(text))
            return StreamingResponse(events, media_type="text/event-stream")
        return JSONResponse(
            {
                "id": "msg_fake",
                "type": "message",
                "role": "assistant",
                "model": model,
                "content": [{"type": "text", "text": text}],
                "stop_reason": "end_turn",
                "stop_sequence": None,
                "usage": {"input_tokens": count_tokens(prompt), "output_tokens": count_tokens(text)},
            }
        )

    return [Route("/v1/messages", messages, methods=["POST"])]


def _event(name: str, data: dict[str, Any]) -> bytes:
    return f"event: {name}\ndata: {json.dumps({'type': name, **data})}\n\n".encode()


async def _events(model: str, text: str, input_tokens: int, output_tokens: int) -> AsyncIterator[bytes]:
    message: dict[str, Any] = {
        "id": "msg_fake",
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {"input_tokens": input_tokens, "output_tokens": 1},
    }
    yield _event("message_start", {"message": message})
    yield _event("content_block_start", {"index": 0, "content_block": {"type": "text", "text": ""}})
    for i, piece in enumerate(chunks(text)):
        yield _event("content_block_delta", {"index": 0, "delta": {"type": "text_delta", "text": piece}})
        if i == 0 and model.startswith("hang-stream"):
            await asyncio.sleep(SLOW_S)
    yield _event("content_block_stop", {"index": 0})
    delta = {"stop_reason": "end_turn", "stop_sequence": None}
    yield _event("message_delta", {"delta": delta, "usage": {"output_tokens": output_tokens}})
    yield _event("message_stop", {})
