"""Builds the privacy service: vault keys, PII vault, shared Presidio analyzer, bus subscription on privacy.commands."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from libs.bus import build_topic_handler
from libs.bus.base import Bus
from libs.observability import HealthState, get_logger
from libs.runtime import Service, make_bus, open_service_store
from libs.store import DocumentStore
from services.privacy.batching import AnonymizeBatcher
from services.privacy.handlers import HANDLERS, AnalyzerProvider, anonymize_text
from services.privacy.pii import get_analyzer
from services.privacy.settings import PrivacySettings, parse_vault_keys
from services.privacy.store import PiiVault, generate_key

NAME = "privacy"
LOCAL_KEY_FILE = "vault.keys"
log = get_logger(NAME)


def vault_keys(settings: PrivacySettings) -> tuple[dict[str, str], str]:
    """The configured keys, or (local runs) a key generated on first start and kept 0600 in the data folder."""
    if settings.vault_keys:
        return parse_vault_keys(settings.vault_keys)
    path = Path(settings.platform.data_dir) / NAME / LOCAL_KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            # O_EXCL + mode at creation: the key is never readable by others, and two processes starting at
            # once cannot both write one (the loser reads the winner's key below).
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(f"local1:{generate_key()}\n")
            log.info("vault_key.generated", path=str(path))
    return parse_vault_keys(path.read_text().strip())


def bootstrap(
    settings: PrivacySettings,
    *,
    bus: Bus | None = None,
    store: DocumentStore | None = None,
    analyzer: AnalyzerProvider | None = None,
) -> Service:
    bus = bus or make_bus(settings.platform, NAME)
    store = store or open_service_store(settings.platform, NAME)
    keys, active = vault_keys(settings)
    vault = PiiVault(store, keys, active)
    provider = analyzer or get_analyzer
    batcher = AnonymizeBatcher(provider)
    deps = {"batcher": batcher, "vault": vault, "deanonymize_roles": frozenset(settings.deanonymize_roles)}
    bus.subscribe(
        "privacy.commands", group=settings.consumer_group, handler=build_topic_handler(bus, HANDLERS, deps=deps)
    )

    async def prepare() -> None:
        await vault.ensure_indexes()
        if settings.warm_model_on_start:
            # Load spaCy and run one text through every recognizer before joining the group, so the first
            # command does not pay the ~1 s model load.
            await asyncio.to_thread(anonymize_text, "Warm up, Anna Smith, +1 555 123 4567.", False, provider)

    async def store_up() -> bool:
        return await store.ping()

    async def bus_up() -> bool:
        return bus.healthy

    health = HealthState(NAME, checks={"bus": bus_up, "store": store_up})
    return Service(name=NAME, bus=bus, health=health, on_start=[prepare], on_stop=[store.close])
