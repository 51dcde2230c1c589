"""Loads the packaged sentiment model once per test session (it is read-only and thread-safe)."""

from __future__ import annotations

import pytest

from services.sentiment.model import SentimentModel, load_sentiment_model


@pytest.fixture(scope="session")
def model() -> SentimentModel:
    return load_sentiment_model()


@pytest.fixture(scope="session")
def fallback_model() -> SentimentModel:
    return load_sentiment_model(prefer_finetuned=False)
