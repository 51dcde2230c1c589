"""Consumes privacy.commands (Anonymize, Deanonymize, AnalyzeFairness); replies; emits audit and PII-count events."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from libs.bus import Publisher
from libs.bus.base import MessageContext
from libs.bus.dispatch import HandlerFn
from libs.bus.envelope import derived_id
from libs.contracts.models.privacy import (
    AnalyzeFairnessV1,
    AnonymizeResultV1,
    AnonymizeV1,
    DeanonymizeResultV1,
    DeanonymizeV1,
    FairnessReportV1,
    PiiDetectedV1,
    VaultAccessedV1,
)
from libs.errors import Conflict, DomainError, Forbidden, NotFound
from libs.observability import get_logger
from services.privacy.batching import AnalyzerProvider, AnonymizeBatcher
from services.privacy.domain import AnonymizeResult, anonymize_detections, check_text, deanonymize
from services.privacy.fairness import DEFAULT_MIN_SAMPLE_SIZE, analyze_fairness
from services.privacy.pii import detect
from services.privacy.store import PiiVault

# The vault entry also seals the anonymized text under this key, so a token alone restores the whole original.
# Placeholders always look like "[NAME_1]", so this key can never clash with one.
TEXT_KEY = "$anonymized_text"

log = get_logger("privacy.handlers")


def anonymize_text(text: str, keep_mapping: bool, analyzer: AnalyzerProvider) -> AnonymizeResult:
    """Validate, detect and replace: the CPU-bound part, run in a worker thread."""
    check_text(text)
    return anonymize_detections(text, detect(text, analyzer()), keep_mapping=keep_mapping)


async def handle_anonymize(
    cmd: AnonymizeV1, *, ctx: MessageContext, batcher: AnonymizeBatcher, vault: PiiVault, publish: Publisher
) -> AnonymizeResultV1:
    check_text(cmd.text)
    # spaCy + regex recognizers are CPU-bound: batched with the other texts in flight, in a worker thread, so
    # replies and heartbeats keep flowing.
    result = await batcher.anonymize(cmd.text, bool(cmd.keep_mapping))
    token = None
    if cmd.store_originals and result.originals:
        # Derived from the command id: a redelivered command seals under the same token instead of a second one.
        token = f"pii_{derived_id(ctx.event_id, 'vault')}"
        try:
            await vault.put(ctx.tenant_id, token, {**result.originals, TEXT_KEY: result.anonymized_text})
        except Conflict:
            log.info("privacy.vault_entry_exists", token=token)  # the earlier delivery of this command sealed it
    counts = Counter(e["type"] for e in result.entities)
    await publish(
        PiiDetectedV1(
            counts=dict(counts), total=len(result.entities), stored=token is not None, source_request_id=ctx.event_id
        ),
    )
    log.info("privacy.anonymized", pii_total=len(result.entities), pii_types=sorted(counts), stored=token is not None)
    return AnonymizeResultV1.model_validate(
        {
            "anonymized_text": result.anonymized_text,
            "mapping": result.mapping,
            "pii_detected": result.pii_detected,
            "token": token,
            "entities": result.entities,
        }
    )


async def handle_deanonymize(
    cmd: DeanonymizeV1,
    *,
    ctx: MessageContext,
    vault: PiiVault,
    publish: Publisher,
    deanonymize_roles: Collection[str],
) -> DeanonymizeResultV1:
    """Open a vault entry for an authorised actor; every attempt, granted or not, is audited on privacy.events."""
    if not set(cmd.actor.roles).intersection(deanonymize_roles):
        await _audit(cmd, ctx, publish, "denied")
        required = sorted(r for r in deanonymize_roles if r != "service")
        raise Forbidden("Insufficient permissions", {"required_roles": required})
    if cmd.text is not None:
        check_text(cmd.text)
    try:
        stored = await vault.get(ctx.tenant_id, cmd.token)
    except NotFound:
        await _audit(cmd, ctx, publish, "not_found")
        raise
    except DomainError:
        await _audit(cmd, ctx, publish, "failed")
        raise
    stored_text = stored.pop(TEXT_KEY, "")
    text = deanonymize(cmd.text if cmd.text is not None else stored_text, stored)
    await _audit(cmd, ctx, publish, "granted", placeholders=len(stored))
    return DeanonymizeResultV1(token=cmd.token, text=text, originals=stored)


async def _audit(
    cmd: DeanonymizeV1, ctx: MessageContext, publish: Publisher, outcome: str, *, placeholders: int | None = None
) -> None:
    event: dict[str, Any] = {
        "token": cmd.token,
        "tenant_id": ctx.tenant_id,
        "actor_id": cmd.actor.id,
        "actor_kind": cmd.actor.kind,
        "actor_roles": sorted(cmd.actor.roles),
        "outcome": outcome,
        "placeholders": placeholders,
        "accessed_at": datetime.now(UTC),
        "source_request_id": ctx.event_id,
    }
    await publish(VaultAccessedV1.model_validate(event), key=cmd.token)
    log.info("privacy.vault_accessed", token=cmd.token, actor_id=cmd.actor.id, outcome=outcome)


async def handle_analyze_fairness(cmd: AnalyzeFairnessV1, *, ctx: MessageContext) -> FairnessReportV1:
    min_size = cmd.min_sample_size if cmd.min_sample_size is not None else DEFAULT_MIN_SAMPLE_SIZE
    # pandas/fairlearn work is CPU-bound: run it in a worker thread.
    report = await asyncio.to_thread(
        analyze_fairness, cmd.data, cmd.attributes, cmd.outcome_columns, min_sample_size=min_size
    )
    return FairnessReportV1.model_validate(report)


HANDLERS: dict[str, HandlerFn] = {
    "privacy.Anonymize.v1": handle_anonymize,
    "privacy.Deanonymize.v1": handle_deanonymize,
    "privacy.AnalyzeFairness.v1": handle_analyze_fairness,
}
