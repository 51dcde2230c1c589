"""Contract registry: reads contracts/ (topics.yaml + JSON Schemas) and validates, maps and types messages."""

from __future__ import annotations

import copy
import importlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import fastjsonschema
import yaml
from pydantic import BaseModel

from libs.contracts.nulls import prune_nones
from libs.contracts.shared import bundle
from libs.contracts.topics import (
    ContractViolation,
    ReplySpec,
    ReplyTopicSpec,
    TopicSpec,
    as_tuple,
    reply_map,
    reply_spec,
)

CONTRACTS_DIR = Path(__file__).resolve().parents[2] / "contracts"
MODELS_PACKAGE = "libs.contracts.models"

# `<domain>.<Type>.v<N>`: domain is a lower-case word (may hold underscores), Type is PascalCase.
TYPE_RE = re.compile(r"^(?P<domain>[a-z][a-z0-9_]*)\.(?P<name>[A-Z][A-Za-z0-9]*)\.v(?P<version>[1-9][0-9]*)$")
CLASS_RE = re.compile(r"^(?P<name>[A-Z][A-Za-z0-9]*?)V(?P<version>[1-9][0-9]*)$")


def type_parts(message_type: str) -> tuple[str, str, int]:
    """Split `sentiment.AnalyzeSentiment.v1` into ("sentiment", "AnalyzeSentiment", 1)."""
    m = TYPE_RE.match(message_type)
    if m is None:
        raise ContractViolation(f"malformed message type {message_type!r}", {"type": message_type})
    return m["domain"], m["name"], int(m["version"])


def class_name(message_type: str) -> str:
    """The generated model class name of a type: `AnalyzeSentimentV1`."""
    _, name, version = type_parts(message_type)
    return f"{name}V{version}"


def schema_path(root: Path, message_type: str) -> Path:
    domain, name, version = type_parts(message_type)
    return root / domain / f"{name}.v{version}.json"


