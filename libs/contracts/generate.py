"""Reads contracts/ and writes libs/contracts/models/<domain>.py and contracts/asyncapi.yaml (`--check`: diff only).

Usage: python -m libs.contracts.generate [--check]
"""

from __future__ import annotations

import argparse
import copy
import filecmp
import json
import re
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any

from libs.contracts.asyncapi import render_asyncapi
from libs.contracts.registry import CONTRACTS_DIR, ContractRegistry
from libs.contracts.shared import SharedRefError, bundle

REPO_ROOT = CONTRACTS_DIR.parent
MODELS_DIR = Path("libs/contracts/models")
ASYNCAPI_PATH = Path("contracts/asyncapi.yaml")
LOCAL_REF = "#/$defs/"

MODELS_INIT = '"""Pydantic models generated from contracts/ by libs.contracts.generate (one module per domain)."""\n'
MODULE_HEADER = (
    '"""Models of the {domain} messages, generated from contracts/{domain}/ by libs.contracts.generate.\n\n'
    "Never edit by hand: change the JSON Schema (a breaking change is a new .vN file) and run `make contracts`.\n"
    '"""'
)


class ContractError(Exception):
    """contracts/ is inconsistent (bad names, clashing definitions, unsupported references)."""


def domain_schema(domain_dir: Path) -> dict[str, Any]:
    """One schema whose $defs hold every message of the domain and their nested object definitions."""
    defs: dict[str, Any] = {}
    origin: dict[str, str] = {}
    for path in sorted(domain_dir.glob("*.v*.json")):
        try:  # shared vocabularies (contracts/common/<Name>.json) become local $defs first
            schema = bundle(json.loads(path.read_text(encoding="utf-8")), path.parent)
        except SharedRefError as exc:
            raise ContractError(f"{path}: {exc}") from None
        title = schema.get("title")
        expected = path.name.removesuffix(".json").replace(".v", "V")
        if title != expected:
            raise ContractError(f"{path}: title must be {expected!r}, found {title!r}")
        nested = schema.pop("$defs", {})
        for key in ("$schema", "$id"):
            schema.pop(key, None)
        schema = _inline_scalar_defs(schema, nested)
        entries = {title: schema} | {
            name: _inline_scalar_defs(d, nested) for name, d in nested.items() if _is_object(d)
        }
        for name, definition in entries.items():
            if name in defs and defs[name] != definition:
                raise ContractError(f"{path}: definition {name!r} differs from the one in {origin[name]}")
            defs[name], origin[name] = definition, path.name
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$defs": dict(sorted(defs.items()))}


