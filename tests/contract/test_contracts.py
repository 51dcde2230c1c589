"""contracts/ is well-formed, the generated models and AsyncAPI are up to date, and code uses only declared types."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from libs.contracts import generate
from libs.contracts.registry import CLASS_RE, CONTRACTS_DIR, TYPE_RE, ContractRegistry, ContractViolation
from libs.errors import PermanentError

REPO = CONTRACTS_DIR.parent
SCHEMA_FILES = sorted(CONTRACTS_DIR.glob("*/*.v*.json"))
SHARED_FILES = sorted(p for p in CONTRACTS_DIR.glob("*/*.json") if ".v" not in p.name)
TOPIC_RE = re.compile(r"^[a-z][a-z0-9_]*\.(commands|events)$")


@pytest.fixture(scope="module")
def registry() -> ContractRegistry:
    return ContractRegistry(CONTRACTS_DIR)


def _objects(node: Any, path: str = "#") -> list[tuple[str, dict[str, Any]]]:
    """Every object schema inside `node` with its JSON pointer (a nullable object, type [object, null], too)."""
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(node, dict):
        kind = node.get("type")
        if kind == "object" or (isinstance(kind, list) and "object" in kind) or "properties" in node:
            found.append((path, node))
        for key, value in node.items():
            found += _objects(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _objects(value, f"{path}/{i}")
    return found


@pytest.mark.parametrize("path", SCHEMA_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_schema_is_valid_strict_draft_2020_12(path: Path) -> None:
    schema = yaml.safe_load(path.read_text())
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert re.fullmatch(r"[A-Z][A-Za-z0-9]*\.v[1-9][0-9]*\.json", path.name), "name files <Type>.v<N>.json"
    assert schema["title"] == path.name.removesuffix(".json").replace(".v", "V")
    assert schema.get("type") == "object", "a message is a JSON object"
    for pointer, obj in _objects(schema):
        if "properties" in obj:  # records are closed; a free-form map says so explicitly
            assert obj.get("additionalProperties") is False, f"{pointer}: additionalProperties must be false"
        else:
            assert "additionalProperties" in obj, f"{pointer}: a map must declare additionalProperties"
    refs = re.findall(r'"\$ref":\s*"([^"]+)"', path.read_text())
    shared = re.compile(r"^\.\./common/[A-Z][A-Za-z0-9]*\.json$")
    assert all(ref.startswith("#/$defs/") or shared.match(ref) for ref in refs), "local $defs or ../common/<Name>.json"


@pytest.mark.parametrize("path", SHARED_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_shared_definition_is_a_named_schema_in_common(path: Path) -> None:
    """A vocabulary or record shared by several messages lives once, in contracts/common/<Name>.json."""
    schema = yaml.safe_load(path.read_text())
    Draft202012Validator.check_schema(schema)
    assert path.parent.name == "common" and schema["title"] == path.name.removesuffix(".json")
    assert schema.get("description"), "say what the shared definition means"


def test_topics_declare_only_known_types_and_every_type_travels_somewhere(registry: ContractRegistry) -> None:
    declared: set[str] = set(registry.reply_topics.messages)
    for spec in registry.topics():
        assert TOPIC_RE.match(spec.name), f"{spec.name}: topics are <domain>.commands or <domain>.events"
        assert spec.partitions >= 1 and spec.key and spec.producer and spec.messages
        declared |= set(spec.messages) | set(spec.replies)
    assert declared <= set(registry.types()), f"no schema for {declared - set(registry.types())}"
    assert set(registry.types()) <= declared, f"on no topic: {set(registry.types()) - declared}"


def test_every_command_has_exactly_one_declared_reply_on_its_own_topic(registry: ContractRegistry) -> None:
    """`bus.ask` takes topic and reply type from here: each command of a request/reply topic maps to one reply."""
    raw = yaml.safe_load((CONTRACTS_DIR / "topics.yaml").read_text(encoding="utf-8"))["topics"]
    for spec in registry.topics():
        declared = raw[spec.name].get("replies") or {}
        if spec.name.endswith(".events"):
            assert not declared, f"{spec.name}: events are not answered"
            continue
        assert isinstance(declared, dict), f"{spec.name}: replies map each command to its reply"
        assert sorted(declared) == sorted(spec.messages), f"{spec.name}: every command, and only those, has a reply"
        for command in spec.messages:
            reply = registry.reply_of(command)
            assert reply.topic == spec.name, f"{command}: declared on {reply.topic} and {spec.name}"
            assert registry.topic_of(command) == spec.name
            assert isinstance(reply.reply, str), f"{command}: exactly one reply type"
            for reply_type in reply.types:
                assert registry.knows(reply_type), f"{command}: no schema for its reply {reply_type}"
                assert reply_type in registry.reply_types() and reply_type not in spec.messages
    assert registry.reply_of("conversation.Generate.v1").stream == "conversation.GenerationDelta.v1"
    with pytest.raises(ContractViolation):
        registry.reply_of("conversation.MessageReplied.v1")  # an event


def test_a_replies_list_that_does_not_say_which_command_gets_which_is_refused(tmp_path: Path) -> None:
    (tmp_path / "topics.yaml").write_text(
        yaml.safe_dump({"topics": {"x.commands": {"messages": ["a.B.v1"], "replies": ["a.C.v1"]}}})
    )
    with pytest.raises(ContractViolation, match="must map each command"):
        ContractRegistry(tmp_path)


def test_every_type_has_its_generated_model_and_maps_back(registry: ContractRegistry) -> None:
    for message_type in registry.types():
        model = registry.model_for(message_type)
        assert registry.type_of(model) == message_type
        assert model.model_config.get("extra") == "forbid"


def test_registry_validates_and_rejects_with_a_permanent_error(registry: ContractRegistry) -> None:
    registry.validate("common.ErrorReply.v1", {"code": "not_found", "message": "m", "details": {}})
    with pytest.raises(ContractViolation) as caught:
        registry.validate("common.ErrorReply.v1", {"code": "x", "message": "m", "details": {}, "extra": 1})
    assert isinstance(caught.value, PermanentError)
    with pytest.raises(ContractViolation):
        registry.model_for("nothing.Missing.v1")
    assert registry.reply_topics.matches("gateway.replies.abc123")
    assert not registry.reply_topics.matches("gateway.replies.a.b")
    registry.check_topic("gateway.replies.abc123", "common.ErrorReply.v1")


def test_generated_files_are_up_to_date_and_the_check_detects_drift(tmp_path: Path) -> None:
    assert generate.main(["--check"]) == 0, "run `make contracts` (python -m libs.contracts.generate)"
    outputs = generate.render_all(CONTRACTS_DIR)
    assert outputs == generate.render_all(CONTRACTS_DIR), "generation is deterministic"
    generate.write_tree(outputs, tmp_path)
    assert generate.check(outputs, tmp_path) == []
    (tmp_path / generate.ASYNCAPI_PATH).write_text("edited by hand\n")
    (tmp_path / generate.MODELS_DIR / "gone.py").write_text("")
    assert generate.check(outputs, tmp_path) == [
        str(generate.ASYNCAPI_PATH),
        f"{generate.MODELS_DIR / 'gone.py'} (stale)",
    ]


def test_asyncapi_covers_every_topic_and_all_its_refs_resolve(registry: ContractRegistry) -> None:
    doc = yaml.safe_load((REPO / generate.ASYNCAPI_PATH).read_text())
    assert doc["asyncapi"] == "3.0.0"
    for spec in registry.topics():
        assert {spec.name, spec.dlq} <= set(doc["channels"])
    assert set(doc["components"]["messages"]) == set(registry.types())

    def resolve(ref: str) -> Any:
        node: Any = doc
        for part in ref.removeprefix("#/").split("/"):
            node = node[part]
        return node

    refs = re.findall(r"\$ref: '([^']+)'", (REPO / generate.ASYNCAPI_PATH).read_text())
    assert refs
    for ref in refs:
        resolve(ref)


def _python_files() -> list[Path]:
    return [
        p
        for root in ("services", "libs")
        for p in sorted((REPO / root).rglob("*.py"))
        if "libs/contracts/models" not in p.as_posix()
    ]


def test_every_contract_model_and_type_string_used_in_code_is_declared(registry: ContractRegistry) -> None:
    """Drift guard: code may only import generated models, name types and name topics that contracts/ declares."""
    problems: list[str] = []
    topics = {spec.name for spec in registry.topics()}
    for path in _python_files():
        where = path.relative_to(REPO)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("libs.contracts.models."):
                module = importlib.import_module(node.module or "")
                for alias in node.names:
                    model = getattr(module, alias.name, None)
                    if model is None:
                        problems.append(f"{where}: {node.module}.{alias.name} does not exist")
                    elif CLASS_RE.match(alias.name):
                        try:
                            registry.type_of(model)
                        except ContractViolation as exc:
                            problems.append(f"{where}: {exc}")
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                if TYPE_RE.match(node.value) and not registry.knows(node.value):
                    problems.append(f"{where}: message type {node.value!r} has no schema")
                if TOPIC_RE.match(node.value) and node.value not in topics:
                    problems.append(f"{where}: topic {node.value!r} is not in topics.yaml")
    assert problems == []


def test_dump_drops_none_for_absent_fields_but_keeps_nulls_the_schema_requires(tmp_path: Path) -> None:
    """`None` means "not given" for optional fields, but a required nullable field must travel as null."""
    from pydantic import BaseModel

    domain = tmp_path / "demo"
    domain.mkdir()
    (tmp_path / "topics.yaml").write_text("topics: {}\n")
    (domain / "Thing.v1.json").write_text(
        """{"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "ThingV1", "type": "object",
        "additionalProperties": false, "required": ["owner"],
        "properties": {"owner": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                       "note": {"type": "string", "maxLength": 3},
                       "items": {"type": "array", "items": {"type": "object", "additionalProperties": false,
                                 "properties": {"tag": {"type": "string"}}}}}}"""
    )
    registry = ContractRegistry(tmp_path)

    class Item(BaseModel):
        tag: str | None = None

    class Thing(BaseModel):
        owner: str | None
        note: str | None = None
        items: list[Item] = []

    data = registry.dump("demo.Thing.v1", Thing(owner=None, note=None, items=[Item()]))
    assert data == {"owner": None, "items": [{}]}
    assert registry.dump("demo.Thing.v1", Thing(owner="a", note="n")) == {"owner": "a", "note": "n", "items": []}
    with pytest.raises(ContractViolation):
        registry.dump("demo.Thing.v1", Thing(owner="a", note="too long"))


def test_a_patch_carries_exactly_the_fields_set_its_nulls_included() -> None:
    """UpdateCompanyConfig is a patch (x-patch): a null clears the field, an unset field is left alone."""
    from libs.contracts.models.escalation import CsSettingsPatch, UpdateCompanyConfigV1

    patch = CsSettingsPatch.model_validate({"tiers": {"human_agent": {"escalation_phone": None}}})
    data = ContractRegistry().dump("escalation.UpdateCompanyConfig.v1", UpdateCompanyConfigV1(patch=patch))
    assert data == {"patch": {"tiers": {"human_agent": {"escalation_phone": None}}}}


# The files that wire subscriptions (a service's bootstrap; the gateway's fan-out wires its own in service.py).
TOPIC_WIRING = {"bootstrap.py", "services/gateway/fanout/service.py"}
TOPIC_LITERAL_RE = re.compile(r"^[a-z][a-z0-9_]*\.(commands|events|replies)(\.|$)")


def test_services_name_topics_only_in_their_bootstrap_wiring() -> None:
    """Requests, replies and events take their topic from topics.yaml (`bus.ask`, `bus.emit`, `publish(event)`);
    a topic string is written only where a subscription is wired."""
    found = []
    for path in sorted((REPO / "services").rglob("*.py")):
        where = path.relative_to(REPO).as_posix()
        if path.name in TOPIC_WIRING or where in TOPIC_WIRING:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and TOPIC_LITERAL_RE.match(node.value):
                found.append(f"{where}:{node.lineno}: {node.value!r}")
    assert found == []
