"""Issue 20, "how it will be checked": the attacks repeated against `switchboard up` (Apache Kafka, every service its
own process, SQLite and local Qdrant in a temp data dir) get 0 successes and 0 5xx, and a bounded schemathesis run
over every operation finds no server error.

The module starts its own stack (its login lockout test must not lock other e2e tests out). To aim it at a stack
already running, set SWITCHBOARD_SECURITY_URL and SWITCHBOARD_SECURITY_DATA_DIR (its `credentials.json` is read).
Every request is tallied; run with `-s` to see the counts per attack.
"""

from __future__ import annotations

import asyncio
import gzip
import io
import json
import os
import uuid
import zipfile
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import launch, shut_down
from tests.e2e.security_target import Target, attached
from tests.support.attacks import ADMIN_ONLY, OPEN, OPERATOR_ONLY, bad_credentials, operations, unrefused
from tests.support.fuzz import fuzz_every_operation
from tests.support.tenant_probe import answer_leaks, by_id_leaks, create_everything, list_leaks, own_answer
from tests.unit.gateway.test_input_policy import BAD, ENDPOINTS
from tests.unit.rag.test_sandbox import costly_pdf

# The first test also waits for the stack to start (minutes on a loaded machine), and the attacks send ~1,200 requests.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]
EXAMPLES_PER_OPERATION = int(os.environ.get("SWITCHBOARD_SECURITY_EXAMPLES", "3"))


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    found = attached()
    if found is not None:
        yield found
        found.report()
        return
    stack = launch(tmp_path_factory.mktemp("security"))
    started = Target(url=stack.url, credentials=stack.credentials, run=uuid.uuid4().hex[:6], data_dir=stack.data_dir)
    try:
        yield started
    finally:
        started.report()
        shut_down(stack.process)


@pytest.fixture
async def client(target: Target, request: pytest.FixtureRequest) -> AsyncIterator[httpx.AsyncClient]:
    async with target.client(request.node.name) as c:
        yield c
    assert target.server_errors(request.node.name) == []


async def test_bad_credentials_reach_no_operation(target: Target, client: httpx.AsyncClient) -> None:
    ops = [op for op in await operations(client) if op not in OPEN]
    assert len(ops) >= 50
    key_id, key = await target.key(client, ["admin"])
    assert (await client.delete(f"/api/v1/api-keys/{key_id}", headers=target.operator)).status_code == 200
    credentials = {**bad_credentials(target.credentials["jwt_secret"]), "revoked-key": target.bearer(key)}
    wrong = {name: await unrefused(client, ops, headers, 401) for name, headers in credentials.items()}
    target.note(client, through=sum(len(w) for w in wrong.values()))
    assert {name: found for name, found in wrong.items() if found} == {}


async def test_lower_roles_and_other_tenant_admins_escalate_nowhere(target: Target, client: httpx.AsyncClient) -> None:
    wrong: dict[str, Any] = {}
    for roles in (["agent"], ["analyst"], ["reviewer"], ["agent", "analyst", "reviewer"]):
        headers = target.bearer((await target.key(client, roles))[1])
        wrong["+".join(roles)] = await unrefused(client, sorted(ADMIN_ONLY | OPERATOR_ONLY), headers, 403)
        if (await client.get("/metrics", headers=headers)).status_code != 403:
            wrong["+".join(roles) + " /metrics"] = "not 403"
    admin = await target.tenant(client, "acme")
    await target.tenant(client, "victim")
    wrong["tenant-admin operator ops"] = await unrefused(client, sorted(OPERATOR_ONLY), admin, 403)
    for victim in (target.tenant_id("victim"), "default", "never-created"):
        user = {"email": f"evil@{victim}.io", "password": "long enough pw", "roles": ["admin"], "tenant_id": victim}
        attempts = [
            await client.post(
                "/api/v1/api-keys", json={"name": "x", "roles": ["admin"], "tenant_id": victim}, headers=admin
            ),
            await client.post("/api/v1/users", json=user, headers=admin),
            await client.get("/api/v1/api-keys", params={"tenant_id": victim}, headers=admin),
            await client.get("/api/v1/users", params={"tenant_id": victim}, headers=admin),
        ]
        wrong[f"into {victim}"] = {str(r.request.url): r.status_code for r in attempts if r.status_code != 403}
    target.note(client, through=sum(len(w) for w in wrong.values() if isinstance(w, dict)))
    assert {name: found for name, found in wrong.items() if found} == {}


async def test_tenant_b_reaches_nothing_of_tenant_a(target: Target, client: httpx.AsyncClient) -> None:
    a, b = await target.tenant(client, "acme"), await target.tenant(client, "globex")
    ids = await create_everything(client, a, target.tenant_id("acme"))
    # In this order, as the in-process tests do it in separate tenants: the by-id probes open B's own sessions under
    # A's ids (B's, no leak, but a list would show them), and B's questions may open B's own ticket under the
    # number A's has (numbers are per tenant).
    leaks = await list_leaks(client, b, target.tenant_id("acme"), target.tenant_id("globex"))
    leaks.update(await by_id_leaks(client, b, ids))
    leaks.update(await answer_leaks(client, b))
    target.note(client, through=len(leaks))
    assert leaks == {}
    assert "Zebra-Falcon-42" in await own_answer(client, a)  # the probes asked for knowledge that is there


