"""Issue 18 #6: the seeds' own client examples (seed 001 Python and JavaScript, seed 004 Python) run unchanged.

The code is the seeds' own, copied verbatim into seed_clients/ (the first test checks the copies against the seeds
when ../shared/seeds is there). Each example runs as written, usage lines included; the one thing supplied is the
base URL its client class takes as a parameter (the examples default to localhost:8080 / :8000).

None of the three sends credentials, while both seeds say the API requires them (seed 001 "Authentication": every
request carries an API key; seed 004: "Include proper authentication headers when required") and the gateway
refuses anonymous calls to tenant data. So each example runs three times: as written against the default stack,
where it is refused with a 401 in its dialect's envelope and its usage line then fails on the missing field
(KeyError in Python, `undefined` in JavaScript); with the tenant's API key added by the HTTP layer (as an
authenticating proxy or the environment's default headers would); and as written, nothing added, against a stack
started with `switchboard up --sandbox` (services/gateway/sandbox.py: credential-less calls from this machine act
as the `sandbox` tenant). The last two run to the end on the seed's documented fields.
"""

from __future__ import annotations

import functools
import io
import json
import os
import subprocess
from collections.abc import Iterator
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests

from tests.e2e.conftest import REPO, Stack, launch, shut_down
from tests.e2e.seed_clients.extract import EXAMPLES, HERE, example
from tests.e2e.seed_examples import TIMEOUT, tenant_key

pytestmark = pytest.mark.e2e
SEEDS = next((p for p in (REPO.parent / "shared" / "seeds", REPO.parents[1] / "shared" / "seeds") if p.is_dir()), None)


def test_the_copies_are_the_seeds_own_examples() -> None:
    if SEEDS is None:
        pytest.skip("../shared/seeds is not on this machine: the committed copies are used as they are")
    for name in EXAMPLES:
        assert (HERE / name).read_text() == example(SEEDS, name), f"{name} differs from its seed"


def warm(url: str, headers: dict[str, str]) -> None:
    """A first turn warms the stack (a fresh stack loads its models on the first turn, which may outlast the
    gateway's deadline: the examples themselves set no timeout and retry nothing)."""
    for attempt in range(5):
        answer = httpx.post(
            f"{url}/api/query",
            json={"query": "Hello", "session_id": f"warm_{attempt}", "customer_id": "warm"},
            headers=headers,
            timeout=TIMEOUT,
        )
        if answer.status_code == 200:
            return


@pytest.fixture
def api_key_headers(stack: Stack) -> dict[str, str]:
    """A fresh tenant's key (agent role: escalations and uploads), so the examples' fixed ids meet clean data."""
    headers = tenant_key(stack)[1]
    warm(stack.url, headers)
    return headers


@pytest.fixture(scope="module")
def sandbox_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """`switchboard up --sandbox`: its own stack, so the session's default stack (and every security test on it)
    never has the sandbox; warmed by a credential-less turn, as the examples will send theirs."""
    started = launch(tmp_path_factory.mktemp("switchboard-sandbox"), args=["--sandbox"])
    try:
        warm(started.url, {})
        yield started
    finally:
        shut_down(started.process)


