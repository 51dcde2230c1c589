"""by_document: the passages the turn reads come grouped by document, documents in retrieval order."""

from __future__ import annotations

from services.rag.models import Passage
from services.rag.retrieval import by_document


def passage(source: str, chunk: int, score: float, *, article: bool = True) -> Passage:
    return Passage(
        content=f"{source} chunk {chunk}",
        source=source,
        filename=None if article else source,
        chunk_id=f"{source}_chunk_{chunk}",
        article_id=source if article else None,
        score=score,
    )


def test_a_near_tie_documents_chunk_no_longer_sits_between_the_first_documents() -> None:
    ranked = [passage("kb_a", 0, 0.99), passage("kb_b", 3, 0.95), passage("kb_a", 2, 0.93), passage("kb_b", 1, 0.9)]
    assert [p.chunk_id for p in by_document(ranked)] == ["kb_a_chunk_0", "kb_a_chunk_2", "kb_b_chunk_3", "kb_b_chunk_1"]


def test_files_group_by_source_and_an_ordered_list_is_unchanged() -> None:
    ranked = [
        passage("faq.md", 0, 0.9, article=False),
        passage("kb_x", 0, 0.8),
        passage("faq.md", 4, 0.7, article=False),
    ]
    assert [p.chunk_id for p in by_document(ranked)] == ["faq.md_chunk_0", "faq.md_chunk_4", "kb_x_chunk_0"]
    assert by_document(by_document(ranked)) == by_document(ranked)
    assert by_document([]) == []
