"""Webhook secrets (`whsec_<base64>`, encrypted at rest) and the two signatures every delivery carries:
Standard Webhooks (`webhook-signature: v1,<base64 HMAC-SHA256(secret bytes, "id.timestamp.body")>`, one per valid
secret, space-separated) and seed 003's `X-Webhook-Signature: sha256=<hex HMAC-SHA256(secret text, body)>`."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(os.urandom(32)).decode()


def standard_signature(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """Standard Webhooks v1: the key is the base64-decoded part after `whsec_`."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def seed003_signature(secret: str, body: bytes) -> str:
    """What seed 003's `verify_webhook(payload, signature, secret)` recomputes: HMAC keyed by the secret's text."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signed_headers(secrets: list[str], msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """`secrets` newest first; during a rotation both sign the Standard Webhooks header. Seed 003's header has room
    for one signature: it uses the oldest valid secret, so receivers keep verifying until the old one expires."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(standard_signature(s, msg_id, timestamp, body) for s in secrets),
        "X-Webhook-Signature": seed003_signature(secrets[-1], body),
        "Content-Type": "application/json",
    }


class SecretBox:
    """AES-256-GCM over webhook secrets, keyed from the gateway's JWT key material (HKDF, separate purpose), so a
    copy of the database alone does not reveal them; signing needs the plaintext, so a hash would not do."""

    def __init__(self, key_material: str) -> None:
        hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"switchboard webhook secrets v1")
        self._aead = AESGCM(hkdf.derive(key_material.encode()))

    def seal(self, plaintext: str) -> str:
        nonce = os.urandom(12)
        return base64.b64encode(nonce + self._aead.encrypt(nonce, plaintext.encode(), None)).decode()

    def open(self, sealed: str) -> str:
        raw = base64.b64decode(sealed)
        return self._aead.decrypt(raw[:12], raw[12:], None).decode()
