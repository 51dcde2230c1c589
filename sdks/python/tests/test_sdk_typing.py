"""A type checker sees the concrete generated model of every call, sync and async, and catches misuse.

mypy checks typed_usage.py (must pass) and typed_misuse.py (must fail on exactly its marked lines); typed_usage.py
then runs against the platform, so the static types asserted there are the ones the calls really return.
"""

from __future__ import annotations

import asyncio
import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest

from switchboard_sdk import AsyncChatClient, AsyncSwitchboard, ChatClient, Switchboard, namespaces

from sdk_stack import Stack

HERE = Path(__file__).resolve().parent
MISUSE = HERE / "typed_misuse.py"


def _mypy(*files: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", *map(str, files)]
    return subprocess.run(command, cwd=HERE.parent, capture_output=True, text=True, timeout=600)


def test_mypy_sees_models_and_catches_misuse() -> None:
    result = _mypy(HERE / "typed_usage.py", MISUSE)
    errors = [line for line in result.stdout.splitlines() if ": error: " in line]
    assert not [e for e in errors if "typed_usage.py" in e], result.stdout  # every assert_type holds
    expected = {
        (n, code)
        for n, line in enumerate(MISUSE.read_text().splitlines(), 1)
        for code in re.findall(r"# misuse: ([\w-]+)", line)
    }
    found = {(int(e.split(":")[1]), e.rsplit("[", 1)[1].rstrip("]")) for e in errors}
    assert found == expected, result.stdout
    assert result.returncode == 1


GENERATED = [n for n, obj in vars(namespaces).items() if inspect.isclass(obj) and obj.__module__ == namespaces.__name__]


@pytest.mark.parametrize("name", GENERATED)
def test_every_generated_method_names_its_model(name: str) -> None:
    """No call is left as `Any`: each returns a generated model (or pages of one), awaited in the async classes."""
    cls = getattr(namespaces, name)
    methods = [f for n, f in vars(cls).items() if inspect.isfunction(f) and not n.startswith("_")]
    assert methods
    for method in methods:
        returns = inspect.signature(method).return_annotation
        assert re.fullmatch(r"(Async)?(Pages\[)?m\.\w+\]?", returns), (method.__qualname__, returns)
        paged = returns.startswith(("Pages", "AsyncPages"))
        assert inspect.iscoroutinefunction(method) == (name.startswith("Async") and not paged), method.__qualname__
        assert not paged or returns.startswith("AsyncPages") == name.startswith("Async"), method.__qualname__


def test_typed_usage_runs_against_the_platform(stack: Stack) -> None:
    import typed_usage

    with Switchboard(stack.api_key, base_url=stack.url) as client:
        typed_usage.sync_calls(client, stack.admin_email, stack.admin_password)
    with ChatClient(stack.api_key, base_url=stack.url) as chat:
        typed_usage.chat_calls(chat)

    async def run() -> None:
        async with AsyncSwitchboard(stack.api_key, base_url=stack.url) as client:
            await typed_usage.async_calls(client)
        async with AsyncChatClient(stack.api_key, base_url=stack.url) as chat:
            await typed_usage.async_chat_calls(chat)

    asyncio.run(run())
