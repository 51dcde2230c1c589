"""Vault: AES-GCM sealing per tenant, key rotation, tamper and retired-key errors (in-memory SQLite store)."""

from __future__ import annotations

import base64

import pytest

from libs.errors import Conflict, Invalid, NotFound, Unavailable
from libs.store import open_store
from services.privacy.store import COLLECTION, PiiVault, generate_key

ORIGINALS = {"[NAME_1]": "John Smith", "[ACCOUNT_NUMBER_1]": "1234567890"}


@pytest.fixture
def store():  # type: ignore[no-untyped-def]
    return open_store(database="privacy")


async def test_round_trip_and_ciphertext_hides_values(store) -> None:  # type: ignore[no-untyped-def]
    vault = PiiVault(store, {"k1": generate_key()}, "k1")
    await vault.put("t1", "pii_abc", ORIGINALS)
    assert await vault.get("t1", "pii_abc") == ORIGINALS
    raw = await store.collection(COLLECTION).get("t1:pii_abc")
    assert raw["key_id"] == "k1" and raw["tenant_id"] == "t1"
    assert "John" not in str(raw) and "1234567890" not in str(raw)


async def test_other_tenant_and_unknown_token_are_not_found(store) -> None:  # type: ignore[no-untyped-def]
    vault = PiiVault(store, {"k1": generate_key()}, "k1")
    await vault.put("t1", "pii_abc", ORIGINALS)
    with pytest.raises(NotFound):
        await vault.get("t2", "pii_abc")
    with pytest.raises(NotFound):
        await vault.get("t1", "pii_nope")
    with pytest.raises(Conflict):
        await vault.put("t1", "pii_abc", ORIGINALS)


async def test_rotation_old_entries_open_new_writes_use_active_key(store) -> None:  # type: ignore[no-untyped-def]
    k1, k2 = generate_key(), generate_key()
    await PiiVault(store, {"k1": k1}, "k1").put("t1", "old", ORIGINALS)
    rotated = PiiVault(store, {"k1": k1, "k2": k2}, "k2")
    await rotated.put("t1", "new", {"[PHONE_1]": "555-123-4567"})
    col = store.collection(COLLECTION)
    assert (await col.get("t1:old"))["key_id"] == "k1"
    assert (await col.get("t1:new"))["key_id"] == "k2"
    assert await rotated.get("t1", "old") == ORIGINALS
    assert await rotated.rotate("t1", "old") is True
    assert (await col.get("t1:old"))["key_id"] == "k2"
    assert await PiiVault(store, {"k2": k2}, "k2").get("t1", "old") == ORIGINALS
    with pytest.raises(Unavailable) as err:  # an entry whose key was retired cannot be opened
        await PiiVault(store, {"k3": generate_key()}, "k3").get("t1", "new")
    assert err.value.details["key_id"] == "k2"


async def test_tampered_or_moved_ciphertext_fails(store) -> None:  # type: ignore[no-untyped-def]
    vault = PiiVault(store, {"k1": generate_key()}, "k1")
    await vault.put("t1", "a", ORIGINALS)
    col = store.collection(COLLECTION)
    doc = await col.get("t1:a")
    sealed = bytearray(base64.b64decode(doc["ciphertext"]))
    sealed[0] ^= 1
    await col.update("t1:a", {"ciphertext": base64.b64encode(bytes(sealed)).decode()})
    with pytest.raises(Unavailable):
        await vault.get("t1", "a")
    # The same ciphertext copied under another token does not open: it is bound to tenant and token.
    await vault.put("t1", "b", ORIGINALS)
    good = await col.get("t1:b")
    await col.insert(good | {"id": "t1:c", "token": "c"})
    with pytest.raises(Unavailable):
        await vault.get("t1", "c")


@pytest.mark.parametrize(
    ("keys", "active", "field"),
    [
        ({}, "k1", "keys"),
        ({"k1": "not base64!"}, "k1", "keys.k1"),
        ({"k1": base64.b64encode(b"short").decode()}, "k1", "keys.k1"),
        ({"k1": "AAAAAAAAAAAAAAAAAAAAAA=="}, "k2", "active_key_id"),
    ],
)
def test_bad_key_settings_are_invalid(store, keys: dict[str, str], active: str, field: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Invalid) as err:
        PiiVault(store, keys, active)
    assert field in err.value.details
