"""Redaction step: customer text in, the anonymized text every provider sees out (privacy.Anonymize.v1)."""

from __future__ import annotations

from libs.bus.base import Bus
from libs.contracts.models.privacy import AnonymizeResultV1, AnonymizeV1
from libs.observability.pii_scrub import scrub_text
from services.conversation.pipeline.ports import Redaction


class BusRedactor:
    """Asks the privacy service; the originals are sealed in its vault (store_originals) for later restoration."""

    def __init__(self, bus: Bus) -> None:
        self._bus = bus

    async def redact(self, text: str, *, tenant_id: str, key: str, deadline_s: float) -> Redaction:
        result = await self._bus.ask(
            AnonymizeV1(text=text, keep_mapping=False, store_originals=True),
            AnonymizeResultV1,
            key=key,
            tenant_id=tenant_id,
            timeout=deadline_s,
        )
        return Redaction(
            text=result.anonymized_text,
            pii_detected=tuple(str(t) for t in result.pii_detected),
            token=result.token,
        )


def fallback_redaction(text: str) -> Redaction:
    """Without the privacy service the pattern scrubber still masks e-mails, phones, cards, IBANs, SSNs and IPs,
    so a provider never sees those; names and addresses need the service (the turn is marked degraded)."""
    return Redaction(text=scrub_text(text), available=False)
