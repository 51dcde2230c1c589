"""Issue 20 #7: every kind of resource tenant A creates is invisible and untouchable for tenant B — by id on every
verb, in every list, in RAG answers, and through A's session tokens and PII tokens."""

from __future__ import annotations

from tests.support.tenant_probe import answer_leaks, by_id_leaks, create_everything, list_leaks, own_answer
from tests.unit.security.conftest import Stack


async def test_tenant_b_reaches_none_of_tenant_a_resources(stack: Stack) -> None:
    c = stack.client
    a, b = await stack.tenant("acme"), await stack.tenant("globex")
    ids = await create_everything(c, a, "acme")
    assert await by_id_leaks(c, b, ids) == {}
    # A's resources are all still there and unchanged for A.
    assert (await c.get(f"/api/escalation/{ids['ticket']}", headers=a)).json()["status"] == "open"
    assert (await c.get("/rag/documents", headers=a)).json()["data"][0]["filename"] == "secret.txt"
    own_session = await c.get(f"/api/session/{ids['session']}", headers=a)
    assert own_session.status_code == 200 and "What is new?" not in own_session.text  # B's turn went to B's session
    own_conversation = await c.get(f"/api/v1/conversations/{ids['conversation']}", headers=a)
    assert "and?" not in own_conversation.text


async def test_lists_stats_and_answers_of_tenant_b_show_nothing_of_a(stack: Stack) -> None:
    c = stack.client
    a, b = await stack.tenant("acme"), await stack.tenant("globex")
    await create_everything(c, a, "acme")
    assert await list_leaks(c, b, "acme", "globex") == {}
    assert await answer_leaks(c, b) == {}  # B asking for A's knowledge gets none of it
    assert "Zebra-Falcon-42" in await own_answer(c, a)  # the same question does reach A's own knowledge
