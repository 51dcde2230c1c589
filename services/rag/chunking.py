"""Sections in, overlapping Chunks out: windows of `chunk_size` MiniLM word-piece tokens, cut at sentence ends.

With the default MiniLM tokenizer each Chunk also carries the word-piece ids of its embed text, so the encoder
does not tokenize it a second time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache

from libs.errors import Invalid
from services.rag.models import Chunk, Section

Offsets = list[tuple[int, int]]
_WORD = re.compile(r"\S+")
_SENTENCE_END = re.compile(r"[.!?:;]$")


@lru_cache(maxsize=1)
def _minilm_tokenizer() -> object:
    # The embedding model's own tokenizer: a chunk of N tokens here is exactly N tokens to the encoder.
    from tokenizers import Tokenizer

    from libs.embeddings.encoder import tokenizer_path

    tokenizer = Tokenizer.from_file(str(tokenizer_path()))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


def minilm_offsets(text: str) -> Offsets:
    """Character spans of the MiniLM word-piece tokens of `text` (no [CLS]/[SEP])."""
    return minilm_tokens(text)[0]


def minilm_tokens(text: str) -> tuple[Offsets, list[int], list[bool]]:
    """Spans, ids and "continues the previous word" flags (a `##` piece) of the MiniLM tokens of `text`."""
    encoding = _minilm_tokenizer().encode(text, add_special_tokens=False)  # type: ignore[attr-defined]
    return encoding.offsets, encoding.ids, [t.startswith("##") for t in encoding.tokens]


def word_offsets(text: str) -> Offsets:
    """Character spans of whitespace-separated words (a model-free tokenizer for tests and tools)."""
    return [m.span() for m in _WORD.finditer(text)]


class TokenChunker:
    """Cuts Sections into Chunks of at most `chunk_size` tokens (heading included) overlapping by `chunk_overlap`.

    A window ends at the last sentence or line end in its final quarter when there is one, so chunks
    rarely stop mid-sentence; the overlap carries context across the cut.
    """

    def __init__(
        self,
        chunk_size: int = 200,
        chunk_overlap: int = 32,
        tokenize: Callable[[str], Offsets] = minilm_offsets,
    ) -> None:
        if chunk_size < 16:
            raise Invalid("chunk_size must be at least 16 tokens", {"field": "chunk_size"})
        if not 0 <= chunk_overlap < chunk_size // 2:
            raise Invalid("chunk_overlap must be in [0, chunk_size / 2)", {"field": "chunk_overlap"})
        self.chunk_size = chunk_size
        self.chunk_overlap = chunk_overlap
        self._tokenize = tokenize
        self._with_ids = tokenize is minilm_offsets

    def _tokens(self, text: str) -> tuple[Offsets, list[int] | None, list[bool]]:
        if self._with_ids:
            return minilm_tokens(text)
        return self._tokenize(text), None, []

    def chunk(self, sections: Sequence[Section]) -> list[Chunk]:
        chunks: list[Chunk] = []
        for section in sections:
            heading, heading_ids, _ = self._tokens(section.heading) if section.heading else ([], [], [])
            for text, ids in self._split(section, len(heading)):
                token_ids = tuple(heading_ids + ids) if heading_ids is not None and ids is not None else None
                chunks.append(Chunk(index=len(chunks), text=text, heading=section.heading, token_ids=token_ids))
        return chunks

    def _split(self, section: Section, heading_tokens: int) -> list[tuple[str, list[int] | None]]:
        budget = max(self.chunk_size - heading_tokens, self.chunk_size // 2)
        text = section.text
        offsets, ids, continues = self._tokens(text)
        if not offsets:
            return []

        def piece(start: int, end: int) -> tuple[str, list[int] | None]:
            span = text[offsets[start][0] : offsets[end - 1][1]]
            # The span tokenizes to ids[start:end] only when it starts and ends on word bounds (no `##` split).
            if ids is None or continues[start] or (end < len(ids) and continues[end]):
                return span, None
            return span, ids[start:end]

        if len(offsets) <= budget:
            return [piece(0, len(offsets))]
        overlap = min(self.chunk_overlap, budget // 2 - 1)
        pieces: list[tuple[str, list[int] | None]] = []
        start = 0
        while True:
            end = min(start + budget, len(offsets))
            if end < len(offsets):
                end = _sentence_cut(text, offsets, start + (3 * budget) // 4, end)
            pieces.append(piece(start, end))
            if end >= len(offsets):
                return pieces
            start = _word_start(text, offsets, max(end - overlap, start + 1), start + 1)


def _sentence_cut(text: str, offsets: Offsets, lowest: int, end: int) -> int:
    """The largest cut in [lowest, end] after a sentence end or line break; else the last word boundary."""
    for cut in range(end, max(lowest, 1) - 1, -1):
        previous_end = offsets[cut - 1][1]
        gap = text[previous_end : offsets[cut][0]] if cut < len(offsets) else ""
        if "\n" in gap or _SENTENCE_END.search(text[offsets[cut - 1][0] : previous_end]):
            return cut
    return _word_start(text, offsets, end, max(lowest, 1))


def _word_start(text: str, offsets: Offsets, cut: int, lowest: int) -> int:
    """Move `cut` back (not below `lowest`) off a word piece continuing a word: chunks hold whole words."""
    while cut > lowest and offsets[cut][0] == offsets[cut - 1][1] and text[offsets[cut][0]].isalnum():
        cut -= 1
    return cut