async def test_no_email_probing_across_tenants(target: Target, client: httpx.AsyncClient) -> None:
    a, b = await target.tenant(client, "probe-a"), await target.tenant(client, "probe-b")
    email = f"sam@{target.run}.io"
    statuses = []
    for headers, password in ((a, "password of a"), (b, "password of b"), (a, "another one")):
        body = {"email": email, "password": password, "roles": ["agent"]}
        statuses.append((await client.post("/api/v1/users", json=body, headers=headers)).status_code)
    assert statuses == [201, 201, 409]  # only a same-tenant duplicate is a conflict
    for password, tenant in (("password of a", "probe-a"), ("password of b", "probe-b")):
        resp = await client.post("/api/v1/auth/login", json={"username": email, "password": password})
        assert resp.status_code == 200, resp.text
        own_tenant = await client.get("/api/v1/users", headers=a if tenant == "probe-a" else b)
        assert resp.json()["data"]["user_id"] in own_tenant.text  # the account of the tenant the password is for
    target.note(client, through=0)


def _zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bomb.txt", b"\0" * 200_000_000)
    return out.getvalue()


async def test_bad_inputs_are_refused_without_a_5xx(target: Target, client: httpx.AsyncClient) -> None:
    key = target.operator
    wrong: dict[str, str] = {}

    def expect(name: str, resp: httpx.Response, *statuses: int) -> None:
        if resp.status_code not in statuses:
            wrong[name] = f"{resp.status_code} {resp.text[:160]}"

    json_headers = {**key, "Content-Type": "application/json"}
    for method, path, body, field in ENDPOINTS:
        for bad, value in BAD.items():
            # ASCII-escaped by json.dumps: httpx's encoder cannot write the lone surrogates among BAD, a client can.
            content = json.dumps({**body, field: value})
            expect(f"{path} {bad}", await client.request(method, path, content=content, headers=json_headers), 400)
    fairness = {"data": [{"g": "a", "y": 2**70}], "attributes": ["g"], "outcome_columns": ["y"]}
    expect("fairness 2**70", await client.post("/api/v1/fairness/analyze", json=fairness, headers=key), 400)
    big = b'{"text": "' + b"x" * 20_000_000 + b'"}'
    expect("20 MB body", await client.post("/api/v1/analyze/sentiment", content=big, headers=json_headers), 413)

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"text": "'
        for _ in range(17):
            yield b"x" * 1_048_576

    expect("17 MB chunked", await client.post("/chat", content=chunks(), headers=json_headers), 413)
    deep = b'{"text": "hi", "x": ' + b"[" * 10_000 + b"]" * 10_000 + b"}"
    expect(
        "10,000 levels", await client.post("/api/v1/analyze/sentiment", content=deep, headers=json_headers), 400, 422
    )
    zipped = gzip.compress(b"{" * 50_000_000)
    gz_headers = {**json_headers, "Content-Encoding": "gzip"}
    expect(
        "gzip body", await client.post("/api/v1/analyze/sentiment", content=zipped, headers=gz_headers), 400, 415, 422
    )
    await _edge_inputs(client, key, expect)
    await _uploads(client, key, expect)
    target.note(client, through=len(wrong))
    assert wrong == {}


async def _edge_inputs(client: httpx.AsyncClient, key: dict[str, str], expect: Any) -> None:
    """Issue 20 #5's edges: each answered a 5xx or a wrong status before."""
    session = {"session_id": "edge-session", "customer_id": "c1"}
    await client.post("/api/session", json=session, headers=key)
    for length in (33, 64, 65):
        body = {"session_id": "edge-session", "reason": "high_complexity", "priority": "p" * length}
        expect(f"priority {length}", await client.post("/api/escalation", json=body, headers=key), 400, 422)
    headers = {**key, "X-Session-Token": ""}
    expect("empty session token", await client.post("/chat", json={"message": "hi"}, headers=headers), 400)
    for offset in (2**63, 2**64 + 5):
        resp = await client.get("/api/v1/review/queue", params={"offset": offset}, headers=key)
        expect(f"offset {offset}", resp, 400)


