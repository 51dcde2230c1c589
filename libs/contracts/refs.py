"""Cross-file `$ref`s in contracts/: a schema may point at a shared file (`"$ref": "../common/Session.json"`);
`bundle` turns it into one self-contained schema whose `$defs` hold every file it reaches.

Why bundle instead of resolving at validation time: fastjsonschema, the AsyncAPI document and the model generator
all take one schema with local refs only, and a shared vocabulary (an enum, the session record) is then declared
once in contracts/common/ yet travels inside every message schema that uses it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

LOCAL_REF = "#/$defs/"


class RefError(ValueError):
    """A cross-file reference that cannot be bundled (missing file, outside contracts/, clashing definitions)."""


def bundle(schema: dict[str, Any], path: Path) -> dict[str, Any]:
    """`schema` (read from `path`) with every cross-file ref replaced by a local one; unchanged when it has none."""
    defs: dict[str, Any] = dict(schema.get("$defs") or {})
    body = {k: v for k, v in schema.items() if k != "$defs"}
    root = path.resolve().parent.parent  # contracts/: a ref never leaves it
    bundler = _Bundler(root, defs)
    body = bundler.rewrite(body, path.resolve().parent)
    for name in list(defs):
        defs[name] = bundler.rewrite(defs[name], path.resolve().parent)
    return {**body, "$defs": defs} if defs else body


class _Bundler:
    def __init__(self, root: Path, defs: dict[str, Any]) -> None:
        self.root = root
        self.defs = defs
        self.origin: dict[str, Path] = {}

    def rewrite(self, node: Any, base: Path) -> Any:
        if isinstance(node, list):
            return [self.rewrite(item, base) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        out = {k: self.rewrite(v, base) for k, v in node.items() if k != "$ref"}
        if isinstance(ref, str):
            out["$ref"] = ref if ref.startswith("#") else LOCAL_REF + self._include(base / ref)
        return out

    def _include(self, target: Path) -> str:
        """Load a referenced file into the root's $defs (once) and return its definition name (the file stem)."""
        target = target.resolve()
        if self.root not in target.parents or not target.is_file():
            raise RefError(f"reference to {target} is not a file under {self.root}")
        name = target.name.removesuffix(".json")
        if self.origin.get(name) == target:
            return name
        if name in self.defs and name not in self.origin:
            raise RefError(f"{target}: definition {name!r} clashes with a local one")
        self.origin[name] = target
        self.defs[name] = {}  # placeholder: a file that (indirectly) refers to itself stops here
        loaded = json.loads(target.read_text(encoding="utf-8"))
        for nested, definition in (loaded.pop("$defs", None) or {}).items():
            self._add(nested, self.rewrite(definition, target.parent), target)
        for key in ("$schema", "$id"):
            loaded.pop(key, None)
        self.defs[name] = self.rewrite(loaded, target.parent)
        return name

    def _add(self, name: str, definition: Any, target: Path) -> None:
        if name in self.defs and self.defs[name] != definition:
            raise RefError(f"{target}: definition {name!r} differs from one already bundled")
        self.defs[name] = definition
