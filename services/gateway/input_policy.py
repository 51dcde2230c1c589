"""One bound for every free-form JSON object a client may send (metadata, context, preferences, data, config).

Such an object travels on the bus and into stores as it is, so it must fit what they take: a few KB, shallow, and
numbers a 64-bit store field and a JSON encoder hold. A request past any bound is a 400 in the dialect's envelope
naming the field (a pydantic error on the field), never a 500 further down.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

import orjson
from annotated_types import MaxLen, MinLen
from pydantic import AfterValidator, BaseModel, Field

MAX_BYTES = 64 * 1024  # serialized; far below the broker's 1 MB message limit, several fit one message
MAX_DEPTH = 16  # nested objects/arrays; orjson itself refuses more than 255
MAX_INT = 2**63 - 1  # the signed 64-bit range of SQLite, MongoDB (int64) and Kafka's JSON consumers
MIN_INT = -(2**63)
MAX_KEY_CHARS = 256
# Top-level keys of a free-form map, the contracts' `maxProperties`: it follows from MAX_BYTES (a key costs at least
# 4 bytes as JSON, `"":0`), checked first so a map of many tiny keys is named as such.
MAX_KEYS = MAX_BYTES // 4


def check_json(
    value: Any, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH, max_keys: int | None = None
) -> Any:
    """Raise ValueError (pydantic turns it into a field error) when `value` breaks a bound; return it otherwise.

    Walks iteratively, so a hostile nesting depth cannot exhaust the interpreter's recursion limit here.
    `max_keys`: the most top-level keys (a free-form map's `maxProperties` in the contracts).
    """
    if max_keys is not None and isinstance(value, dict) and len(value) > max_keys:
        raise ValueError(f"value: more than {max_keys} keys")
    stack: list[tuple[Any, tuple[str, ...]]] = [(value, ())]
    while stack:
        item, path = stack.pop()
        problem = _problem(item, len(path), max_depth)
        if problem:
            raise ValueError(f"{'.'.join(path) or 'value'}: {problem}")  # names where inside the object
        if isinstance(item, dict):
            stack.extend((child, (*path, str(key))) for key, child in item.items())
        elif isinstance(item, list):
            stack.extend((child, (*path, str(i))) for i, child in enumerate(item))
    try:
        encoded = orjson.dumps(value)
    except orjson.JSONEncodeError as exc:
        # JSON may escape a lone surrogate (e.g. "\\udb42" in a key) that no UTF-8 encoder downstream takes; pydantic
        # refuses it in str fields but not in the keys of a free-form object. A TypeError here would be a 500.
        raise ValueError("value: text must be valid Unicode (no lone surrogates)") from exc
    if len(encoded) > max_bytes:
        raise ValueError(f"value: larger than {max_bytes} bytes as JSON")
    return value


def _problem(item: Any, depth: int, max_depth: int) -> str | None:
    if isinstance(item, dict | list):
        if depth >= max_depth:
            return f"nested deeper than {max_depth} levels"
        if isinstance(item, dict) and any(len(str(k)) > MAX_KEY_CHARS for k in item):
            return f"keys are at most {MAX_KEY_CHARS} characters"
    elif isinstance(item, int) and not isinstance(item, bool) and not MIN_INT <= item <= MAX_INT:
        return "integers must fit in 64 bits"
    elif isinstance(item, float) and not math.isfinite(item):
        return "numbers must be finite"
    return None


def _bounded(value: Any) -> Any:
    return check_json(value, max_keys=MAX_KEYS)


def _bounded_rows(value: Any) -> Any:
    # A table of rows (fairness data) is one bus message too: bounded as a whole, below the broker's 1 MB.
    return check_json(value, max_bytes=MAX_ROWS_BYTES, max_depth=MAX_DEPTH)


MAX_ROWS_BYTES = 900 * 1024
# The type of every free-form request field: `metadata: FreeForm = Field(default_factory=dict)`.
FreeForm = Annotated[dict[str, Any], AfterValidator(_bounded)]
# A record's cells are scalars (the contract's AnalyzeFairness.v1 rows): a nested cell is a 400 naming the field.
# Smart union (the default): each cell keeps its JSON type (true stays a boolean, 4 an integer).
Cell = str | int | float | bool | None
FreeFormRows = Annotated[list[dict[str, Cell]], AfterValidator(_bounded_rows)]


def contract_length(message: type[BaseModel], field: str, *, strict: bool = True) -> Any:
    """A request field's Field() with the length limits of the message field it is copied into, so the gateway
    and the contract can never disagree (a value the contract refuses would otherwise be a 500 past validation)."""
    limits = message.model_fields[field].metadata
    min_length = next((m.min_length for m in limits if isinstance(m, MinLen)), None)
    return Field(min_length=min_length, max_length=contract_max_length(message, field), strict=strict)


def contract_max_length(message: type[BaseModel], field: str) -> int | None:
    """The longest value the message contract takes in `field` (None: unbounded), for a route that picks between
    messages at run time and so cannot put one contract's limit on its request model."""
    return next((m.max_length for m in message.model_fields[field].metadata if isinstance(m, MaxLen)), None)
