"""First-start credentials of the local stack: admin login, API key and JWT secret, generated once and kept 0600."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class Credentials:
    admin_email: str
    admin_password: str
    api_key: str
    jwt_secret: str

    def env(self) -> dict[str, str]:
        return {
            "SWITCHBOARD_ADMIN_EMAIL": self.admin_email,
            "SWITCHBOARD_ADMIN_PASSWORD": self.admin_password,
            "SWITCHBOARD_BOOTSTRAP_API_KEY": self.api_key,
            "SWITCHBOARD_JWT_SECRET": self.jwt_secret,
        }


def load_or_create(data_dir: Path) -> Credentials:
    """Environment values win (SWITCHBOARD_ADMIN_EMAIL/PASSWORD); otherwise values generated on first start."""
    path = data_dir / "credentials.json"
    if path.exists():
        stored = Credentials(**json.loads(path.read_text()))
    else:
        stored = Credentials(
            admin_email="admin@switchboard.local",
            admin_password=secrets.token_urlsafe(12),
            api_key="sb_" + secrets.token_urlsafe(32),
            jwt_secret=secrets.token_urlsafe(48),
        )
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(stored), indent=2))
        path.chmod(0o600)
    return Credentials(
        admin_email=os.environ.get("SWITCHBOARD_ADMIN_EMAIL", stored.admin_email),
        admin_password=os.environ.get("SWITCHBOARD_ADMIN_PASSWORD", stored.admin_password),
        api_key=stored.api_key,
        jwt_secret=os.environ.get("SWITCHBOARD_JWT_SECRET", stored.jwt_secret),
    )
