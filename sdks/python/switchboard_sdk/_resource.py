"""What every API namespace shares: request bodies validated by the generated models, and auto-pagination.

A namespace is written once and serves both clients: it returns the operation's response model (generated from
the gateway's OpenAPI document, see responses.py) for `Switchboard` and an awaitable of one for `AsyncSwitchboard`
(the type parameter `R`); an operation the document gives no JSON body (an HTML page) returns what was sent.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from functools import cache
from typing import Any, Generic, TypeVar, cast

from pydantic import BaseModel

from switchboard_sdk._transport import ApiRequest, AsyncTransport, SyncTransport
from switchboard_sdk.responses import RESPONSES

R = TypeVar("R")
M = TypeVar("M", bound=BaseModel)
Body = BaseModel | Mapping[str, Any] | None
# (items on this page, the cursor of the next page or None at the end)
Extract = Callable[[Any], tuple[list[Any], int | None]]


def body_of(model: type[M], body: Body, fields: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON body, checked against the gateway's own request schema before it leaves (pydantic ValidationError)."""
    merged: dict[str, Any] = {}
    if isinstance(body, BaseModel):
        merged = body.model_dump(mode="json", exclude_unset=True, by_alias=True)
    elif body is not None:
        merged = dict(body)
    merged.update(fields)
    checked = model.model_validate(merged)
    return checked.model_dump(mode="json", exclude_unset=True, by_alias=True)


class Resource(Generic[R]):
    def __init__(self, transport: SyncTransport | AsyncTransport) -> None:
        self._transport = transport

    def _call(self, req: ApiRequest) -> R:
        # Sync transports return the JSON value, async ones an awaitable of it: R names which, per client.
        model = response_model(req.method, req.path)
        answer = self._transport.call(req)
        if model is None:
            return cast(R, answer)
        if isinstance(self._transport, AsyncTransport):
            return cast(R, _parsed(model, answer))
        return cast(R, model.model_validate(answer))


async def _parsed(model: type[BaseModel], answer: Awaitable[Any]) -> BaseModel:
    return model.model_validate(await answer)


@cache
def _templates() -> list[tuple[str, re.Pattern[str], type[BaseModel]]]:
    # Literal paths before templated ones, so /crm/users never matches a /crm/users/{user_id}-like template.
    rows = sorted(RESPONSES.items(), key=lambda row: row[0][1].count("{"))
    found = []
    for (method, template), model in rows:
        pattern = re.escape(template)
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", pattern)
        found.append((method, re.compile(f"^{pattern}$"), model))
    return found


def response_model(method: str, path: str) -> type[BaseModel] | None:
    """The generated model of `method path`'s success body (path as sent: ids filled in), None if undeclared."""
    return next((model for m, rx, model in _templates() if m == method and rx.match(path)), None)


class Paginator:
    """Every item of a listing, fetching page after page on demand: `for x in ...` (sync) / `async for` (async)."""

    def __init__(
        self, transport: SyncTransport | AsyncTransport, page: Callable[[int], ApiRequest], extract: Extract, first: int
    ) -> None:
        self._transport, self._page, self._extract, self._first = transport, page, extract, first

    def __iter__(self) -> Iterator[Any]:
        if not isinstance(self._transport, SyncTransport):
            raise TypeError("use `async for` with AsyncSwitchboard")
        cursor: int | None = self._first
        while cursor is not None:
            items, cursor = self._extract(self._transport.call(self._page(cursor)))
            yield from items

    async def __aiter__(self) -> AsyncIterator[Any]:
        if not isinstance(self._transport, AsyncTransport):
            raise TypeError("use `for` with Switchboard")
        cursor: int | None = self._first
        while cursor is not None:
            items, cursor = self._extract(await self._transport.call(self._page(cursor)))
            for item in items:
                yield item


def offset_pages(key: str, limit: int, *, envelope: str | None = None) -> Extract:
    """Listings with `limit`/`offset`/`total` (seed 000 inside its `data` envelope, seed 002 at the top)."""

    def extract(body: Any) -> tuple[list[Any], int | None]:
        page = body.get(envelope, {}) if envelope else body
        items = list(page.get(key) or [])
        offset, total = int(page.get("offset", 0)), page.get("total")
        nxt = offset + len(items)
        more = bool(items) and (nxt < int(total) if total is not None else len(items) >= limit)
        return items, nxt if more else None

    return extract


def numbered_pages(body: Any) -> tuple[list[Any], int | None]:
    """Seed 004 listings: `data` items and `pagination: {page, pages}`."""
    items = list(body.get("data") or [])
    pagination = body.get("pagination") or {}
    page, pages = int(pagination.get("page", 1)), int(pagination.get("pages", 0))
    return items, page + 1 if items and page < pages else None