async def _uploads(client: httpx.AsyncClient, key: dict[str, str], expect: Any) -> None:
    """Path traversal, zip bombs, a truncated multipart body, a deeply nested .json and a costly PDF."""
    boundary = "xyzBOUNDARY"
    truncated = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="a.txt"\r\n'
        "Content-Type: text/plain\r\n\r\nhello there, this upload stops mid-part"
    ).encode()
    headers = {**key, "Content-Type": f"multipart/form-data; boundary={boundary}"}
    expect("truncated multipart", await client.post("/upload_docs", content=truncated, headers=headers), 400)
    # Seed 004 answers 200 with a status per file: each of these must be a refused ("failed") file.
    refused_files = [
        ("../../etc/passwd.txt", b"root:x:0:0"),
        ("..\\..\\boot.ini.txt", b"[boot loader]"),
        ("bomb.zip", _zip_bomb()),
        ("bomb.txt", _zip_bomb()),
        ("costly.pdf", costly_pdf()),  # seconds of parser CPU in 2 KB: the per-document budget refuses it
    ]
    for name, data in refused_files:
        resp = await _upload(client, key, name, data)
        if resp.status_code != 200 or resp.json()["data"]["uploaded_files"][0]["status"] != "failed":
            expect(f"upload {name}", resp, 400)
    deep = await _upload(client, key, "deep.json", b"[" * 600 + b"]" * 600)
    expect("upload deep.json", deep, 200)  # indexed or refused per file, never a RecursionError
    for path in ("/rag/documents/..%2F..%2Fetc%2Fpasswd", "/rag/documents/%2e%2e%2fsecret.txt"):
        expect(f"DELETE {path}", await client.delete(path, headers=key), 400, 404)
    # The costly PDF above held no indexing slot for long: another upload goes straight through.
    started = asyncio.get_running_loop().time()
    expect("small file after the costly one", await _upload(client, key, "tiny.txt", b"a small file"), 200)
    assert asyncio.get_running_loop().time() - started < 30, "a 12-byte upload waited behind the costly PDF"


async def _upload(client: httpx.AsyncClient, key: dict[str, str], name: str, data: bytes) -> httpx.Response:
    return await client.post("/upload_docs", files=[("files", (name, data, "application/octet-stream"))], headers=key)


async def test_forwarded_for_cannot_choose_the_per_ip_limit(target: Target, client: httpx.AsyncClient) -> None:
    # Seed 001's 60 per minute per IP on /api/query: a new X-Forwarded-For per request must not buy a new budget.
    statuses = Counter[int]()
    retry_after = set()
    for n in range(61):
        headers = {**target.operator, "X-Forwarded-For": f"203.0.113.{n}"}
        resp = await client.post("/api/query", json={}, headers=headers)
        statuses[resp.status_code] += 1
        if resp.status_code == 429:
            retry_after.add(bool(resp.headers.get("Retry-After")))
    target.note(client, through=0 if statuses[429] else 1)
    assert statuses[429] >= 1 and retry_after == {True}, statuses


async def test_metrics_open_only_to_the_operator(target: Target, client: httpx.AsyncClient) -> None:
    tenant_admin = await target.tenant(client, "metrics")
    statuses = [(await client.get("/metrics", headers=h)).status_code for h in ({}, tenant_admin, target.operator)]
    target.note(client, through=sum(s < 400 for s in statuses[:2]))
    assert statuses == [401, 403, 200]


def test_schemathesis_finds_no_server_error(target: Target) -> None:
    fuzzed = fuzz_every_operation(target.url, target.operator, examples=EXAMPLES_PER_OPERATION)
    target.record_fuzz(fuzzed)
    assert fuzzed.operations >= 50
    assert fuzzed.server_errors == {}
    assert fuzzed.calls >= 2 * fuzzed.operations  # every operation was really exercised


async def test_login_is_throttled_with_retry_after(target: Target, client: httpx.AsyncClient) -> None:
    # Last: it locks this client's address out of logins for a while.
    email = target.credentials["admin_email"]
    known = [
        await client.post("/api/v1/auth/login", json={"username": email, "password": "wrong pw"}) for _ in range(8)
    ]
    statuses = [r.status_code for r in known]
    assert statuses[:4] == [401] * 4 and statuses[-1] == 429, statuses
    assert all(r.headers.get("Retry-After") for r in known if r.status_code == 429)
    password = target.credentials.get("admin_password") or os.environ.get("SWITCHBOARD_ADMIN_PASSWORD", "")
    right = await client.post("/api/v1/auth/login", json={"username": email, "password": password})
    assert right.status_code == 429  # locked: even the right password waits
    target.note(client, through=int(right.status_code == 200))


def test_data_files_are_private(target: Target) -> None:
    """Everything switchboard keeps under its data folder (SQLite, Qdrant, the broker's log, credentials) is
    0600/0700; `up.log` is this test harness's own capture of the launcher's output."""
    if target.data_dir is None:
        pytest.skip("attached to a stack by URL only")
    loose = []
    for path in [target.data_dir, *target.data_dir.rglob("*")]:
        try:
            mode = path.lstat().st_mode
        except FileNotFoundError:  # a broker segment or temp file removed while we walked
            continue
        if path.name != "up.log" and not path.is_symlink() and mode & 0o077:
            loose.append(f"{mode & 0o777:o} {path}")
    assert loose == [], loose[:10]
