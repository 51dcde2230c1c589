"""Seed 000 GET /api/v1/ai/providers and POST /api/v1/ai/generate (JSON, or server-sent events with `stream`),
answered by the conversation service's LLM over the bus.

Streaming (`"stream": true`) answers `text/event-stream` with these events, each `data:` one JSON object:
  `delta`   {"index": n, "text": "..."} - the next piece of text; concatenated in order they are generated_text
  `result`  the same body as the non-streaming answer ({"error": false, "status_code": 200, "data": {...}})
  `error`   the seed error envelope ({"error": true, "status_code", "message", "details", "timestamp"}) when the
            generation fails after the stream started; the stream then ends.
Errors before the first event (bad input, every provider down) are ordinary JSON error responses.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, AsyncIterator
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from libs.contracts.models.conversation import GenerateResultV1, GenerationDeltaV1
from libs.errors import DomainError
from services.gateway.clients.ai import result_data
from services.gateway.deps import Caller, GatewayDep
from services.gateway.dialects.insights.envelope import DIALECT, ok
from services.gateway.dialects.insights.responses import Ok, ProviderListV1
from services.gateway.input_policy import FreeForm

router = APIRouter(prefix="/api/v1/ai", route_class=DIALECT.route_class(), tags=["insights: ai"])

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


class GenerateBody(BaseModel):
    """Types are checked here; ranges (max_tokens per model, temperature 0-2, non-empty prompt, known model) by
    the LLM service, whose 400 names the field and, for a model, lists the valid ids."""

    model_config = ConfigDict(extra="forbid")
    prompt: Annotated[str, Field(max_length=100_000, strict=True)]
    model: Annotated[str, Field(min_length=1, max_length=200, strict=True)] | None = None
    max_tokens: Annotated[int, Field(strict=True)] = 512
    temperature: Annotated[float, Field(strict=True)] = 0.7
    system_prompt: Annotated[str, Field(max_length=20_000, strict=True)] | None = None
    stream: Annotated[bool, Field(strict=True)] = False
    context: FreeForm = Field(default_factory=dict)


@router.get("/providers", response_model=Ok[ProviderListV1], response_model_exclude_unset=True)
async def providers(caller: Caller, gw: GatewayDep) -> dict[str, Any]:
    found = await gw.clients.ai.providers(caller)
    found.pop("turn_settings", None)  # for seed 004 /admin/settings; not a seed 000 field
    return ok(found)


GENERATED = {
    "model": Ok[GenerateResultV1],
    "description": "The generation; with `stream: true`, server-sent `delta` events, then one `result` event",
    # One item per server-sent event: `delta` (a GenerationDelta.v1), then `result` (the JSON body) or `error`.
    "content": {
        "text/event-stream": {
            "itemSchema": {
                "type": "object",
                "required": ["event", "data"],
                "properties": {
                    "event": {"type": "string", "enum": ["delta", "result", "error"]},
                    "data": {"type": "string"},
                },
            }
        }
    },
}


@router.post("/generate", response_model=None, description=__doc__, responses={200: GENERATED})
async def generate(body: GenerateBody, caller: Caller, gw: GatewayDep, request: Request) -> dict[str, Any] | Response:
    fields = body.model_dump(exclude_none=True, exclude={"stream"})
    client = gw.clients.ai
    if not body.stream:
        return ok(await client.generate(caller, fields))
    events = client.generate_stream(caller, fields)
    try:
        # Wait for the first piece before answering, so a bad input or an outage is still a plain JSON error.
        first = await anext(events)
    except BaseException:
        await events.aclose()
        raise
    return StreamingResponse(_sse(request, first, events), media_type="text/event-stream", headers=SSE_HEADERS)


def sse_event(name: str, data: bytes) -> bytes:
    """One server-sent event; `data` is compact JSON, so it never spans lines."""
    return b"event: " + name.encode() + b"\ndata: " + data + b"\n\n"


def _encode(item: GenerationDeltaV1 | GenerateResultV1) -> bytes:
    if isinstance(item, GenerationDeltaV1):
        return sse_event("delta", orjson.dumps(item.model_dump(mode="json")))
    return sse_event("result", orjson.dumps(ok(result_data(item))))


async def _sse(
    request: Request,
    first: GenerationDeltaV1 | GenerateResultV1,
    rest: AsyncGenerator[GenerationDeltaV1 | GenerateResultV1, None],
) -> AsyncIterator[bytes]:
    """The events of one generation; closing the response (client gone) stops waiting on the bus at once."""
    async with contextlib.aclosing(rest):
        yield _encode(first)
        try:
            async for item in rest:
                yield _encode(item)
        except DomainError as exc:
            # The status line is already sent: the failure goes out as the dialect's error body in an event.
            yield sse_event("error", bytes(DIALECT.domain_error(request, exc).body))
