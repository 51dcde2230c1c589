"""Where a schema admits null: `ContractRegistry.dump` keeps a None only where the schema allows it."""

from __future__ import annotations

from typing import Any


def _resolve(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        return _resolve(defs.get(ref.removeprefix("#/$defs/"), {}), defs)
    return schema


def _allows_null(schema: dict[str, Any], defs: dict[str, Any]) -> bool:
    schema = _resolve(schema, defs)
    kind = schema.get("type")
    if kind == "null" or (isinstance(kind, list) and "null" in kind) or schema.get("const", 0) is None:
        return True
    if None in schema.get("enum", ()):
        return True
    return any(_allows_null(s, defs) for key in ("anyOf", "oneOf") for s in schema.get(key, ()))


def prune_nones(value: Any, schema: dict[str, Any], defs: dict[str, Any]) -> Any:
    """Drop None where the schema does not admit null (and the key is optional); recurse into objects/arrays."""
    schema = _resolve(schema, defs)
    branches = [_resolve(s, defs) for key in ("anyOf", "oneOf") for s in schema.get(key, ())]
    if isinstance(value, dict):
        obj = next((s for s in [schema, *branches] if "properties" in s), schema)
        if "properties" not in obj:
            # A map: a free-form one (metadata) is the producer's data, its Nones included; a typed one is pruned
            # by its value schema.
            values = obj.get("additionalProperties", True)
            if not isinstance(values, dict):
                return value
            keep = _allows_null(values, defs)
            return {k: prune_nones(v, values, defs) for k, v in value.items() if v is not None or keep}
        props, required = obj.get("properties", {}), set(obj.get("required", ()))
        return {
            k: prune_nones(v, props.get(k, {}), defs)
            for k, v in value.items()
            if v is not None or k in required or _allows_null(props.get(k, {}), defs)
        }
    if isinstance(value, list):
        arr = next((s for s in [schema, *branches] if "items" in s), schema)
        return [prune_nones(v, arr.get("items", {}), defs) for v in value]
    return value
