"""What every API namespace shares: request bodies validated by the generated models, typed sending, pagination.

Each seed API is written once, as a `...Requests` class in resources/ whose methods build `ApiRequest`s (or the
`PageSpec` of a listing) and carry `@operation(method, path template)`. From those, generate.py writes
namespaces.py: a sync and an async class per API with the same signatures and, as return types, the generated model
of each operation's success body, so a type checker sees `OkLoginOut` (sync) or an awaitable of it (async).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from switchboard_sdk._transport import ApiRequest, AsyncTransport, SyncTransport

F = TypeVar("F", bound=Callable[..., Any])
M = TypeVar("M", bound=BaseModel)
S = TypeVar("S")
T = TypeVar("T")
Body = BaseModel | Mapping[str, Any] | None
# (items on this page, the cursor of the next page or None at the end)
Extract = Callable[[Any], tuple[list[Any], int | None]]


def operation(method: str, path: str, *, items: tuple[str, ...] = ()) -> Callable[[F], F]:
    """Marks a request builder with the gateway operation it calls; `items` is where a listing's items sit.

    Read by generate.py (from the source, never imported there); at run time it changes nothing.
    """

    def mark(builder: F) -> F:
        return builder

    return mark


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


def raw(value: Any) -> Any:
    """The parser of an operation whose success body the OpenAPI document does not model: the JSON as sent."""
    return value


@dataclass(frozen=True)
class PageSpec:
    """A listing: the request for the page at a cursor, how to read items and the next cursor, the first cursor."""

    page: Callable[[int], ApiRequest]
    extract: Extract
    first: int


class SyncNamespace(Generic[S]):
    def __init__(self, transport: SyncTransport, requests: S) -> None:
        self._transport, self._requests = transport, requests

    def _send(self, req: ApiRequest, parse: Callable[[Any], T]) -> T:
        return parse(self._transport.call(req))


class AsyncNamespace(Generic[S]):
    def __init__(self, transport: AsyncTransport, requests: S) -> None:
        self._transport, self._requests = transport, requests

    async def _send(self, req: ApiRequest, parse: Callable[[Any], T]) -> T:
        return parse(await self._transport.call(req))


class Pages(Generic[T]):
    """Every item of a listing as its generated model, fetching page after page on demand (`for x in ...`)."""

    def __init__(self, transport: SyncTransport, spec: PageSpec, parse: Callable[[Any], T]) -> None:
        self._transport, self._spec, self._parse = transport, spec, parse

    def __iter__(self) -> Iterator[T]:
        cursor: int | None = self._spec.first
        while cursor is not None:
            items, cursor = self._spec.extract(self._transport.call(self._spec.page(cursor)))
            yield from (self._parse(item) for item in items)


class AsyncPages(Generic[T]):
    """The same for AsyncSwitchboard: `async for x in ...`."""

    def __init__(self, transport: AsyncTransport, spec: PageSpec, parse: Callable[[Any], T]) -> None:
        self._transport, self._spec, self._parse = transport, spec, parse

    async def __aiter__(self) -> AsyncIterator[T]:
        cursor: int | None = self._spec.first
        while cursor is not None:
            items, cursor = self._spec.extract(await self._transport.call(self._spec.page(cursor)))
            for item in items:
                yield self._parse(item)


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
