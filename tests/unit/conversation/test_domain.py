"""Pure conversation rules: categories, agent routing, cache keys, failed attempts, message checks."""

from __future__ import annotations

from dataclasses import replace

import pytest

from libs.errors import Invalid
from services.conversation.domain import Session, cache_key, check_message, next_failed_attempts, normalize_query
from services.conversation.intents import agent_for, categorize


def test_categories_and_agents() -> None:
    assert categorize("Can I get a personal loan with a credit score of 650?") == ("BILLING", "loan_inquiry", "sales")
    assert categorize("Where is my order?") == ("SHIPPING", "order_status", "support")
    assert categorize("hello there") is None
    assert agent_for("What are the key features of our CRM system?") == "sales_agent"
    assert agent_for("I can't log in, the reset is broken") == "support_agent"
    assert agent_for("Good morning") == "general_agent"


def test_cache_key_normalizes_but_separates_tenant_tier_and_version() -> None:
    assert normalize_query("  How do I RESET my password?? ") == "how do i reset my password"
    key = cache_key("t", "AI_REP", None, "How do I reset?", "v1")
    assert key == cache_key("t", "AI_REP", None, "how do i reset", "v1")
    others = {cache_key("u", "AI_REP", None, "how do i reset", "v1"), cache_key("t", "AI_MANAGER", None, "x", "v1"),
              cache_key("t", "AI_REP", None, "how do i reset", "v2")}  # fmt: skip
    assert key not in others and "reset" not in key


def test_failed_attempts_count_unhelpful_replies_at_this_tier() -> None:
    at = "2026-01-01T00:00:00.000Z"
    fresh = Session("s", "t", "c", "chat", "tiered_cs", at, at, at)
    assert next_failed_attempts(fresh, negative=True) == 0, "no reply yet, nothing failed"
    replied = replace(fresh, tier_replies=1, failed_attempts=1, last_reply_answered=True)
    assert next_failed_attempts(replied, negative=True) == 2
    assert next_failed_attempts(replied, negative=False) == 1
    assert next_failed_attempts(replace(replied, last_reply_answered=False), negative=False) == 2


def test_message_checks_raise_plain_invalid_without_a_dialects_code() -> None:
    for bad in ("", "  ", "x" * 40_000):
        with pytest.raises(Invalid) as caught:
            check_message(bad)
        assert type(caught.value) is Invalid and caught.value.details == {"message": caught.value.details["message"]}
