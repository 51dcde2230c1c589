"""Fixtures for the sentiment API tests: one in-process gateway + sentiment platform per test (see platform.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from services.sentiment.model import SentimentModel, shared_sentiment_model
from tests.unit.sentiment_api.platform import Platform, sentiment_platform


@pytest.fixture
async def platform(tmp_path: Path) -> AsyncIterator[Platform]:
    async with sentiment_platform(tmp_path) as p:
        yield p


@pytest.fixture(scope="session")
def sentiment_model() -> SentimentModel:
    return shared_sentiment_model()
