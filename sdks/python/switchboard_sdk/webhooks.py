"""Verify webhook deliveries: Standard Webhooks (`webhook-id/-timestamp/-signature`) and seed 003's signature."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any

from switchboard_sdk.errors import WebhookVerificationError

DEFAULT_TOLERANCE_S = 300  # Standard Webhooks: refuse deliveries older/newer than 5 minutes (replay protection)


def _key(secret: str | bytes) -> bytes:
    """A `whsec_<base64>` secret is base64 key material (Standard Webhooks); any other string is used as is."""
    if isinstance(secret, bytes):
        return secret
    if secret.startswith("whsec_"):
        return base64.b64decode(secret.removeprefix("whsec_"))
    return secret.encode()


def sign_standard(secret: str | bytes, msg_id: str, timestamp: int, payload: bytes) -> str:
    """The `webhook-signature` value (`v1,<base64>`) of a delivery; what the gateway computes when it sends one."""
    signed = f"{msg_id}.{timestamp}.".encode() + payload
    return "v1," + base64.b64encode(hmac.new(_key(secret), signed, hashlib.sha256).digest()).decode()


def sign_seed003(secret: str | bytes, payload: bytes) -> str:
    return "sha256=" + hmac.new(_key(secret), payload, hashlib.sha256).hexdigest()


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


def verify_standard(
    payload: bytes | str,
    headers: Mapping[str, str],
    secret: str | bytes,
    *,
    tolerance_s: int = DEFAULT_TOLERANCE_S,
    now: float | None = None,
) -> None:
    """Raise WebhookVerificationError unless one `v1` signature matches and the timestamp is within tolerance."""
    body = payload.encode() if isinstance(payload, str) else payload
    h = _lower(headers)
    msg_id, stamp, signatures = h.get("webhook-id"), h.get("webhook-timestamp"), h.get("webhook-signature")
    if not (msg_id and stamp and signatures):
        raise WebhookVerificationError("missing webhook-id, webhook-timestamp or webhook-signature header")
    if not stamp.isdigit():
        raise WebhookVerificationError("webhook-timestamp is not a Unix time")
    if abs((time.time() if now is None else now) - int(stamp)) > tolerance_s:
        raise WebhookVerificationError("webhook-timestamp outside the tolerance (replayed or clock skew)")
    expected = sign_standard(secret, msg_id, int(stamp), body)
    # The header may carry several space-separated signatures while a secret is being rotated.
    if not any(hmac.compare_digest(expected, candidate) for candidate in signatures.split()):
        raise WebhookVerificationError("no webhook-signature matches")


def verify_seed003(payload: bytes | str, signature: str | None, secret: str | bytes) -> None:
    """Seed 003's scheme: `X-Webhook-Signature: sha256=<hex HMAC-SHA256 of the body>`."""
    body = payload.encode() if isinstance(payload, str) else payload
    if not signature or not hmac.compare_digest(sign_seed003(secret, body), signature):
        raise WebhookVerificationError("X-Webhook-Signature does not match")


class Webhook:
    """`Webhook(secret).verify(body, headers)` checks whichever scheme the delivery carries and returns the event.

    Standard Webhooks headers win when present (they also stop replays); otherwise `X-Webhook-Signature` is checked.
    """

    def __init__(self, secret: str | bytes, *, tolerance_s: int = DEFAULT_TOLERANCE_S) -> None:
        self.secret = secret
        self.tolerance_s = tolerance_s

    def verify(self, payload: bytes | str, headers: Mapping[str, str], *, now: float | None = None) -> Any:
        h = _lower(headers)
        if "webhook-signature" in h:
            verify_standard(payload, h, self.secret, tolerance_s=self.tolerance_s, now=now)
        elif "x-webhook-signature" in h:
            verify_seed003(payload, h["x-webhook-signature"], self.secret)
        else:
            raise WebhookVerificationError("no webhook signature header")
        try:
            return json.loads(payload)
        except ValueError as exc:
            raise WebhookVerificationError("payload is not JSON") from exc
