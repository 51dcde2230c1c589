"""Sealed payloads: the `data` of every command and reply on the bus is encrypted (AES-256-GCM) with a key every
service shares, so the broker's log holds no customer text; handlers see plain data after decode.

Why: command topics carry what customers typed (to the privacy, sentiment, escalation, rag and conversation
services that work on it) and replies carry it back (a Deanonymize result is the original text); Kafka keeps both on
disk for the retention period. Events are not sealed: their contracts carry no free text (tests/e2e checks), and
other tools read them.

On the wire a sealed envelope is the usual CloudEvent whose `data` is `{"sealed": "v1.<base64 nonce+ciphertext>"}`;
the envelope's id and type are the associated data, so a payload cannot be moved to another message. Everything
else (ids, type, tenant, key, trace) stays readable for routing, dedupe and tooling. The key comes from the platform
setting SWITCHBOARD_BUS_SEAL_KEY (32 bytes, urlsafe base64; `switchboard up` generates one per data folder);
without one nothing is sealed (the in-process bus, unit tests). A sealed message that cannot be opened (no key or
another key) is a contract violation: it goes to the dead-letter topic, still sealed.
"""

from __future__ import annotations

import base64
import os
from typing import Any

import orjson
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from libs.bus.envelope import Envelope
from libs.contracts.registry import ContractViolation

FIELD = "sealed"
PREFIX = "v1."
NONCE_BYTES = 12
KEY_BYTES = 32


def new_key() -> str:
    """A fresh key in the setting's format."""
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode()


def sealed_topic(topic: str) -> bool:
    """Every topic but event topics (commands, replies and any topic added later: fail closed)."""
    return not topic.endswith(".events")


class Sealer:
    def __init__(self, key: str) -> None:
        raw = base64.urlsafe_b64decode(key.encode())
        if len(raw) != KEY_BYTES:
            raise ValueError(f"SWITCHBOARD_BUS_SEAL_KEY must be {KEY_BYTES} bytes in urlsafe base64")
        self._aead = AESGCM(raw)

    def seal(self, env: Envelope) -> dict[str, str]:
        nonce = os.urandom(NONCE_BYTES)
        box = self._aead.encrypt(nonce, orjson.dumps(env.data), _associated(env))
        return {FIELD: PREFIX + base64.b64encode(nonce + box).decode()}

    def open(self, env: Envelope, sealed: str) -> dict[str, Any]:
        try:
            raw = base64.b64decode(sealed.removeprefix(PREFIX), validate=True)
            plain = self._aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], _associated(env))
        except (InvalidTag, ValueError) as exc:
            raise ContractViolation("sealed data could not be opened", {"type": env.type}) from exc
        data = orjson.loads(plain)
        if not isinstance(data, dict):
            raise ContractViolation("sealed data is not an object", {"type": env.type})
        return data


def _associated(env: Envelope) -> bytes:
    return f"{env.id}|{env.type}".encode()


_active: Sealer | None = None


def configure(key: str | None) -> None:
    """Seal with `key` from now on in this process (None or "": stop sealing). Called by `make_bus`."""
    global _active
    _active = Sealer(key) if key else None


def wire_bytes(topic: str, env: Envelope) -> bytes:
    """The bytes the transport sends for `env` on `topic`: sealed data where the topic is sealed and a key is set."""
    if _active is None or not sealed_topic(topic):
        return env.to_bytes()
    return env.to_bytes(data=_active.seal(env))


def unseal(env: Envelope) -> Envelope:
    """`env` with its data opened (in place), if it was sealed; called by decode before the contract check."""
    sealed = env.data.get(FIELD) if len(env.data) == 1 else None
    if not isinstance(sealed, str) or not sealed.startswith(PREFIX):
        return env
    if _active is None:
        raise ContractViolation("sealed data but no SWITCHBOARD_BUS_SEAL_KEY", {"type": env.type})
    env.data = _active.open(env, sealed)
    return env
