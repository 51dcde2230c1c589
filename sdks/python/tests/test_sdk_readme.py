"""The README's "use it from your code" example runs unchanged against the platform."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sdk_stack import Stack

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_example_runs(stack: Stack, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    example = re.search(r"```python\n(.*?)```", README.read_text(), re.S)
    assert example is not None
    monkeypatch.setenv("SWITCHBOARD_BASE_URL", stack.url)
    monkeypatch.setenv("SWITCHBOARD_API_KEY", stack.api_key)
    exec(compile(example.group(1), str(README), "exec"), {})
    out = capsys.readouterr().out
    assert "5 business days" in out and "Confidence: " in out and "crm_chat NOT_FOUND req_" in out
