"""Each namespace against the running gateway: typed errors per dialect, auto-pagination, sync and async."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from switchboard_sdk import (
    AsyncSwitchboard,
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    Switchboard,
    models,
)

from sdk_stack import Stack


@pytest.fixture
def client(stack: Stack) -> Switchboard:
    return Switchboard(stack.api_key, base_url=stack.url)


def test_insights_sentiment_and_login(client: Switchboard, stack: Stack) -> None:
    result = client.insights.analyze_sentiment(text="I love how quickly you fixed this!")
    assert isinstance(result, models.OkSentimentOut)  # the generated response model, not a dict
    assert result.error is False and result.data.sentiment == "positive" and result.data.analysis.model
    token = client.insights.login(stack.admin_email, stack.admin_password).data.token
    with Switchboard(token, base_url=stack.url) as by_jwt:  # a JWT works wherever the key does
        assert by_jwt.insights.analyze_sentiment(text="This is broken again.").data.sentiment == "negative"


@pytest.mark.parametrize(
    ("call", "dialect", "code"),
    [
        (lambda c: c.kb_platform.get_conversation("conv_missing"), "kb_platform", "not_found"),
        (lambda c: c.tiered_cs.get_session("sess_missing"), "tiered_cs", "CS_002"),
        (lambda c: c.crm_chat.get_user("user_missing"), "crm_chat", "NOT_FOUND"),
        (lambda c: c.support_agent.get_session("missing"), "support_agent", "NOT_FOUND_ERROR"),
        (lambda c: c.support_agent.get_escalation("missing"), "support_agent", "NOT_FOUND_ERROR"),
    ],
)
def test_each_dialect_envelope_becomes_a_typed_error(client: Switchboard, call, dialect: str, code: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotFoundError) as caught:
        call(client)
    error = caught.value
    assert (error.status_code, error.dialect, error.code) == (404, dialect, code)
    assert error.request_id and error.request_id.startswith("req_") and error.message


def test_bad_key_and_refused_body(stack: Stack, client: Switchboard) -> None:
    with pytest.raises(AuthenticationError) as caught:
        Switchboard("sb_wrong", base_url=stack.url).insights.ai_providers()
    assert caught.value.dialect == "insights" and caught.value.status_code == 401
    with pytest.raises(BadRequestError) as refused:  # valid for the schema, refused by the service: no companyId
        client.tiered_cs.start_session(customerId="cust_1", channel="chat")
    assert refused.value.code == "CS_005"
    with pytest.raises(ValidationError):  # caught before it leaves: the generated model knows the schema
        client.insights.analyze_sentiment(text="")


def test_auto_pagination_walks_every_page(client: Switchboard) -> None:
    made = {client.tiered_cs.start_session(customerId=f"pager_{i}", channel="chat", companyId="default").id
            for i in range(5)}  # fmt: skip
    seen = [s.id for s in client.tiered_cs.iter_sessions(limit=2, companyId="default")]
    assert made <= set(seen) and len(seen) == len(set(seen))
    emails = {f"pager{i}@example.com" for i in range(3)}
    for email in emails:
        client.crm_chat.create_user(name="Pager", email=email)
    assert emails <= {u.email for u in client.crm_chat.iter_users(per_page=1)}


def test_support_agent_session_round_trip(client: Switchboard) -> None:
    created = client.support_agent.create_session(customer_id="cust_sa")
    session_id = created.session_id
    assert client.support_agent.get_session(session_id).session_id == session_id
    assert client.support_agent.health().status in ("healthy", "degraded")


async def test_async_client_same_surface(stack: Stack) -> None:
    async with AsyncSwitchboard(stack.api_key, base_url=stack.url) as client:
        result = await client.insights.analyze_sentiment(text="Thanks, that was quick!")
        assert isinstance(result, models.OkSentimentOut) and result.data.sentiment == "positive"
        await client.tiered_cs.start_session(customerId="async_1", channel="email", companyId="default")
        ids = [s.id async for s in client.tiered_cs.iter_sessions(limit=1, companyId="default", customerId="async_1")]
        assert len(ids) == 1
        with pytest.raises(NotFoundError):
            await client.crm_chat.get_user("user_missing")


def test_publishable_keys_for_the_widget(client: Switchboard) -> None:
    created = client.insights.create_publishable_key(name="shop", allowed_origins=["https://shop.example"]).data
    assert created.key.startswith("pk_")
    listed = client.insights.list_publishable_keys().data.publishable_keys
    assert created.id in {k.id for k in listed} and all("key" not in k.model_dump() for k in listed)
    assert client.insights.revoke_publishable_key(created.id).data.revoked is True


def test_documents_upload_list_and_delete(client: Switchboard) -> None:
    text = b"Shipping to Canada takes 5 to 7 business days and costs 12 dollars."
    uploaded = client.crm_chat.upload_docs([("shipping-sdk.txt", text, "text/plain")])
    assert uploaded.success is True and uploaded.data.total_failed == 0, uploaded
    names = {d.filename for d in client.crm_chat.iter_documents(per_page=1)}
    assert "shipping-sdk.txt" in names
    assert client.crm_chat.delete_document("shipping-sdk.txt").data.filename == "shipping-sdk.txt"
