"""What a type checker sees of the SDK: `assert_type` pins each call's static type, `isinstance` its run-time one.

Type-checked by mypy and run against the platform by test_sdk_typing.py, so the two can never drift apart.
"""

from __future__ import annotations

import uuid
from typing import assert_type

from switchboard_sdk import AsyncChatClient, AsyncSwitchboard, ChatClient, ChatResponse, Switchboard
from switchboard_sdk import models as m

SessionView = m.ServicesGatewayDialectsTieredCsResponsesSessionView


def sync_calls(client: Switchboard, email: str, password: str) -> None:
    sentiment = client.insights.analyze_sentiment(text="I love how quickly you fixed this!")
    assert_type(sentiment, m.OkSentimentOut)
    assert_type(sentiment.data.sentiment, str)
    assert isinstance(sentiment, m.OkSentimentOut) and sentiment.data.sentiment == "positive"
    login = client.insights.login(email, password)
    assert_type(login.data.token, str)
    assert isinstance(login, m.OkLoginOut) and login.data.token
    health = client.support_agent.health()
    assert_type(health, m.Health)
    assert isinstance(health, m.Health)
    started = client.tiered_cs.start_session(companyId="default", customerId="cust_typed", channel="chat")
    assert_type(started, m.StartedSession)
    assert isinstance(started, m.StartedSession)
    for session in client.tiered_cs.iter_sessions(companyId="default", limit=1):
        assert_type(session, SessionView)
        assert isinstance(session, SessionView)
    for user in client.crm_chat.iter_users(per_page=1):
        assert_type(user, m.UserListItem)
        assert isinstance(user, m.UserListItem)
    for item in client.insights.iter_review_queue(limit=1):
        assert_type(item, m.ReviewItem)


async def async_calls(client: AsyncSwitchboard) -> None:
    sentiment = await client.insights.analyze_sentiment(text="This is broken again.")
    assert_type(sentiment, m.OkSentimentOut)
    assert isinstance(sentiment, m.OkSentimentOut) and sentiment.data.sentiment == "negative"
    article = await client.kb_platform.upsert_article(title="Typed", content="Typed answers are models.")
    assert_type(article, m.ArticleOut)
    assert isinstance(article, m.ArticleOut)
    user = await client.crm_chat.create_user(name="Typed User", email=f"typed-{uuid.uuid4().hex[:8]}@example.com")
    assert_type(user, m.OkUserRecord)
    assert isinstance(user, m.OkUserRecord)
    async for session in client.tiered_cs.iter_sessions(companyId="default", limit=1):
        assert_type(session, SessionView)
        assert isinstance(session, SessionView)


def chat_calls(chat: ChatClient) -> None:
    reply = chat.send_message(message="How long do refunds take?", user_id="user_typed")
    assert_type(reply, ChatResponse)
    assert_type(chat.get_conversation(reply.conversation_id), m.ConversationView)


async def async_chat_calls(chat: AsyncChatClient) -> None:
    reply = await chat.send_message(message="How long do refunds take?", user_id="user_typed")
    assert_type(await chat.get_conversation(reply.conversation_id), m.ConversationView)
