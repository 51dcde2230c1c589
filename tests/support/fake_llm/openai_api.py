"""Fake OpenAI API: POST /v1/chat/completions (JSON or SSE) and /v1/embeddings in, OpenAI-shaped JSON out."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.support.fake_llm.behaviour import (
    SLOW_S,
    Stats,
    chunks,
    count_tokens,
    failure_status,
    maybe_slow,
    reply_text,
    vector,
)


def _error(status: int) -> Response:
    body = {"error": {"message": f"fake error {status}", "type": "server_error", "code": str(status)}}
    return JSONResponse(body, status_code=status, headers={"retry-after-ms": "20"})


def _prompt(body: dict[str, Any]) -> str:
    return " ".join(str(m.get("content", "")) for m in body.get("messages", []))


def routes(stats: Stats) -> list[Route]:
    async def chat(request: Request) -> Response:
        body = await request.json()
        model = body["model"]
        status = failure_status(model, stats, f"openai:{model}")
        if status:
            return _error(status)
        await maybe_slow(model)
        prompt = _prompt(body)
        text = reply_text(model, prompt)
        usage = {
            "prompt_tokens": count_tokens(prompt),
            "completion_tokens": count_tokens(text),
            "total_tokens": count_tokens(prompt) + count_tokens(text),
        }
        if body.get("stream"):
            return StreamingResponse(_sse(model, text, usage), media_type="text/event-stream")
        return JSONResponse(
            {
                "id": "chatcmpl-fake",
                "object": "chat.completion",
                "created": 0,
                "model": model,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                "usage": usage,
            }
        )

    async def embeddings(request: Request) -> Response:
        body = await request.json()
        model = body["model"]
        status = failure_status(model, stats, f"openai:{model}")
        if status:
            return _error(status)
        texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
        dims = int(body.get("dimensions") or 16)
        data = [{"object": "embedding", "index": i, "embedding": vector(t, dims)} for i, t in enumerate(texts)]
        tokens = sum(count_tokens(t) for t in texts)
        usage = {"prompt_tokens": tokens, "total_tokens": tokens}
        return JSONResponse({"object": "list", "data": data, "model": model, "usage": usage})

    return [
        Route("/v1/chat/completions", chat, methods=["POST"]),
        Route("/v1/embeddings", embeddings, methods=["POST"]),
    ]


async def _sse(model: str, text: str, usage: dict[str, int]) -> AsyncIterator[bytes]:
    base = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 0, "model": model}
    for i, piece in enumerate(chunks(text)):
        choice = {"index": 0, "delta": {"role": "assistant", "content": piece}, "finish_reason": None}
        yield f"data: {json.dumps({**base, 'choices': [choice]})}\n\n".encode()
        if i == 0 and model.startswith("hang-stream"):
            await asyncio.sleep(SLOW_S)
    done = {"index": 0, "delta": {}, "finish_reason": "stop"}
    yield f"data: {json.dumps({**base, 'choices': [done]})}\n\n".encode()
    yield f"data: {json.dumps({**base, 'choices': [], 'usage': usage})}\n\n".encode()
    yield b"data: [DONE]\n\n"
