"""KnowledgeBase on real SQLite and real Qdrant local mode: upload, retrieve with sources, replace, delete, isolate."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from libs.embeddings import get_encoder
from libs.errors import NotFound
from libs.store import open_store
from services.rag.fusion import FusionConfig
from services.rag.index import VectorIndex
from services.rag.knowledge import KnowledgeBase
from services.rag.models import MAX_FILE_BYTES
from services.rag.retrieval import rank_passages
from services.rag.store import RagRepository
from tests.support.documents import minimal_pdf

pytestmark = pytest.mark.integration

WARRANTY_PDF = minimal_pdf("The Zephyr blender carries a seven year warranty on its motor.")
PLANS_CSV = (
    b"plan,monthly price,support channel\n"
    b"Starter,9 dollars,email only\n"
    b"Business,49 dollars,phone and chat around the clock\n"
)
SHIPPING_TXT = (
    b"Shipping policy. Orders placed before noon leave our Rotterdam warehouse the same day. "
    b"Deliveries to islands take an extra three days."
)


@dataclass
class Env:
    kb: KnowledgeBase
    index: VectorIndex
    repo: RagRepository
    root: Path


async def open_env(root: Path) -> Env:
    repo = RagRepository(open_store(database="rag", sqlite_dir=root))
    await repo.setup()
    index = VectorIndex(path=root / "qdrant")
    return Env(KnowledgeBase(repo=repo, index=index), index, repo, root)


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    opened = await open_env(tmp_path)
    yield opened
    opened.index.close()


async def upload_three(kb: KnowledgeBase, tenant: str = "acme") -> None:
    results = await kb.ingest_files(
        tenant,
        [
            ("warranty.pdf", WARRANTY_PDF, "application/pdf"),
            ("plans.csv", PLANS_CSV, "text/csv"),
            ("shipping.txt", SHIPPING_TXT, "text/plain"),
        ],
    )
    assert [(r.filename, r.status, r.type) for r in results] == [
        ("warranty.pdf", "success", "application/pdf"),
        ("plans.csv", "success", "text/csv"),
        ("shipping.txt", "success", "text/plain"),
    ]
    assert [r.chunks_created for r in results] == [1, 2, 1]  # one page; one passage per CSV row; one text


async def test_each_question_is_answered_from_the_one_file_that_knows(env: Env) -> None:
    await upload_three(env.kb)
    questions = {
        "How long is the motor guarantee on the blender?": "warranty.pdf",
        "Which plan gives me phone support at night?": "plans.csv",
        "When does my order leave the warehouse?": "shipping.txt",
    }
    for question, filename in questions.items():
        passages = await env.kb.retrieve("acme", question, top_k=3)
        assert passages[0].filename == filename == passages[0].source
        assert passages[0].chunk_id and passages[0].article_id is None
    business = (await env.kb.retrieve("acme", "Which plan gives me phone support at night?", top_k=1))[0]
    assert (
        business.content
        == "plan: Business\nmonthly price: 49 dollars\nsupport channel: phone and chat around the clock"
    )


async def test_the_turn_gets_only_documents_near_the_best_one(env: Env) -> None:
    """The focus margin: a clear winner's passages alone go to the answer (no weaker file to cite ahead of it);
    without a margin every document among the top_k comes along."""
    await upload_three(env.kb)
    question = "How long is the motor guarantee on the blender?"
    for margin, expected in ((0.1, {"warranty.pdf"}), (None, {"warranty.pdf", "plans.csv", "shipping.txt"})):
        passages = rank_passages(
            env.index, get_encoder(), "acme", question, 5, 50, "hybrid", FusionConfig(focus_margin=margin)
        )
        assert passages[0].filename == "warranty.pdf"
        assert {p.filename for p in passages} == expected, margin


async def test_stats_list_and_delete_account_for_every_chunk(env: Env) -> None:
    await upload_three(env.kb)
    stats = await env.kb.stats("acme")
    assert (stats.total_documents, stats.total_chunks) == (3, 4)
    assert stats.file_types == {"pdf": 1, "csv": 1, "txt": 1}
    assert stats.total_size_bytes == len(WARRANTY_PDF) + len(PLANS_CSV) + len(SHIPPING_TXT)
    assert stats.collection_health == "healthy" and stats.avg_chunk_size > 0
    page = await env.kb.list_documents("acme", page=1, page_size=2)
    assert (page.total, page.pages, len(page.items)) == (3, 2, 2)
    assert {d.status for d in page.items} == {"processed"}

    version = await env.kb.knowledge_version("acme")
    freed = await env.kb.delete_document("acme", "plans.csv")
    assert (freed.chunks_removed, freed.vectors_removed, freed.size_freed) == (2, 2, len(PLANS_CSV))
    assert await env.kb.knowledge_version("acme") > version
    hits = await env.kb.retrieve("acme", "Which plan gives me phone support at night?", top_k=10)
    assert all(p.filename != "plans.csv" for p in hits)
    stats = await env.kb.stats("acme")
    assert (stats.total_documents, stats.total_chunks, stats.file_types.get("csv")) == (2, 2, None)
    assert env.index.count("acme") == 2
    with pytest.raises(NotFound):
        await env.kb.delete_document("acme", "plans.csv")


async def test_tenants_never_see_each_other(env: Env) -> None:
    await upload_three(env.kb, tenant="acme")
    await env.kb.ingest_file("globex", "faq.txt", b"Globex support hours are nine to five on weekdays.", None)
    for use_mirror in (True, False):  # the in-process mirror and Qdrant's own filtered query
        passages = rank_passages(
            env.index, get_encoder(), "globex", "blender motor warranty", 10, 50, "hybrid", FusionConfig(),
            use_mirror=use_mirror,
        )  # fmt: skip
        assert [p.filename for p in passages] == ["faq.txt"]
    assert await env.kb.retrieve("initech", "warranty", top_k=5) == []  # empty knowledge base: no error
    assert (await env.kb.stats("globex")).total_documents == 1
    with pytest.raises(NotFound):
        await env.kb.delete_document("globex", "warranty.pdf")


async def test_bad_files_fail_alone(env: Env) -> None:
    results = await env.kb.ingest_files(
        "acme",
        [
            ("fake.pdf", b"plain text, not a pdf", "application/pdf"),
            ("broken.pdf", WARRANTY_PDF[:80], "application/pdf"),
            ("empty.txt", b"", "text/plain"),
            ("latin.txt", "prix très bas".encode("latin-1"), "text/plain"),
            ("../../etc/passwd", b"root:x:0:0", "text/plain"),
            ("huge.txt", b"a" * MAX_FILE_BYTES, "text/plain"),
            ("shipping.txt", SHIPPING_TXT, "text/plain"),
        ],
    )
    assert [r.error_code for r in results] == [
        "type_mismatch", "corrupt", "empty", "encoding", "invalid_filename", "too_large", None,
    ]  # fmt: skip
    assert all(r.error for r in results[:-1]) and results[-1].status == "success"
    stats = await env.kb.stats("acme")
    assert (stats.total_documents, stats.total_chunks) == (1, 1)
    listed = {d.filename: d.status for d in (await env.kb.list_documents("acme", 1, 100)).items}
    assert listed["fake.pdf"] == "failed" and listed["shipping.txt"] == "processed"
    assert "../../etc/passwd" not in listed


async def test_reupload_replaces_without_leftovers(env: Env) -> None:
    await env.kb.ingest_file("acme", "shipping.txt", SHIPPING_TXT, "text/plain")
    first = await env.repo.get_document("acme", "shipping.txt")
    new = b"Shipping policy. All parcels now leave from the Antwerp hub within 48 hours."
    result = await env.kb.ingest_file("acme", "shipping.txt", new, "text/plain")
    assert result.status == "success" and result.replaced
    passages = await env.kb.retrieve("acme", "Where do parcels leave from?", top_k=5)
    assert [p.content for p in passages] == [new.decode()]
    assert env.index.count("acme") == 1
    assert (await env.repo.get_document("acme", "shipping.txt"))["id"] == first["id"]  # type: ignore[index]
    failed = await env.kb.ingest_file("acme", "shipping.txt", b"", "text/plain")
    assert failed.status == "failed"  # a broken re-upload keeps the good version searchable
    assert (await env.kb.retrieve("acme", "Antwerp hub", top_k=1))[0].filename == "shipping.txt"


async def test_articles_update_in_place_by_title_and_category(env: Env) -> None:
    first = await env.kb.upsert_article(
        "acme", title="Password Reset Guide", content="Click Forgot Password on the login page.",
        category="account-management", tags=["password"],
    )  # fmt: skip
    again = await env.kb.upsert_article(
        "acme", title="password reset guide ", content="Open Settings, then Security, then Reset password.",
        category="account-management",
    )  # fmt: skip
    assert first.article_id == again.article_id and again.updated and not first.updated
    assert again.created_at == first.created_at and again.indexed and again.status == "published"
    passages = await env.kb.retrieve("acme", "how do I reset my password", top_k=5)
    assert [p.source for p in passages] == [first.article_id]
    assert "Settings" in passages[0].content
    other = await env.kb.upsert_article("acme", title="Password Reset Guide", content="x y z", category="billing")
    assert other.article_id != first.article_id
    assert (await env.kb.stats("acme")).total_articles == 2


async def test_index_survives_a_restart(tmp_path: Path) -> None:
    first = await open_env(tmp_path)
    await upload_three(first.kb)
    first.index.close()
    reopened = await open_env(tmp_path)
    try:
        passages = await reopened.kb.retrieve("acme", "blender motor warranty years", top_k=1)
        assert passages[0].filename == "warranty.pdf"
        assert (await reopened.kb.stats("acme")).total_chunks == 4
    finally:
        reopened.index.close()


async def test_redaction_placeholders_change_nothing_retrieval_finds(env: Env) -> None:
    """The turn retrieves with the redacted message: `[NAME_1]`, `[LOCATION_1]` carry no content to match."""
    await upload_three(env.kb)
    redacted = "[NAME_1] here: when does my order leave the [LOCATION_1] warehouse?"
    plain = "here: when does my order leave the warehouse?"
    vector, plain_vector = await env.kb.embed_query(redacted), await env.kb.embed_query(plain)
    assert float(vector @ plain_vector) > 0.9999
    found = await env.kb.retrieve("acme", redacted, top_k=4, query_vector=vector)
    expected = await env.kb.retrieve("acme", plain, top_k=4)
    assert [(p.chunk_id, p.score, p.similarity) for p in found] == [
        (p.chunk_id, p.score, p.similarity) for p in expected
    ]
    assert found[0].filename == "shipping.txt"


async def test_queries_embedded_together_match_each_embedded_alone(env: Env) -> None:
    queries = ["How do I reset my password?", "refund", "Why was my card declined twice this week at the shop?"]
    together = await asyncio.gather(*(env.kb.embed_query(q) for q in queries))
    alone = get_encoder().encode(queries[:1]), get_encoder().encode(queries[1:2]), get_encoder().encode(queries[2:])
    for vector, single in zip(together, alone, strict=True):
        assert vector.shape == (384,)
        assert float(vector @ single[0]) > 0.999  # padding in a shared batch is masked: same meaning vector
