"""Chunking: token budgets, overlap, sentence-end cuts, headings and atomic rows."""

from __future__ import annotations

import itertools

import pytest
from tokenizers import Tokenizer

from libs.embeddings.encoder import tokenizer_path
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


def test_minilm_chunks_carry_the_ids_of_their_embed_text() -> None:
    tokenizer = Tokenizer.from_file(str(tokenizer_path()))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    text = "Crème brûlée, naïve café. Unbelievably long words: antidisestablishmentarianism! " * 30
    chunks = TokenChunker(40, 6).chunk([Section(text, heading="Menu — desserts")])
    assert len(chunks) > 3
    for chunk in chunks:
        assert chunk.token_ids is not None
        assert list(chunk.token_ids) == tokenizer.encode(chunk.embed_text, add_special_tokens=False).ids


def test_a_cut_inside_a_word_leaves_the_ids_to_the_encoder() -> None:
    # One 92-piece "word" must be cut mid-word; its pieces then tokenize differently on their own.
    chunks = TokenChunker(16, 0).chunk([Section("zq" + "9xq" * 30)])
    assert len(chunks) > 1 and any(c.token_ids is None for c in chunks)
    assert TokenChunker(32, 0, tokenize=word_offsets).chunk([Section("plain words")])[0].token_ids is None
