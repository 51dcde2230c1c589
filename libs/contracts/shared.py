"""Shared definitions of contracts/: one file per vocabulary or record (`contracts/common/Tier.json`), referenced
from message schemas as `{"$ref": "../common/Tier.json"}` and bundled into each message's local `$defs` on load.

Why bundle: every consumer of a schema (fastjsonschema at the bus, the model generator, AsyncAPI, `prune_nones`)
then sees one self-contained document with local refs only, and a vocabulary is still written down once.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

LOCAL_REF = "#/$defs/"
_DROPPED = ("$schema", "$id")


class SharedRefError(ValueError):
    """A reference to a shared definition is dangling, malformed, or clashes with a local definition."""


def is_shared_ref(ref: str) -> bool:
    """A ref to another file of contracts/ (anything that is not a pointer into the same document)."""
    return not ref.startswith("#")


def bundle(schema: dict[str, Any], base: Path) -> dict[str, Any]:
    """A copy of `schema` (read from a file in `base`) with every shared ref replaced by a local `#/$defs/<Name>`.

    Shared files may reference further shared files (resolved relative to their own folder)."""
    out = copy.deepcopy(schema)
    local_defs: dict[str, Any] = out.pop("$defs", None) or {}
    local = set(local_defs)
    defs: dict[str, Any] = {}
    out = _rewrite(out, base, defs, local)
    local_defs = _rewrite(local_defs, base, defs, local)
    if local_defs or defs:
        out["$defs"] = {**local_defs, **defs}
    return out


def _rewrite(node: Any, base: Path, defs: dict[str, Any], local: set[str]) -> Any:
    if isinstance(node, list):
        return [_rewrite(item, base, defs, local) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and is_shared_ref(ref):
        name = _load_into(base / ref, defs, local)
        return {**{k: _rewrite(v, base, defs, local) for k, v in node.items() if k != "$ref"}, "$ref": LOCAL_REF + name}
    return {key: _rewrite(value, base, defs, local) for key, value in node.items()}


def _load_into(path: Path, defs: dict[str, Any], local: set[str]) -> str:
    """Add the shared definition at `path` to `defs` (once) and return its name (the file stem)."""
    path = path.resolve()
    name = path.name.removesuffix(".json")
    if not path.is_file():
        raise SharedRefError(f"dangling shared reference to {path}")
    if name in local:
        raise SharedRefError(f"shared definition {name!r} clashes with a local $defs entry of the same name")
    if name not in defs:
        body = json.loads(path.read_text(encoding="utf-8"))
        if body.get("title") != name:
            raise SharedRefError(f"{path}: title must be {name!r}, found {body.get('title')!r}")
        defs[name] = {}  # reserved first: a shared file that refers back to itself terminates
        # A shared record's own `$defs` (Session.json's SentimentPoint) join the message's, so its local refs resolve.
        for key, definition in (body.pop("$defs", None) or {}).items():
            rewritten = _rewrite(definition, path.parent, defs, local)
            if key in local or (key in defs and defs[key] != rewritten):
                raise SharedRefError(f"{path}: its definition {key!r} clashes with another of the same name")
            defs[key] = rewritten
        body = {k: v for k, v in body.items() if k not in _DROPPED}
        defs[name] = _rewrite(body, path.parent, defs, local)
    return name
