"""Fake Gemini API: POST /v1[beta]/models/{model}:generateContent|streamGenerateContent|(batch)embedContent."""

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

_STATUS = {429: "RESOURCE_EXHAUSTED", 500: "INTERNAL"}


def _error(status: int) -> Response:
    body = {"error": {"code": status, "message": f"fake error {status}", "status": _STATUS.get(status, "UNKNOWN")}}
    return JSONResponse(body, status_code=status)


def _texts(contents: Any) -> list[str]:
    items = contents if isinstance(contents, list) else [contents]
    return [" ".join(p.get("text", "") for p in c.get("parts", [])) for c in items if isinstance(c, dict)]


def _prompt(body: dict[str, Any]) -> str:
    system = " ".join(_texts(body.get("systemInstruction") or {}))
    return " ".join([system, *_texts(body.get("contents", []))])


def _candidate(text: str, finish: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"content": {"role": "model", "parts": [{"text": text}]}, "index": 0}
    if finish:
        out["finishReason"] = finish
    return out


def routes(stats: Stats) -> list[Route]:
    async def model_call(request: Request) -> Response:
        model, _, method = request.path_params["target"].partition(":")
        body = await request.json()
        status = failure_status(model, stats, f"google:{model}")
        if status:
            return _error(status)
        if method in ("embedContent", "batchEmbedContents"):
            return _embed(method, body)
        await maybe_slow(model)
        prompt = _prompt(body)
        text = reply_text(model, prompt)
        usage = {
            "promptTokenCount": count_tokens(prompt),
            "candidatesTokenCount": count_tokens(text),
            "totalTokenCount": count_tokens(prompt) + count_tokens(text),
        }
        if method == "streamGenerateContent":
            return StreamingResponse(_sse(model, text, usage), media_type="text/event-stream")
        return JSONResponse({"candidates": [_candidate(text, "STOP")], "usageMetadata": usage, "modelVersion": model})

    # google-genai 3.x calls /v1/...; older releases used /v1beta/...
    return [Route(f"/{v}/models/{{target:path}}", model_call, methods=["POST"]) for v in ("v1", "v1beta")]


def _embed(method: str, body: dict[str, Any]) -> Response:
    requests = body.get("requests") or [body]
    out = []
    for req in requests:
        dims = int(req.get("outputDimensionality") or 16)
        out.append({"values": vector(" ".join(_texts(req.get("content", {}))), dims)})
    if method == "embedContent":
        return JSONResponse({"embeddings": out} if len(out) > 1 else {"embedding": out[0], "embeddings": out})
    return JSONResponse({"embeddings": out})


async def _sse(model: str, text: str, usage: dict[str, int]) -> AsyncIterator[bytes]:
    pieces = chunks(text)
    for i, piece in enumerate(pieces):
        last = i == len(pieces) - 1
        data: dict[str, Any] = {"candidates": [_candidate(piece, "STOP" if last else None)], "modelVersion": model}
        if last:
            data["usageMetadata"] = usage
        yield f"data: {json.dumps(data)}\n\n".encode()
        if i == 0 and model.startswith("hang-stream"):
            await asyncio.sleep(SLOW_S)