def _is_object(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "object" or "properties" in schema


def _inline_scalar_defs(node: Any, defs: dict[str, Any]) -> Any:
    """Replace refs to non-object definitions (enums, constrained strings) by their body: no RootModel classes."""
    if isinstance(node, list):
        return [_inline_scalar_defs(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str):
        if not ref.startswith(LOCAL_REF):
            raise ContractError(f"only local refs ({LOCAL_REF}...) are supported, found {ref!r}")
        name = ref.removeprefix(LOCAL_REF)
        if name not in defs:
            raise ContractError(f"dangling reference {ref!r}")
        if not _is_object(defs[name]):
            body = {k: v for k, v in copy.deepcopy(defs[name]).items() if k != "title"}
            siblings = {k: v for k, v in node.items() if k != "$ref"}
            return _inline_scalar_defs(body | siblings, defs)
    return {key: _inline_scalar_defs(value, defs) for key, value in node.items()}


_ROOT_ANY = re.compile(r"\nclass Model\(RootModel\[Any\]\):\n    root: Any\n")
# A RootModel over a scalar becomes a plain Annotated alias, so list items stay `str`, not wrapper objects.
_SCALAR_ROOT = re.compile(
    r'\nclass (\w+)\(RootModel\[[^\n]*\]\):\n    root: ([^\n]+)\n(    """\n(?:    [^\n]*\n)*?    """\n)?'
)


def render_models(domain: str, schema: dict[str, Any]) -> str:
    """Python source of the domain's pydantic v2 models (deterministic for a given schema)."""
    from datamodel_code_generator import DataModelType, InputFileType, LiteralType, PythonVersion, generate

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        source = generate(
            json.dumps(schema),
            input_file_type=InputFileType.JsonSchema,
            output_model_type=DataModelType.PydanticV2BaseModel,
            target_python_version=PythonVersion.PY_311,
            disable_timestamp=True,
            enum_field_as_literal=LiteralType.All,
            use_title_as_name=True,
            field_constraints=True,
            use_annotated=True,
            use_standard_collections=True,
            use_union_operator=True,
            use_schema_description=True,
            use_field_description=True,
            use_double_quotes=True,
            collapse_root_models=True,
            formatters=[],  # external formatters change with their versions; the pinned generator alone is stable
            custom_file_header=MODULE_HEADER.format(domain=domain),
        )
    if not isinstance(source, str):
        raise ContractError(f"datamodel-code-generator returned no single module for {domain!r}")
    source = _ROOT_ANY.sub("\n", source)
    source = _SCALAR_ROOT.sub(lambda m: f"\n{m[1]} = {m[2]}\n", source)
    if "RootModel[" not in source:
        source = re.sub(r"\bRootModel, |, RootModel\b", "", source)
    return re.sub(r"\n{3,}(?=\w+ = )", "\n\n\n", source).rstrip() + "\n"


def render_all(root: Path = CONTRACTS_DIR) -> dict[Path, str]:
    """Every generated file, keyed by its path relative to the repository root."""
    outputs: dict[Path, str] = {MODELS_DIR / "__init__.py": MODELS_INIT}
    for domain_dir in sorted(p for p in root.iterdir() if p.is_dir() and any(p.glob("*.v*.json"))):
        outputs[MODELS_DIR / f"{domain_dir.name}.py"] = render_models(domain_dir.name, domain_schema(domain_dir))
    outputs[ASYNCAPI_PATH] = render_asyncapi(ContractRegistry(root))
    return outputs


def write_tree(outputs: dict[Path, str], base: Path) -> None:
    for rel, content in outputs.items():
        target = base / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")


def stale_models(outputs: dict[Path, str], base: Path) -> list[Path]:
    """Generated model modules on disk whose domain no longer exists."""
    return [p.relative_to(base) for p in sorted((base / MODELS_DIR).glob("*.py")) if p.relative_to(base) not in outputs]


def check(outputs: dict[Path, str], base: Path) -> list[str]:
    """Paths (relative) whose content on disk differs from a fresh generation into a temp dir."""
    with tempfile.TemporaryDirectory() as tmp:
        write_tree(outputs, Path(tmp))
        differ = [
            str(rel)
            for rel in outputs
            if not (base / rel).is_file() or not filecmp.cmp(Path(tmp) / rel, base / rel, shallow=False)
        ]
    return differ + [f"{p} (stale)" for p in stale_models(outputs, base)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m libs.contracts.generate", description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 when generated files are out of date")
    args = parser.parse_args(argv)
    try:
        outputs = render_all(CONTRACTS_DIR)
    except ContractError as exc:
        print(f"contracts: {exc}", file=sys.stderr)
        return 2
    if args.check:
        differ = check(outputs, REPO_ROOT)
        for stale in differ:
            print(f"out of date: {stale}", file=sys.stderr)
        if differ:
            print("run `make contracts` (python -m libs.contracts.generate) and commit the result", file=sys.stderr)
        return 1 if differ else 0
    write_tree(outputs, REPO_ROOT)
    for path in stale_models(outputs, REPO_ROOT):
        (REPO_ROOT / path).unlink()
    print(f"generated {len(outputs)} files from {CONTRACTS_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
