"""Mistakes a type checker must catch (test_sdk_typing.py expects mypy to report each marked line)."""

from __future__ import annotations

from switchboard_sdk import AsyncSwitchboard, Switchboard


def wrong_attribute(client: Switchboard) -> None:
    print(client.insights.analyze_sentiment(text="ok").data.sentimnet)  # misuse: attr-defined


def wrong_field_type(client: Switchboard) -> int:
    return client.insights.login("a@example.com", "pw").data.token  # misuse: return-value


def wrong_item_attribute(client: Switchboard) -> None:
    for user in client.crm_chat.iter_users():
        print(user.no_such_column)  # misuse: attr-defined


async def forgot_await(client: AsyncSwitchboard) -> None:
    print(client.insights.ai_providers().data)  # misuse: attr-defined


async def sync_iteration_of_async_pages(client: AsyncSwitchboard) -> None:
    for session in client.tiered_cs.iter_sessions():  # misuse: attr-defined
        print(session)
