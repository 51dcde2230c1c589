"""Fixtures for ai/* API tests: the in-process platform of platform.py with no provider keys (local only)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.unit.ai_api.platform import Platform, ai_platform


@pytest.fixture
async def platform(tmp_path: Path) -> AsyncIterator[Platform]:
    async with ai_platform(tmp_path) as p:
        yield p
