"""Issue 20 #7: the launcher's secrets stay private (0600/0700), are never printed in full to a log, and the
credentials file never keeps a login that no longer works."""

from __future__ import annotations

import json
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from libs.bus.sealing import Sealer
from libs.errors import Unauthorized
from libs.store import open_store
from services.gateway.auth import Identity
from services.launcher.cli import _banner
from services.launcher.credentials import load_or_create, tighten


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "SWITCHBOARD_ADMIN_EMAIL",
        "SWITCHBOARD_ADMIN_PASSWORD",
        "SWITCHBOARD_JWT_SECRET",
        "SWITCHBOARD_BUS_SEAL_KEY",
    ):
        monkeypatch.delenv(name, raising=False)


def test_generated_once_and_kept_private(tmp_path: Path) -> None:
    first = load_or_create(tmp_path / "data")
    again = load_or_create(tmp_path / "data")
    assert first.created and not again.created
    assert (first.api_key, first.admin_password) == (again.api_key, again.admin_password)
    assert mode(tmp_path / "data" / "credentials.json") == 0o600 and mode(tmp_path / "data") == 0o700


def test_a_bus_seal_key_is_generated_once_also_for_a_file_written_before_sealing(tmp_path: Path) -> None:
    first = load_or_create(tmp_path / "data")
    stored = json.loads((tmp_path / "data" / "credentials.json").read_text())
    assert Sealer(first.bus_seal_key) and stored["bus_seal_key"] == first.bus_seal_key  # a valid AES-256 key
    assert first.env()["SWITCHBOARD_BUS_SEAL_KEY"] == first.bus_seal_key
    del stored["bus_seal_key"]  # as an older start wrote it
    (tmp_path / "data" / "credentials.json").write_text(json.dumps(stored))
    upgraded = load_or_create(tmp_path / "data")
    assert upgraded.bus_seal_key and upgraded.bus_seal_key != first.bus_seal_key
    assert load_or_create(tmp_path / "data").bus_seal_key == upgraded.bus_seal_key


def test_a_password_from_the_environment_is_never_shadowed_by_a_stale_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    generated = load_or_create(tmp_path).admin_password
    monkeypatch.setenv("SWITCHBOARD_ADMIN_PASSWORD", "chosen by the operator")
    creds = load_or_create(tmp_path)
    on_file = json.loads((tmp_path / "credentials.json").read_text())
    assert creds.admin_password == "chosen by the operator"
    assert on_file["admin_password"] == "" and generated not in (tmp_path / "credentials.json").read_text()


def test_tighten_closes_what_an_older_start_left_open(tmp_path: Path) -> None:
    (tmp_path / "conversation").mkdir(mode=0o755)
    store = tmp_path / "conversation" / "store.sqlite"
    store.write_text("rows")
    store.chmod(0o644)
    tighten(tmp_path)
    assert mode(store) == 0o600 and mode(tmp_path / "conversation") == 0o700


def test_banner_masks_secrets_off_a_terminal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    creds = load_or_create(tmp_path)
    _banner("http://127.0.0.1:8080", creds, "test", tmp_path / "credentials.json")
    out = capsys.readouterr().out
    assert creds.api_key not in out and creds.admin_password not in out
    assert creds.api_key[:6] in out and "credentials.json" in out


async def test_the_configured_operator_password_is_the_one_that_works() -> None:
    identity = Identity(
        open_store(database="g"),
        jwt_secret="s" * 40,
        jwt_ttl=timedelta(minutes=5),
        hasher=PasswordHasher(time_cost=1, memory_cost=1024),
    )
    assert await identity.ensure_operator(tenant_id="default", email="op@x.io", password="first password") == "created"
    assert await identity.ensure_operator(tenant_id="default", email="op@x.io", password="rotated pw!") == "updated"
    assert await identity.ensure_operator(tenant_id="default", email="op@x.io", password="rotated pw!") == "unchanged"
    await identity.login("op@x.io", "rotated pw!")
    with pytest.raises(Unauthorized):
        await identity.login("op@x.io", "first password")
