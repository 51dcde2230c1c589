"""Vault key settings: SWITCHBOARD_VAULT_KEYS formats, rotation order, and the generated local key file."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

import pytest

from libs.errors import Invalid
from libs.runtime import PlatformSettings
from libs.store import open_store
from services.privacy.bootstrap import vault_keys
from services.privacy.settings import PrivacySettings, key_id_of, parse_vault_keys
from services.privacy.store import PiiVault, generate_key

# The dev default of docker-compose.yml (a Fernet key: URL-safe base64 of 32 bytes).
COMPOSE_KEY = "sSoCgnu53g8Udz-URh_Bk2c9bFOBhdVifZQdhTad0X4="


def test_bare_fernet_style_key_gets_a_stable_derived_id() -> None:
    keys, active = parse_vault_keys(COMPOSE_KEY)
    raw = base64.urlsafe_b64decode(COMPOSE_KEY)
    assert active == key_id_of(raw) and list(keys) == [active]
    assert base64.b64decode(keys[active]) == raw
    assert parse_vault_keys(COMPOSE_KEY)[1] == active  # same id on every start


def test_named_keys_newest_first() -> None:
    new, old = generate_key(), generate_key()
    keys, active = parse_vault_keys(f" k2:{new} , k1:{old} ")
    assert active == "k2" and keys == {"k2": new, "k1": old}


@pytest.mark.parametrize(
    "spec",
    [
        "",
        " , ",
        "k1:not base64!",
        "k1:" + base64.b64encode(b"short").decode(),
        f"a:{generate_key()},a:{generate_key()}",
    ],
)
def test_bad_specs_are_refused(spec: str) -> None:
    with pytest.raises(Invalid) as err:
        parse_vault_keys(spec)
    assert "vault_keys" in err.value.details


def test_env_name_of_the_deploy_manifests(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SWITCHBOARD_VAULT_KEYS", COMPOSE_KEY)
    assert PrivacySettings().vault_keys == COMPOSE_KEY


async def test_rotation_keeps_old_entries_readable() -> None:
    old, new = generate_key(), generate_key()
    store = open_store(database="privacy")
    keys, active = parse_vault_keys(f"k1:{old}")
    await PiiVault(store, keys, active).put("t1", "pii_" + "1" * 32, {"[NAME_1]": "Ann Lee"})
    keys, active = parse_vault_keys(f"k2:{new},k1:{old}")
    assert await PiiVault(store, keys, active).get("t1", "pii_" + "1" * 32) == {"[NAME_1]": "Ann Lee"}


def test_local_key_is_generated_once_with_owner_only_access(tmp_path: Path) -> None:
    settings = PrivacySettings(platform=PlatformSettings(data_dir=tmp_path), vault_keys=None)
    first = vault_keys(settings)
    path = tmp_path / "privacy" / "vault.keys"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert vault_keys(settings) == first  # a restart reads the same key: sealed entries stay readable
