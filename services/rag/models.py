"""RAG value types: what the knowledge base takes in (sections, chunks) and hands out (passages, results)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

# Uploads must stay under 50 MB (decimal): a file of MAX_FILE_BYTES or more is refused with TooLarge.
MAX_FILE_BYTES = 50_000_000

DocumentStatus = Literal["processing", "processed", "failed"]
SearchMode = Literal["hybrid", "dense", "sparse"]


@dataclass(frozen=True, slots=True)
class Section:
    """A unit of parsed text; `heading` is repeated at the top of every chunk cut from it (context header).

    `atomic` sections (a CSV row, a JSON record) are kept whole when they fit in one chunk.
    """

    text: str
    heading: str = ""
    atomic: bool = False


@dataclass(frozen=True, slots=True)
class Chunk:
    """One indexed passage: `text` is what is shown, `embed_text` (heading + text) is what is embedded.

    `token_ids` are the embedding model's word-piece ids of `embed_text` when the chunker already has them.
    """

    index: int
    text: str
    heading: str = ""
    token_ids: tuple[int, ...] | None = field(default=None, compare=False, repr=False)

    @property
    def embed_text(self) -> str:
        return f"{self.heading}\n{self.text}" if self.heading else self.text


@dataclass(frozen=True, slots=True)
class Passage:
    """A retrieved chunk with its provenance; `score` is the fused rank score (higher is better).

    `similarity` is the dense cosine similarity in [0, 1], an absolute relevance signal for confidence.
    """

    content: str
    source: str
    filename: str | None
    chunk_id: str
    article_id: str | None
    score: float
    similarity: float = 0.0


@dataclass(frozen=True, slots=True)
class FileResult:
    """Outcome of one uploaded file (seed 004 `uploaded_files[]`); `error_code` is machine-readable."""

    filename: str
    size: int
    type: str
    status: Literal["success", "failed"]
    chunks_created: int = 0
    error: str | None = None
    error_code: str | None = None
    replaced: bool = False


@dataclass(frozen=True, slots=True)
class ArticleResult:
    """Seed 003 `POST /api/v1/knowledge-base` answer."""

    article_id: str
    status: str
    indexed: bool
    created_at: datetime
    updated: bool
    chunks: int


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """One uploaded document as listed by seed 004 `GET /rag/documents`."""

    id: str
    filename: str
    content_type: str
    file_type: str
    size: int
    chunks: int
    uploaded_at: datetime
    status: DocumentStatus
    error: str | None = None


@dataclass(frozen=True, slots=True)
class DocumentPage:
    items: list[DocumentInfo]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return (self.total + self.per_page - 1) // self.per_page if self.per_page else 0


@dataclass(frozen=True, slots=True)
class Stats:
    """Seed 004 `GET /rag/stats` (uploaded documents) plus the article counts of seed 003."""

    total_documents: int
    total_chunks: int
    total_size_bytes: int
    file_types: dict[str, int]
    last_updated: datetime | None
    avg_chunk_size: int
    collection_health: Literal["healthy", "degraded", "unhealthy"]
    total_articles: int = 0
    article_chunks: int = 0


@dataclass(frozen=True, slots=True)
class DeleteResult:
    """Seed 004 `DELETE /rag/documents/{filename}`: what the deletion freed."""

    filename: str
    chunks_removed: int
    size_freed: int
    vectors_removed: int


@dataclass(slots=True)
class ChunkRecord:
    """A chunk ready for the vector index: its vectors plus the payload every query filters and returns."""

    point_id: str
    dense: list[float]
    sparse_indices: list[int]
    sparse_values: list[float]
    payload: dict[str, object] = field(default_factory=dict)
