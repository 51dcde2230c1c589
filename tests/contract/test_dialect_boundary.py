"""Dialects stay in the gateway: no service outside services/gateway/ knows a dialect's name, its error codes or
branches on which dialect a session came from. Behaviour differences travel as neutral command fields (a policy
profile such as PostMessage's `escalate_on_negative_sentiment`) and errors as typed DomainErrors that each dialect's
envelope maps to its own codes."""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
GATEWAY = REPO / "services" / "gateway"
DIALECTS = sorted(p.name for p in (GATEWAY / "dialects").iterdir() if (p / "__init__.py").exists())
# Seed 004 routes a message to a sales, support or general *agent*; that vocabulary shares one word with a dialect.
AGENT_NAMES = {"sales_agent", "support_agent", "general_agent"}
SEED_CODE = re.compile(r"^CS_\d{3}$")


def _service_files() -> list[Path]:
    return [p for p in sorted((REPO / "services").rglob("*.py")) if GATEWAY not in p.parents]


def _mentions_dialect(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Constant) and n.value == "dialect" for n in ast.walk(node))


def _problems(path: Path, root: Path = REPO) -> list[str]:
    where = path.relative_to(root).as_posix()
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            value = node.value
            if SEED_CODE.match(value) or value == "cs_code":
                found.append(f"{where}:{node.lineno}: seed error code {value!r}")
            elif value in DIALECTS and value not in AGENT_NAMES:
                found.append(f"{where}:{node.lineno}: dialect name {value!r}")
        elif isinstance(node, ast.Compare) and _mentions_dialect(node):
            found.append(f"{where}:{node.lineno}: branches on the session's dialect")
        elif isinstance(node, ast.Name) and "DIALECT" in node.id:
            found.append(f"{where}:{node.lineno}: {node.id}")
    return found


def test_the_gateway_declares_the_dialects_this_test_looks_for() -> None:
    assert {"tiered_cs", "support_agent", "kb_platform", "crm_chat", "insights"} <= set(DIALECTS)


def test_no_service_outside_the_gateway_knows_a_dialect() -> None:
    assert [problem for path in _service_files() for problem in _problems(path)] == []


def test_the_check_finds_each_kind_of_dialect_knowledge(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        'NEGATIVE_SENTIMENT_DIALECTS = frozenset({"tiered_cs"})\n'
        "def f(session, details):\n"
        '    details["cs_code"] = "CS_004"\n'
        '    return session.get("dialect") in NEGATIVE_SENTIMENT_DIALECTS\n'
    )
    problems = sorted(p.split(": ", 1)[1] for p in _problems(sample, tmp_path))
    assert problems == [
        "NEGATIVE_SENTIMENT_DIALECTS",
        "NEGATIVE_SENTIMENT_DIALECTS",
        "branches on the session's dialect",
        "dialect name 'tiered_cs'",
        "seed error code 'CS_004'",
        "seed error code 'cs_code'",
    ]


# camelCase is a seed's JSON vocabulary (seed 002's companyId, fromTier, aiGenerated): a service that writes such a
# key builds a reply or record in a seed's shape, which is the dialect's job in services/gateway/dialects/.
CAMEL_KEY = re.compile(r"^[a-z]+(?:[A-Z][a-z0-9]*)+$")
CAMEL_ALLOWED = {
    # Kubernetes' own manifest vocabulary (runAsNonRoot, ...), not a seed's.
    "services/training/kubernetes.py",
}


def _camel_keys(path: Path, root: Path = REPO) -> list[str]:
    """camelCase string keys a module writes or reads: dict literal keys, subscripts and .get() names."""
    where = path.relative_to(root).as_posix()
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        keys: list[ast.expr | None] = []
        if isinstance(node, ast.Dict):
            keys = list(node.keys)
        elif isinstance(node, ast.Subscript):
            keys = [node.slice]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
            keys = node.args[:1]
        found += [
            f"{where}:{node.lineno}: {key.value!r}"
            for key in keys
            if isinstance(key, ast.Constant) and isinstance(key.value, str) and CAMEL_KEY.match(key.value)
        ]
    return found


def test_no_service_outside_the_gateway_shapes_data_as_a_seed() -> None:
    files = [p for p in _service_files() if p.relative_to(REPO).as_posix() not in CAMEL_ALLOWED]
    assert [problem for path in files for problem in _camel_keys(path)] == []


def test_the_camel_case_check_finds_seed_shaped_keys(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "def view(t):\n"
        '    out = {"ticketId": t["ticket_id"], "status": t.get("currentStatus")}\n'
        '    return out["ticketId"], {"ok": 1}\n'
    )
    found = sorted(p.split(": ", 1)[1] for p in _camel_keys(sample, tmp_path))
    assert found == ["'currentStatus'", "'ticketId'", "'ticketId'"]


# A field name a dialect's request or response spells in camelCase (seed 002's targetTier, startDate): a service's
# error names the contract's own field (target_tier) and the dialect's envelope renders the caller's spelling.
WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")


def _dialect_field_names() -> set[str]:
    """camelCase names the dialects declare: model fields (class-level annotations) and string constants."""
    names: set[str] = set()
    for path in (GATEWAY / "dialects").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                names.add(node.target.id)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                names.update(WORD.findall(node.value))
    return {name for name in names if CAMEL_KEY.match(name)}


def _seed_field_mentions(path: Path, seed_fields: set[str], root: Path = REPO) -> list[str]:
    """Every string a module holds (error messages, details, a field name handed to a parser) that names one;
    docstrings may cite the seed they serve."""
    where = path.relative_to(root).as_posix()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)}
    return [
        f"{where}:{node.lineno}: {word!r}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs
        for word in WORD.findall(node.value)
        if word in seed_fields
    ]


def test_the_dialects_declare_the_field_names_this_test_looks_for() -> None:
    expected = {"issueCategory", "resolutionType", "startDate", "endDate", "targetTier", "currentTier", "companyId"}
    assert expected <= _dialect_field_names()


def test_no_service_error_names_a_dialects_field() -> None:
    seed_fields = _dialect_field_names()
    files = [p for p in _service_files() if p.relative_to(REPO).as_posix() not in CAMEL_ALLOWED]
    assert [problem for path in files for problem in _seed_field_mentions(path, seed_fields)] == []


def test_the_field_name_check_finds_a_seed_name_in_an_error(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "def check(target, start):\n"
        '    """A docstring may cite targetTier."""\n'
        '    bound = iso_bound(start, "startDate")\n'
        '    raise Invalid(f"targetTier must be higher than {target}", {"field": "target_tier", "x": "currentTier"})\n'
    )
    found = sorted(
        p.split(": ", 1)[1] for p in _seed_field_mentions(sample, {"startDate", "targetTier", "currentTier"}, tmp_path)
    )
    assert found == ["'currentTier'", "'startDate'", "'targetTier'"]