@pytest.fixture
def requests_with(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Add headers to every `requests` call of this test, below the example's code (which stays as written)."""

    def add(headers: dict[str, str]) -> None:
        send = requests.sessions.Session.request

        def request(self: requests.Session, method: str, url: str, **kwargs: Any) -> requests.Response:
            kwargs["headers"] = {**headers, **(kwargs.get("headers") or {})}
            return send(self, method, url, **kwargs)

        monkeypatch.setattr(requests.sessions.Session, "request", request)

    yield add


def run_python(name: str, class_name: str, base_url: str) -> tuple[dict[str, Any], str]:
    """Run the example: its definitions, then its usage lines with the client class given the base URL.
    Returns the namespace (the usage's variables) and what it printed."""
    code = (HERE / name).read_text()
    definitions, usage = code.split("# Usage", 1)
    namespace: dict[str, Any] = {"__name__": f"seed_example_{name}"}
    exec(compile(definitions, name, "exec"), namespace)  # the seed's own example, verbatim
    namespace[class_name] = functools.partial(namespace[class_name], base_url)
    printed = io.StringIO()
    try:
        with redirect_stdout(printed):
            exec(compile("# Usage" + usage, name, "exec"), namespace)
    except Exception as exc:  # show what the gateway answered the line that failed
        answers = {k: namespace[k] for k in ("result", "user", "session", "response") if k in namespace}
        exc.add_note(f"the example's variables: {answers}")
        raise
    return namespace, printed.getvalue()


def test_seed_001_python_example_as_written_is_refused_for_want_of_credentials(stack: Stack) -> None:
    with pytest.raises(KeyError, match="response"):
        run_python("seed001_python.txt", "CustomerSupportClient", stack.url)


def test_seed_001_python_example_runs_with_an_api_key(
    stack: Stack, api_key_headers: dict[str, str], requests_with: Any
) -> None:
    requests_with(api_key_headers)
    namespace, printed = run_python("seed001_python.txt", "CustomerSupportClient", stack.url)
    result = namespace["result"]
    assert printed.strip() and printed.strip() == result["response"].strip()
    assert isinstance(result["escalated"], bool) and isinstance(result["response_time_ms"], int)
    # The example's other method, as its usage would call it.
    ticket = namespace["client"].create_escalation("sess_123", "manual_request")
    assert ticket["session_id"] == "sess_123" and ticket["priority"] == "medium" and ticket["ticket_id"]


def test_seed_004_python_example_as_written_is_refused_for_want_of_credentials(stack: Stack) -> None:
    with pytest.raises(KeyError, match="data"):
        run_python("seed004_python.txt", "ChatbotClient", stack.url)


def test_seed_004_python_example_runs_with_an_api_key(
    stack: Stack, api_key_headers: dict[str, str], requests_with: Any, tmp_path: Path
) -> None:
    requests_with(api_key_headers)
    namespace, printed = run_python("seed004_python.txt", "ChatbotClient", stack.url)
    user, session, response = namespace["user"], namespace["session"], namespace["response"]
    assert user["success"] is True and user["data"]["email"] == "john@example.com"
    assert session["data"]["user_id"] == user["data"]["id"] and namespace["client"].session_token
    assert printed.strip() == response["response"].strip() and response["user_info"]["id"] == user["data"]["id"]
    # The example's upload method, on a file of its own.
    manual = tmp_path / "returns.txt"
    manual.write_text("Returns are accepted within 30 days of delivery with the original receipt.\n")
    uploaded = namespace["client"].upload_document(str(manual))
    assert uploaded["success"] is True and uploaded["data"]["total_failed"] == 0, uploaded


def test_seed_001_python_example_runs_unchanged_in_the_sandbox(sandbox_stack: Stack) -> None:
    namespace, printed = run_python("seed001_python.txt", "CustomerSupportClient", sandbox_stack.url)
    result = namespace["result"]
    assert printed.strip() and printed.strip() == result["response"].strip()
    assert isinstance(result["escalated"], bool) and isinstance(result["response_time_ms"], int)
    ticket = namespace["client"].create_escalation("sess_123", "manual_request")
    assert ticket["session_id"] == "sess_123" and ticket["priority"] == "medium" and ticket["ticket_id"]
    assert b"SANDBOX MODE" in (sandbox_stack.data_dir / "up.log").read_bytes()  # the launcher said so, loudly


def test_seed_004_python_example_runs_unchanged_in_the_sandbox(sandbox_stack: Stack, tmp_path: Path) -> None:
    namespace, printed = run_python("seed004_python.txt", "ChatbotClient", sandbox_stack.url)
    user, response = namespace["user"], namespace["response"]
    assert user["success"] is True and user["data"]["email"] == "john@example.com"
    assert printed.strip() == response["response"].strip() and response["user_info"]["id"] == user["data"]["id"]
    manual = tmp_path / "returns.txt"
    manual.write_text("Returns are accepted within 30 days of delivery with the original receipt.\n")
    uploaded = namespace["client"].upload_document(str(manual))
    assert uploaded["success"] is True and uploaded["data"]["total_failed"] == 0, uploaded
    # What the sandbox made is the sandbox tenant's: the operator's own tenant has no such customer.
    theirs = httpx.get(f"{sandbox_stack.url}/crm/users", headers=sandbox_stack.auth(), timeout=TIMEOUT)
    assert theirs.status_code == 200 and "john@example.com" not in theirs.text
    # A wrong credential is still refused on the sandbox stack.
    forged = httpx.get(f"{sandbox_stack.url}/crm/users", headers={"X-API-Key": "sb_forged"}, timeout=TIMEOUT)
    assert forged.status_code == 401


def run_javascript(stack: Stack, tmp_path: Path, headers: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The seed 001 JavaScript example as an ES module on Node: its class, the class given the base URL, its usage.
    A preamble adds `headers` to fetch (none: the example as written) and reports each answer's status on stderr."""
    code = (HERE / "seed001_javascript.txt").read_text()
    definitions, usage = code.split("// Usage", 1)
    preamble = (
        "const sent = JSON.parse(process.env.SEED_HEADERS);\n"
        "const send = globalThis.fetch;\n"
        "globalThis.fetch = (url, init = {}) => send(url, {...init, headers: {...sent, ...(init.headers || {})}})\n"
        "  .then((r) => { console.error(JSON.stringify({status: r.status})); return r; });\n"
    )
    with_base_url = (
        "CustomerSupportClient = ((Client) => class extends Client {\n"
        "  constructor() { super(process.env.SEED_BASE_URL); }\n"
        "})(CustomerSupportClient);\n"
    )
    script = tmp_path / "seed001_example.mjs"
    script.write_text(preamble + definitions + with_base_url + "// Usage" + usage)
    env = {**os.environ, "SEED_HEADERS": json.dumps(headers), "SEED_BASE_URL": stack.url}
    return subprocess.run(["node", str(script)], env=env, capture_output=True, text=True, timeout=180, check=False)


def test_seed_001_javascript_example_as_written_is_refused_for_want_of_credentials(
    stack: Stack, tmp_path: Path
) -> None:
    done = run_javascript(stack, tmp_path, {})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stderr.splitlines()[0]) == {"status": 401}
    assert done.stdout.strip() == "undefined"  # result.response of the 401 envelope


def test_seed_001_javascript_example_runs_with_an_api_key(
    stack: Stack, tmp_path: Path, api_key_headers: dict[str, str]
) -> None:
    done = run_javascript(stack, tmp_path, api_key_headers)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stderr.splitlines()[0]) == {"status": 200}
    assert done.stdout.strip() and done.stdout.strip() != "undefined"


def test_seed_001_javascript_example_runs_unchanged_in_the_sandbox(sandbox_stack: Stack, tmp_path: Path) -> None:
    done = run_javascript(sandbox_stack, tmp_path, {})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stderr.splitlines()[0]) == {"status": 200}
    assert done.stdout.strip() and done.stdout.strip() != "undefined"
