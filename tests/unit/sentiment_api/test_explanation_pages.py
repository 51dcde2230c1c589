"""The sentiment service's explanation pages below the API: expiry, redelivery answering with the stored token,
purge of expired pages, and the token format the gateway reads the tenant from."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from libs.errors import Invalid, NotFound
from libs.store import DocumentStore, open_store
from services.gateway.clients.sentiment import token_tenant
from services.sentiment.explain import Explainer
from services.sentiment.explanations import ExplanationService, issue_token
from services.sentiment.model import SentimentModel
from services.sentiment.store import ExplanationRepository, StoredExplanation


@pytest.fixture
async def store() -> AsyncIterator[DocumentStore]:
    db = open_store(database="sentiment")
    yield db
    await db.close()


def _page(page_id: str, tenant: str = "t1", *, expires_in_s: float = 600) -> StoredExplanation:
    return StoredExplanation(
        explanation_id=page_id,
        tenant_id=tenant,
        model_name="switchboard-sentiment",
        html="<p>page</p>",
        access_token=issue_token(tenant),
        expires_at=datetime.now(UTC) + timedelta(seconds=expires_in_s),
    )


async def test_an_expired_page_is_gone_and_purged_when_the_next_one_is_saved(store: DocumentStore) -> None:
    pages = ExplanationRepository(store)
    old = await pages.save(_page("exp-old", expires_in_s=-1))
    assert await pages.open("exp-old", "t1", None) is None
    assert await pages.open("exp-old", "t1", old.access_token) is None
    assert await store.collection("explanations").get("exp-old") is not None
    await pages.save(_page("exp-new"))
    assert await store.collection("explanations").get("exp-old") is None  # customer text does not linger


async def test_pages_open_only_in_their_tenant_and_with_their_token(store: DocumentStore) -> None:
    pages = ExplanationRepository(store)
    page = await pages.save(_page("exp-1"))
    assert await pages.open("exp-1", "t1", None) == replace(page, access_token=None)
    assert await pages.open("exp-1", "t1", page.access_token) == page
    assert await pages.open("exp-1", "t2", None) is None
    assert await pages.open("exp-1", "t2", page.access_token) is None
    assert await pages.open("exp-1", "t1", issue_token("t1")) is None


async def test_a_redelivered_explain_answers_with_the_stored_page_and_token(
    store: DocumentStore, sentiment_model: SentimentModel
) -> None:
    service = ExplanationService(
        Explainer(lambda: sentiment_model), ExplanationRepository(store), deployments={}, ttl_s=600
    )
    _, first = await service.explain("exp-a", "t1", "sentiment", "Great service, thanks!", "shap")
    _, again = await service.explain("exp-a", "t1", "sentiment", "Great service, thanks!", "shap")
    assert replace(again, access_token=None) == replace(first, access_token=None)
    # Whichever reply reached the caller, its token opens the page.
    for token in (first.access_token, again.access_token):
        assert (await service.page("exp-a", "t1", token)).html == first.html
    with pytest.raises(NotFound) as missing:
        await service.page("exp-a", "t2", None)
    assert missing.value.details == {"explanation_id": "exp-a"}


async def test_the_store_keeps_only_token_hashes(store: DocumentStore) -> None:
    page = await ExplanationRepository(store).save(_page("exp-h"))
    stored = await store.collection("explanations").get("exp-h")
    assert stored is not None and page.access_token is not None
    assert page.access_token not in str(stored) and page.access_token.split(".")[1] not in str(stored)


async def test_method_model_and_text_are_checked_before_any_work(
    store: DocumentStore, sentiment_model: SentimentModel
) -> None:
    service = ExplanationService(
        Explainer(lambda: sentiment_model), ExplanationRepository(store), deployments={"prod": "sentiment"}, ttl_s=600
    )
    assert service.resolve("prod") == "switchboard-sentiment"
    with pytest.raises(Invalid) as method:
        await service.explain("exp-b", "t1", "sentiment", "text", "lime")
    assert "explanation_method" in method.value.details
    with pytest.raises(NotFound) as model:
        await service.explain("exp-b", "t1", "nope", "text", "shap")
    assert model.value.details["model_name"] == "nope"
    with pytest.raises(Invalid) as text:
        await service.explain("exp-b", "t1", "sentiment", "   ", "shap")
    assert "text" in text.value.details
    assert await store.collection("explanations").count() == 0


@pytest.mark.parametrize("tenant", ["default", "tenant-b", "ünïcode tenant/with.dots", "t" * 150])
def test_the_gateway_reads_the_tenant_back_from_a_token(tenant: str) -> None:
    token = issue_token(tenant)
    assert token_tenant(token) == tenant
    assert token_tenant(token.split(".", 1)[1]) is None


@pytest.mark.parametrize(
    "bad", ["", ".", "abc", "@@@.0123456789abcdefghij", "ZGVmYXVsdA.short", ".0123456789abcdefghij"]
)
def test_malformed_tokens_name_no_tenant(bad: str) -> None:
    assert token_tenant(bad) is None
