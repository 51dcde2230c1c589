"""Chunking: token budgets, overlap, sentence-end cuts, headings and atomic rows."""

from __future__ import annotations

import itertools

import pytest

from libs.errors import Invalid
from services.rag.chunking import TokenChunker, minilm_offsets, word_offsets
from services.rag.models import Section


def words(text: str) -> list[str]:
    return text.split()


def test_short_section_is_one_chunk_with_its_heading() -> None:
    chunks = TokenChunker(32, 4, tokenize=word_offsets).chunk([Section("a short body", heading="Title")])
    assert [(c.text, c.heading, c.embed_text) for c in chunks] == [("a short body", "Title", "Title\na short body")]


def test_windows_respect_budget_and_overlap() -> None:
    text = " ".join(f"w{i}" for i in range(100))
    chunks = TokenChunker(20, 5, tokenize=word_offsets).chunk([Section(text)])
    sizes = [len(words(c.text)) for c in chunks]
    assert max(sizes) <= 20
    for first, second in itertools.pairwise(chunks):
        assert words(first.text)[-5:] == words(second.text)[:5]
    covered = {w for c in chunks for w in words(c.text)}
    assert covered == set(words(text))
    assert [c.index for c in chunks] == list(range(len(chunks)))


def test_heading_tokens_count_against_the_budget() -> None:
    text = " ".join(f"w{i}" for i in range(40))
    chunks = TokenChunker(20, 0, tokenize=word_offsets).chunk([Section(text, heading="one two three four")])
    assert all(len(words(c.embed_text)) <= 20 for c in chunks)


def test_windows_prefer_to_end_at_a_sentence() -> None:
    sentence = "alpha beta gamma delta epsilon zeta eta theta."
    text = " ".join([sentence] * 6)
    chunks = TokenChunker(20, 2, tokenize=word_offsets).chunk([Section(text)])
    assert all(c.text.endswith(".") for c in chunks)


def test_minilm_offsets_are_exact_substrings() -> None:
    text = "Refunds: call +1 555 0100, or e-mail billing@example.com."
    spans = minilm_offsets(text)
    assert text[spans[0][0] : spans[1][1]] == "Refunds"  # word pieces: ref + ##unds
    assert "".join(text[a:b] for a, b in spans).replace(" ", "") == text.replace(" ", "")
    chunk = TokenChunker(16, 2).chunk([Section(text * 10)])
    assert all(len(minilm_offsets(c.text)) <= 16 for c in chunk)


def test_invalid_parameters_are_refused() -> None:
    with pytest.raises(Invalid):
        TokenChunker(8, 0)
    with pytest.raises(Invalid):
        TokenChunker(100, 60)
