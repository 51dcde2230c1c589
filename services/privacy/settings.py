"""Privacy service settings (env SWITCHBOARD_PRIVACY_*, vault keys from SWITCHBOARD_VAULT_KEYS) and key parsing."""

from __future__ import annotations

import base64
import binascii
import hashlib

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from libs.errors import Invalid
from libs.runtime import PlatformSettings


class PrivacySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SWITCHBOARD_PRIVACY_", extra="ignore", populate_by_name=True)

    platform: PlatformSettings = Field(default_factory=PlatformSettings)
    consumer_group: str = "privacy"
    warm_model_on_start: bool = True
    # Format: see parse_vault_keys. Unset: a key is generated on first start under <data_dir>/privacy/ (local runs).
    vault_keys: str | None = Field(
        default=None,
        validation_alias=AliasChoices("SWITCHBOARD_VAULT_KEYS", "SWITCHBOARD_PRIVACY_VAULT_KEYS", "vault_keys"),
    )
    # Principals whose roles include one of these may open the vault; "service" is what internal callers send.
    deanonymize_roles: list[str] = Field(default_factory=lambda: ["reviewer", "admin", "service"])


def _decode(encoded: str) -> bytes:
    """Standard or URL-safe base64 (Fernet keys are URL-safe base64 of 32 bytes), padding optional."""
    text = encoded.strip()
    padded = text + "=" * (-len(text) % 4)
    alphabet = b"-_" if ("-" in text or "_" in text) else None
    try:
        return base64.b64decode(padded, altchars=alphabet, validate=True)
    except (binascii.Error, ValueError):
        raise Invalid(
            "Vault key is not base64", {"vault_keys": "each key must be base64 (standard or URL-safe)"}
        ) from None


def key_id_of(raw: bytes) -> str:
    """A stable id for a key given without one: a short digest, so records name their key without revealing it."""
    return "k" + hashlib.sha256(b"switchboard-vault-key-id\x00" + raw).hexdigest()[:10]


def parse_vault_keys(spec: str) -> tuple[dict[str, str], str]:
    """`[id:]key[,[id:]key...]`, newest (active) first → ({key_id: standard base64 key}, active key id).

    Each key decodes (standard or URL-safe base64) to 16, 24 or 32 bytes; a bare key gets a digest-derived id,
    so the Fernet-style value the deploy manifests document works unchanged. Keep retired keys listed after the
    active one for as long as records sealed with them must still open.
    """
    keys: dict[str, str] = {}
    order: list[str] = []
    for item in (part.strip() for part in spec.split(",")):
        if not item:
            continue
        key_id, sep, encoded = item.partition(":")
        if not sep:
            key_id, encoded = "", item
        raw = _decode(encoded)
        if len(raw) not in (16, 24, 32):
            raise Invalid("Vault key has a bad length", {"vault_keys": "each key must decode to 16, 24 or 32 bytes"})
        key_id = key_id.strip() or key_id_of(raw)
        if key_id in keys:
            raise Invalid("Duplicate vault key id", {"vault_keys": f"key id {key_id!r} appears twice"})
        keys[key_id] = base64.b64encode(raw).decode()
        order.append(key_id)
    if not order:
        raise Invalid("Vault keys missing", {"vault_keys": "at least one key is required"})
    return keys, order[0]