@dataclass
class ContractRegistry:
    """Every message type and topic of contracts/; schemas compile lazily (fastjsonschema) on first use."""

    root: Path = CONTRACTS_DIR
    _schemas: dict[str, dict[str, Any]] = field(default_factory=dict, init=False, repr=False)
    _validators: dict[str, Callable[[Any], Any]] = field(default_factory=dict, init=False, repr=False)
    _topics: dict[str, TopicSpec] = field(default_factory=dict, init=False, repr=False)
    _reply: ReplyTopicSpec = field(default_factory=ReplyTopicSpec, init=False, repr=False)
    _models: dict[str, type[BaseModel]] = field(default_factory=dict, init=False, repr=False)
    _reply_types: frozenset[str] = field(default=frozenset(), init=False, repr=False)
    _replies: dict[str, ReplySpec] = field(default_factory=dict, init=False, repr=False)
    _homes: dict[str, list[str]] = field(default_factory=dict, init=False, repr=False)  # type -> its topics

    def __post_init__(self) -> None:
        self.root = Path(self.root)
        for path in sorted(self.root.glob("*/*.v*.json")):
            message_type = f"{path.parent.name}.{path.name.removesuffix('.json')}"
            type_parts(message_type)  # rejects badly named files early
            # Shared vocabularies (contracts/common/<Name>.json) are bundled in: every schema is self-contained.
            self._schemas[message_type] = bundle(json.loads(path.read_text(encoding="utf-8")), path.parent)
        raw = yaml.safe_load((self.root / "topics.yaml").read_text(encoding="utf-8")) or {}
        reply = raw.get("reply_topics") or {}
        self._reply = ReplyTopicSpec(
            pattern=reply.get("pattern", ReplyTopicSpec.pattern),
            partitions=int(reply.get("partitions", 1)),
            messages=tuple(reply.get("messages", ReplyTopicSpec.messages)),
        )
        for name, spec in (raw.get("topics") or {}).items():
            replies = [reply_spec(name, command, value) for command, value in reply_map(name, spec).items()]
            self._replies.update((r.command, r) for r in replies)
            messages = tuple(spec.get("messages") or ())
            for message_type in messages:
                self._homes.setdefault(message_type, []).append(name)
            self._topics[name] = TopicSpec(
                name=name,
                partitions=int(spec.get("partitions", 1)),
                key=str(spec.get("key", "")),
                messages=messages,
                replies=tuple(dict.fromkeys(t for r in replies for t in r.types)),
                producer=as_tuple(spec.get("producer")),
                consumers=as_tuple(spec.get("consumers")),
                description=str(spec.get("description", "")),
            )
        self._reply_types = frozenset(self._reply.messages).union(*(t.replies for t in self._topics.values()))

    # -- types ---------------------------------------------------------------------------------------
    def types(self) -> list[str]:
        return sorted(self._schemas)

    def knows(self, message_type: str) -> bool:
        return message_type in self._schemas

    def schema(self, message_type: str) -> dict[str, Any]:
        try:
            return self._schemas[message_type]
        except KeyError:
            raise ContractViolation(f"unknown message type {message_type!r}", {"type": message_type}) from None

    def validate(self, message_type: str, data: Any) -> None:
        """Raise ContractViolation unless `data` matches the schema of `message_type`."""
        validator = self._validators.get(message_type)
        if validator is None:
            # fastjsonschema rewrites the `$ref`s of the schema it is given into absolute URIs: compile a copy, so
            # `schema()` keeps its local refs (prune_nones in `dump` follows them).
            schema = copy.deepcopy(self.schema(message_type))
            validator = self._validators[message_type] = fastjsonschema.compile(schema)
        try:
            validator(data)
        except fastjsonschema.JsonSchemaValueException as exc:
            # The exception's message names the path and rule, never the offending value (it may be PII).
            raise ContractViolation(
                f"{message_type}: {exc.message}", {"type": message_type, "path": exc.name, "rule": exc.rule}
            ) from None

    def dump(self, message_type: str, message: BaseModel) -> dict[str, Any]:
        """`message` as JSON data that passes its schema (ContractViolation otherwise).

        Python code passes `None` for "not given"; the schema says absent. Dropping every None is right almost
        always and cheap; only when that breaks the schema (a required field that may be null) are the Nones
        kept exactly where the schema admits null. A patch (`"x-patch": true` in its schema) carries exactly the
        fields its producer set, a None included.
        """
        if self.schema(message_type).get("x-patch"):
            # A patch's None is a value (it clears the field), and its unset fields are what it leaves alone.
            data = message.model_dump(mode="json", exclude_unset=True)
            self.validate(message_type, data)
            return data
        data = message.model_dump(mode="json", exclude_none=True)
        try:
            self.validate(message_type, data)
        except ContractViolation:
            schema = self.schema(message_type)
            data = prune_nones(message.model_dump(mode="json"), schema, schema.get("$defs", {}))
            self.validate(message_type, data)
        return data

    def model_for(self, message_type: str) -> type[BaseModel]:
        """The generated pydantic model of `message_type`."""
        model = self._models.get(message_type)
        if model is None:
            self.schema(message_type)  # unknown types fail here with a clear error
            domain, _, _ = type_parts(message_type)
            module = importlib.import_module(f"{MODELS_PACKAGE}.{domain}")
            model = getattr(module, class_name(message_type), None)
            if model is None:
                raise ContractViolation(
                    f"no generated model for {message_type!r}; run `make contracts`", {"type": message_type}
                )
            self._models[message_type] = model
        return model

    def type_of(self, model: BaseModel | type[BaseModel]) -> str:
        """The message type string of a generated model class or instance."""
        cls = model if isinstance(model, type) else type(model)
        module = cls.__module__
        m = CLASS_RE.match(cls.__name__)
        if not module.startswith(MODELS_PACKAGE + ".") or m is None:
            raise ContractViolation(f"{cls.__qualname__} is not a generated contract model", {"class": cls.__name__})
        message_type = f"{module.rsplit('.', 1)[1]}.{m['name']}.v{m['version']}"
        if message_type not in self._schemas:
            raise ContractViolation(f"{message_type!r} has no schema in contracts/", {"type": message_type})
        return message_type

    # -- topics --------------------------------------------------------------------------------------
    def topics(self) -> list[TopicSpec]:
        return [self._topics[name] for name in sorted(self._topics)]

    def topic(self, name: str) -> TopicSpec:
        try:
            return self._topics[name]
        except KeyError:
            raise ContractViolation(f"undeclared topic {name!r}", {"topic": name}) from None

    def partitions(self, topic: str) -> int:
        """Partition count of a declared topic, its `.dlq` or a reply topic."""
        spec = self._topics.get(topic.removesuffix(".dlq"))
        if spec is not None:
            return spec.partitions
        if self._reply.matches(topic):
            return self._reply.partitions
        raise ContractViolation(f"undeclared topic {topic!r}", {"topic": topic})

    @property
    def reply_topics(self) -> ReplyTopicSpec:
        return self._reply

    def reply_types(self) -> frozenset[str]:
        """Every type that may travel on a reply topic."""
        return self._reply_types

    def reply_of(self, command_type: str) -> ReplySpec:
        """The command's topic and declared reply (ContractViolation for a type that is no request/reply command)."""
        try:
            return self._replies[command_type]
        except KeyError:
            raise ContractViolation(
                f"{command_type!r} declares no reply in topics.yaml", {"type": command_type}
            ) from None

    def commands(self) -> list[ReplySpec]:
        """Every request/reply command with its reply, by command type."""
        return [self._replies[t] for t in sorted(self._replies)]

    def topic_of(self, message_type: str) -> str:
        """The one topic `message_type` is declared on (ContractViolation when it is on none or several)."""
        homes = self._homes.get(message_type, [])
        if len(homes) != 1:
            raise ContractViolation(
                f"{message_type!r} is declared on {len(homes)} topics, not exactly one", {"type": message_type}
            )
        return homes[0]

    def check_topic(self, topic: str, message_type: str) -> None:
        """Raise ContractViolation unless `message_type` is declared on `topic` (reply topics: any reply type)."""
        spec = self._topics.get(topic)
        if spec is not None:
            allowed: frozenset[str] | tuple[str, ...] = spec.messages
        elif self._reply.matches(topic):
            allowed = self._reply_types
        else:
            raise ContractViolation(f"undeclared topic {topic!r}", {"topic": topic})
        if message_type not in allowed:
            raise ContractViolation(
                f"{message_type!r} is not declared on topic {topic!r}", {"topic": topic, "type": message_type}
            )


@lru_cache(maxsize=1)
def default_registry() -> ContractRegistry:
    """The process-wide registry over contracts/ (or $SWITCHBOARD_CONTRACTS_DIR), loaded on first use."""
    return ContractRegistry(Path(os.environ.get("SWITCHBOARD_CONTRACTS_DIR") or CONTRACTS_DIR))
