"""The stack the issue 20 attacks run against, and the tally of what every request got."""

from __future__ import annotations

import json
import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.support.attacks import api_key
from tests.support.fuzz import Fuzzed


@dataclass
class Target:
    url: str
    credentials: dict[str, str]
    run: str  # makes this run's tenant ids unique, so a stack can be attacked more than once
    data_dir: Path | None = None
    tally: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    current: str = ""
    tenants: dict[str, str] = field(default_factory=dict)  # name -> the id of this run's latest tenant of that name

    @property
    def operator(self) -> dict[str, str]:
        return {"X-API-Key": self.credentials["api_key"]}

    @staticmethod
    def bearer(key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {key}"}

    def tenant_id(self, name: str) -> str:
        return self.tenants[name]

    async def tenant(self, client: httpx.AsyncClient, name: str) -> dict[str, str]:
        """A new tenant made by the operator (a fresh id on every call); headers of its first admin key."""
        self.tenants[name] = f"{name}-{self.run}-{len(self.tenants)}"
        body = {"tenant_id": self.tenants[name], "name": name.title(), "rate_tier": "enterprise"}
        resp = await client.post("/api/v1/tenants", json=body, headers=self.operator)
        assert resp.status_code == 201, resp.text
        return self.bearer(resp.json()["data"]["api_key"])

    async def key(self, client: httpx.AsyncClient, roles: list[str], tenant_id: str | None = None) -> tuple[str, str]:
        return await api_key(client, self.operator, roles, tenant_id)

    def client(self, test: str) -> httpx.AsyncClient:
        """A client on the stack whose every response is counted under `test` (5xx kept with the request)."""
        self.current = test

        async def record(resp: httpx.Response) -> None:
            counts = self.tally[test]
            counts["requests"] += 1
            counts[f"{resp.status_code // 100}xx"] += 1
            if resp.status_code >= 500:
                self.errors[test].append(f"{resp.request.method} {resp.request.url.path} -> {resp.status_code}")

        return httpx.AsyncClient(base_url=self.url, timeout=120, event_hooks={"response": [record]})

    def note(self, client: httpx.AsyncClient, *, through: int) -> None:
        """How many attempts of the current test got through (a success where a refusal was due, or a leak)."""
        self.tally[self.current]["through"] += through

    def server_errors(self, test: str) -> list[str]:
        return self.errors.get(test, [])

    def record_fuzz(self, fuzzed: Fuzzed) -> None:
        counts = self.tally["schemathesis"]
        counts["requests"] += fuzzed.calls
        counts["operations"] = fuzzed.operations
        for status, n in fuzzed.statuses.items():
            counts[f"{status // 100}xx"] += n
        self.errors["schemathesis"].extend(f"{op}: {what}" for op, what in fuzzed.server_errors.items())

    def report(self) -> None:
        print(f"\nissue 20 attacks against {self.url} (run {self.run}):")
        for test, counts in self.tally.items():
            summary: dict[str, Any] = {k: counts[k] for k in sorted(counts)}
            print(f"  {test}: {summary}")
            for error in self.errors.get(test, [])[:20]:
                print(f"    5xx {error}")


def attached() -> Target | None:
    """The running stack named by SWITCHBOARD_SECURITY_URL / _DATA_DIR, if any."""
    url, data_dir = os.environ.get("SWITCHBOARD_SECURITY_URL"), os.environ.get("SWITCHBOARD_SECURITY_DATA_DIR")
    if not url or not data_dir:
        return None
    credentials = json.loads((Path(data_dir) / "credentials.json").read_text())
    return Target(url=url, credentials=credentials, run=os.urandom(3).hex(), data_dir=Path(data_dir))
