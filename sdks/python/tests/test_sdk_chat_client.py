"""Seed 003's own Python example, with only the import and the key changed, against the running platform."""

from __future__ import annotations

import pytest

from switchboard_sdk import AsyncChatClient, ChatClient, NotFoundError, Switchboard

from sdk_stack import Stack

ARTICLE = {
    "title": "Password Reset Guide",
    "content": "To reset your password, click 'Forgot Password' on the login page and follow the link we email you. "
    "The link expires after 24 hours.",
    "category": "account-management",
    "tags": ["password", "security"],
}


@pytest.fixture(scope="module")
def article_id(stack: Stack) -> str:
    with Switchboard(stack.api_key, base_url=stack.url) as client:
        created = client.kb_platform.upsert_article(ARTICLE)
    assert created.status == "published" and created.indexed is True
    return created.article_id


def test_seed_003_example_answers_from_the_knowledge_base(
    stack: Stack, article_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SWITCHBOARD_BASE_URL", stack.url)  # where the seed's example would use the vendor's host
    client = ChatClient(api_key=stack.api_key)

    response = client.send_message(message="How do I reset my password?", user_id="user_12345")

    assert "Forgot Password" in response.answer
    assert 0.0 < response.confidence <= 1.0
    assert article_id in response.sources
    assert response.conversation_id.startswith("conv_") and response.escalated is False
    follow_up = client.send_message(
        message="How long is the reset link valid?", user_id="user_12345", conversation_id=response.conversation_id
    )
    assert follow_up.conversation_id == response.conversation_id
    history = client.get_conversation(response.conversation_id)
    assert [m.sender for m in history.messages] == ["user", "ai", "user", "ai"]
    client.close()


async def test_async_chat_client(stack: Stack, article_id: str) -> None:
    async with AsyncChatClient(stack.api_key, base_url=stack.url) as client:
        response = await client.send_message("I forgot my password, how do I reset it?", "user_async")
        assert article_id in response.sources and response.answer
        with pytest.raises(NotFoundError) as caught:
            await client.get_conversation("conv_does_not_exist")
    assert caught.value.code == "not_found" and caught.value.dialect == "kb_platform"
    assert caught.value.request_id and caught.value.request_id.startswith("req_")
