"""Encrypted PII vault: takes (tenant, token, originals), keeps them AES-GCM-sealed in the document store."""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Mapping
from datetime import UTC, datetime

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from libs.errors import Invalid, NotFound, Unavailable
from libs.store import DocumentStore

COLLECTION = "pii_vault"
_NONCE_BYTES = 12  # the GCM standard nonce; random per entry, so one key can seal ~2^32 entries safely


def generate_key() -> str:
    """A fresh base64 AES-256 key, for settings (`{key_id: key}`)."""
    return base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()


def _decode_keys(keys: Mapping[str, str], active_key_id: str) -> dict[str, AESGCM]:
    if not keys:
        raise Invalid("Vault keys missing", {"keys": "at least one {key_id: base64 key} is required"})
    ciphers: dict[str, AESGCM] = {}
    for key_id, encoded in keys.items():
        try:
            raw = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise Invalid("Vault key is not base64", {f"keys.{key_id}": "not valid base64"}) from None
        if len(raw) not in (16, 24, 32):
            raise Invalid("Vault key has a bad length", {f"keys.{key_id}": "must decode to 16, 24 or 32 bytes"})
        ciphers[key_id] = AESGCM(raw)
    if active_key_id not in ciphers:
        raise Invalid("Active vault key unknown", {"active_key_id": f"{active_key_id!r} is not among the keys"})
    return ciphers


def _aad(tenant_id: str, token: str) -> bytes:
    # Binding the ciphertext to its tenant and token: a record copied under another id will not decrypt.
    return f"{tenant_id}\x00{token}".encode()


class PiiVault:
    """token → originals, sealed with the active key; older entries open with the key id they were sealed with."""

    def __init__(self, store: DocumentStore, keys: Mapping[str, str], active_key_id: str) -> None:
        self._ciphers = _decode_keys(keys, active_key_id)
        self._active = active_key_id
        self._col = store.collection(COLLECTION)

    async def ensure_indexes(self) -> None:
        await self._col.ensure_index(["tenant_id", "created_at"])

    @staticmethod
    def _id(tenant_id: str, token: str) -> str:
        if not tenant_id or not token:
            raise Invalid("Validation error", {"tenant_id" if not tenant_id else "token": "must not be empty"})
        return f"{tenant_id}:{token}"

    def _seal(self, tenant_id: str, token: str, originals: Mapping[str, str]) -> dict[str, str]:
        nonce = os.urandom(_NONCE_BYTES)
        plaintext = json.dumps(dict(originals), ensure_ascii=False).encode()
        sealed = self._ciphers[self._active].encrypt(nonce, plaintext, _aad(tenant_id, token))
        return {
            "id": self._id(tenant_id, token),
            "tenant_id": tenant_id,
            "token": token,
            "key_id": self._active,
            "nonce": base64.b64encode(nonce).decode(),
            "ciphertext": base64.b64encode(sealed).decode(),
            "created_at": datetime.now(UTC).isoformat(),
        }

    async def put(self, tenant_id: str, token: str, originals: Mapping[str, str]) -> None:
        """Seal and store; Conflict if the token already exists for this tenant."""
        await self._col.insert(self._seal(tenant_id, token, originals))

    async def get(self, tenant_id: str, token: str) -> dict[str, str]:
        """The originals sealed under `token` for this tenant; NotFound for an unknown token or another tenant's."""
        doc = await self._col.get(self._id(tenant_id, token))
        if doc is None or doc.get("tenant_id") != tenant_id:
            raise NotFound("Unknown anonymization token", {"token": token})
        cipher = self._ciphers.get(str(doc.get("key_id")))
        if cipher is None:
            raise Unavailable("Vault key retired", {"token": token, "key_id": doc.get("key_id")})
        try:
            nonce = base64.b64decode(doc["nonce"])
            plaintext = cipher.decrypt(nonce, base64.b64decode(doc["ciphertext"]), _aad(tenant_id, token))
        except (InvalidTag, KeyError, ValueError):
            raise Unavailable("Vault entry cannot be decrypted", {"token": token}) from None
        originals = json.loads(plaintext)
        return {str(k): str(v) for k, v in originals.items()}

    async def delete(self, tenant_id: str, token: str) -> bool:
        """Erase one entry (right to erasure); False when there was none."""
        return await self._col.delete(self._id(tenant_id, token))

    async def rotate(self, tenant_id: str, token: str) -> bool:
        """Re-seal one entry with the active key; False when it already uses it."""
        doc = await self._col.get(self._id(tenant_id, token))
        if doc is None or doc.get("tenant_id") != tenant_id:
            raise NotFound("Unknown anonymization token", {"token": token})
        if doc.get("key_id") == self._active:
            return False
        originals = await self.get(tenant_id, token)
        # One replace-by-id, so a crash leaves either the old or the new sealing, never neither.
        await self._col.upsert(self._seal(tenant_id, token, originals) | {"created_at": doc["created_at"]})
        return True
