"""Writes switchboard_sdk/namespaces.py: a sync and an async class per seed API, typed by the OpenAPI document.

The request builders in switchboard_sdk/resources/ are read as source (ast), never imported, so a stale generated
file cannot stop its own regeneration. Each `@operation(method, path[, items=...])` method becomes one method per
class with the builder's own signature, returning the generated model of the operation's success body (or, with
`items`, a `Pages`/`AsyncPages` of the listing's item model).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

RESOURCES = Path(__file__).resolve().parent / "switchboard_sdk" / "resources"
# The client's attribute order; one module per API under resources/.
APIS = ("insights", "support_agent", "tiered_cs", "kb_platform", "crm_chat")


def class_name(schema: str) -> str:
    """datamodel-code-generator's class for a component: `Ok_LoginOut_` -> `OkLoginOut`."""
    return "".join(part[:1].upper() + part[1:] for part in schema.split("_") if part)


def _ref_name(schema: dict[str, Any]) -> str | None:
    for candidate in [schema, *schema.get("anyOf", []), *schema.get("allOf", [])]:
        if "$ref" in candidate:
            return str(candidate["$ref"]).rsplit("/", 1)[1]
    return None


def success_schema(doc: dict[str, Any], method: str, path: str) -> str | None:
    """The component name of `method path`'s JSON success body, None when it has none (an HTML page)."""
    operation = doc["paths"][path][method.lower()]
    success = next((v for k, v in sorted(operation["responses"].items()) if k.startswith("2")), {})
    return _ref_name(success.get("content", {}).get("application/json", {}).get("schema", {}))


def item_schema(doc: dict[str, Any], page: str, items: tuple[str, ...]) -> str | None:
    """The component of the items found at `items` (keys, outermost first) inside the page component."""
    schema: dict[str, Any] = doc["components"]["schemas"][page]
    for key in items:
        prop = schema.get("properties", {}).get(key, {})
        name = _ref_name(prop)
        schema = doc["components"]["schemas"][name] if name else prop
    return _ref_name(schema.get("items", {}))


# How a builder's source shows its HTTP method when it does not spell it: the module's helpers.
_IMPLIED_METHOD = {"_post(": "POST", "_pages(": "GET", "PageSpec(": "GET"}


def check_builder(name: str, source: str, method: str, path: str) -> None:
    """The builder sends what its `@operation` says, since that names the model its callers are typed with: its
    source holds the method and the path (ids and a configurable prefix such as `/cs` as `{...}`)."""
    template = re.sub(r"\{[^}]*\}", "{}", path)
    sent = re.sub(r"\{[^}]*\}", "{}", source)
    paths = (template, re.sub(r"^/[^/{]+", "{}", template))  # with the prefix as written, or as a placeholder
    methods = {m for hint, m in _IMPLIED_METHOD.items() if hint in source} | set(re.findall(r'"([A-Z]+)"', source))
    if not any(f'"{p}"' in sent for p in paths) or method not in methods:
        raise ValueError(f"{name}: @operation({method!r}, {path!r}) is not what the builder sends")


def _call_args(args: ast.arguments) -> str:
    """How the generated method hands its own parameters on to the builder."""
    parts = [a.arg for a in args.posonlyargs + args.args]
    parts += [f"*{args.vararg.arg}"] if args.vararg else []
    parts += [f"{a.arg}={a.arg}" for a in args.kwonlyargs]
    parts += [f"**{args.kwarg.arg}"] if args.kwarg else []
    return ", ".join(parts)


def _methods(node: ast.ClassDef, doc: dict[str, Any], asynchronous: bool, source: str) -> list[str]:
    lines: list[str] = []
    for fn in node.body:
        marks = [d for d in getattr(fn, "decorator_list", []) if isinstance(d, ast.Call)]
        mark = next((d for d in marks if isinstance(d.func, ast.Name) and d.func.id == "operation"), None)
        if mark is None or not isinstance(fn, ast.FunctionDef):
            continue
        method, path = (ast.literal_eval(a) for a in mark.args)
        items = next((ast.literal_eval(k.value) for k in mark.keywords if k.arg == "items"), ())
        check_builder(f"{node.name}.{fn.name}", ast.get_source_segment(source, fn) or "", method, path)
        page = success_schema(doc, method, path)
        target = item_schema(doc, page, items) if page and items else page
        model = f"m.{class_name(target)}" if target else "Any"
        parse = f"{model}.model_validate" if target else "raw"
        signature = ast.unparse(fn.args)
        built = f"self._requests.{fn.name}({_call_args(_without_self(fn.args))})"
        docstring = ast.get_docstring(fn)
        body = [f'        """{docstring}"""'] if docstring else []
        if items:
            kind = "AsyncPages" if asynchronous else "Pages"
            head = f"    def {fn.name}({signature}) -> {kind}[{model}]:"
            body.append(f"        return {kind}(self._transport, {built}, {parse})")
        else:
            head = f"    {'async ' if asynchronous else ''}def {fn.name}({signature}) -> {model}:"
            body.append(f"        return {'await ' if asynchronous else ''}self._send({built}, {parse})")
        lines += ["", head, *body]
    return lines


def _without_self(args: ast.arguments) -> ast.arguments:
    return ast.arguments(**{**args.__dict__, "args": args.args[1:]})


def render(doc: dict[str, Any], header: str) -> str:
    """The module's text (unformatted: generate.py runs ruff format over it)."""
    imports, classes = [], []
    for api in APIS:
        source = (RESOURCES / f"{api}.py").read_text()
        tree = ast.parse(source)
        node = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name.endswith("Requests"))
        imports.append(f"from switchboard_sdk.resources.{api} import {node.name}")
        name = node.name.removesuffix("Requests")
        summary = (ast.get_docstring(tree) or name).splitlines()[0]
        for asynchronous in (False, True):
            base = "AsyncNamespace" if asynchronous else "SyncNamespace"
            cls = f"Async{name}" if asynchronous else name
            classes += ["", "", f"class {cls}({base}[{node.name}]):", f'    """{summary}"""']
            classes += _methods(node, doc, asynchronous, source)
    text = "\n".join(classes)
    helpers = ["AsyncNamespace", "AsyncPages", "Body", "Pages", "SyncNamespace", "raw"]
    used = ", ".join(h for h in helpers if re.search(rf"\b{h}\b", text))
    out = [header, '"""The typed namespaces of `Switchboard` (sync) and `AsyncSwitchboard` (async), one per API."""']
    out += ["", "from __future__ import annotations", ""]
    out += ["from typing import Any", ""] if re.search(r"\bAny\b", text) else []
    out += ["from switchboard_sdk import models as m", f"from switchboard_sdk._resource import {used}"]
    return "\n".join([*out, *sorted(imports), text, ""])
