"""Scratch contract registries for bus tests: the real schemas plus topics declared per test (unique names)."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from libs.contracts.registry import CONTRACTS_DIR, ContractRegistry

EVENT = "sentiment.SentimentAnalyzed.v1"
COMMAND = "sentiment.AnalyzeSentiment.v1"
RESULT = "sentiment.SentimentResult.v1"
# For the typed calls: a streaming command, an ordered-upload command (interim acknowledgements) and an event that
# is declared on one topic only (EVENT is on two).
GENERATE = "conversation.Generate.v1"
UPLOAD_PART = "rag.UploadPart.v1"
SINGLE_HOME_EVENT = "rag.KnowledgeChanged.v1"


def scratch_registry(root: Path, topics: dict[str, dict[str, object]]) -> ContractRegistry:
    """A registry over a copy of contracts/ whose topics.yaml declares exactly `topics`.

    `topics` maps a topic name to its spec, e.g. {"t.events": {"partitions": 3, "messages": [EVENT]}}.
    """
    root.mkdir(parents=True, exist_ok=True)
    for domain in CONTRACTS_DIR.iterdir():
        if domain.is_dir():
            shutil.copytree(domain, root / domain.name, dirs_exist_ok=True)
    spec = {
        "reply_topics": {
            "pattern": "{service}.replies.{instance}",
            "partitions": 1,
            "messages": ["common.ErrorReply.v1"],
        },
        "topics": {name: {"partitions": 1, "key": "test", **t} for name, t in topics.items()},
    }
    (root / "topics.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    return ContractRegistry(root)
