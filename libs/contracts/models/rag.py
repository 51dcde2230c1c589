"""Models of the rag messages, generated from contracts/rag/ by libs.contracts.generate.

Never edit by hand: change the JSON Schema (a breaking change is a new .vN file) and run `make contracts`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import TypeAliasType




class ArticleResultV1(BaseModel):
    """
    Reply to UpsertArticle.v1.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    article_id: Annotated[str, Field(max_length=64, min_length=1)]
    status: Literal['published']
    indexed: bool
    created_at: Annotated[str, Field(max_length=64, min_length=1)]
    """
    ISO 8601 UTC timestamp.
    """
    updated: bool
    """
    True when an existing article was replaced.
    """
    chunks: Annotated[int, Field(ge=0)]
    knowledge_version: Annotated[int, Field(ge=0)]


class DeleteDocumentV1(BaseModel):
    """
    Command (seed 004 DELETE /rag/documents/{filename}): remove a file and its chunks; answered with DeletionResult.v1 or a not_found error.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    filename: Annotated[str, Field(max_length=1024, min_length=1)]
    """
    The uploaded file's name as given by the client (validated by the rag service).
    """


class DeletionResultV1(BaseModel):
    """
    Reply to DeleteDocument.v1: what the deletion freed.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    filename: Annotated[str, Field(max_length=1024, min_length=1)]
    """
    The uploaded file's name as given by the client (validated by the rag service).
    """
    chunks_removed: Annotated[int, Field(ge=0)]
    size_freed: Annotated[int, Field(ge=0)]
    vectors_removed: Annotated[int, Field(ge=0)]
    knowledge_version: Annotated[int, Field(ge=0)]


class DocumentIndexedV1(BaseModel):
    """
    Event: an uploaded file finished indexing (processed) or could not be indexed (failed). Carries the filename (the document list shows it) but never the file's content.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    upload_id: Annotated[str, Field(max_length=64, min_length=1)]
    document_id: Annotated[str, Field(max_length=64, min_length=1)]
    filename: Annotated[str, Field(max_length=1024, min_length=1)]
    """
    The uploaded file's name as given by the client (validated by the rag service).
    """
    status: Literal['processed', 'failed']
    chunks: Annotated[int, Field(ge=0)]
    size: Annotated[int, Field(ge=0)]
    file_type: Annotated[str | None, Field(max_length=20, min_length=0)] = None
    error_code: Annotated[str | None, Field(max_length=64, min_length=1)] = None
    replaced: bool


class DocumentInfo(BaseModel):
    model_config = ConfigDict(
        extra='forbid',
    )
    id: Annotated[str, Field(max_length=64, min_length=1)]
    filename: Annotated[str, Field(max_length=1024, min_length=1)]
    """
    The uploaded file's name as given by the client (validated by the rag service).
    """
    content_type: Annotated[str, Field(max_length=200, min_length=0)]
    file_type: Annotated[str, Field(max_length=20, min_length=0)]
    size: Annotated[int, Field(ge=0)]
    chunks: Annotated[int, Field(ge=0)]
    uploaded_at: Annotated[str, Field(max_length=64, min_length=1)]
    """
    ISO 8601 UTC timestamp.
    """
    status: Literal['processing', 'processed', 'failed']
    error: Annotated[str | None, Field(max_length=1000, min_length=1)] = None


class DocumentPageV1(BaseModel):
    """
    Reply to ListDocuments.v1.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    documents: Annotated[list[DocumentInfo], Field(max_length=100)]
    page: Annotated[int, Field(ge=1)]
    per_page: Annotated[int, Field(ge=1, le=100)]
    total: Annotated[int, Field(ge=0)]
    pages: Annotated[int, Field(ge=0)]


class EmbedResultV1(BaseModel):
    """
    Reply to Embed.v1: one unit vector per text, in order.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    embeddings: Annotated[list[list[float]], Field(max_length=64)]
    model: Annotated[str, Field(max_length=200, min_length=1)]
    dimensions: Annotated[int, Field(ge=1)]


Text = Annotated[str, Field(max_length=100000, min_length=1)]


class EmbedV1(BaseModel):
    """
    Command (seed 000 POST /api/v1/ai/embed): embed texts with the local sentence model; answered with EmbedResult.v1. Callers split large requests (at most 64 texts per command keeps the reply under 1 MB).
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    texts: Annotated[list[Text], Field(max_length=64, min_length=1)]
    dimensions: Annotated[int | None, Field(ge=1, le=100000)] = None
    """
    Requested vector size; only the model's native size is served.
    """
    model: Annotated[str | None, Field(max_length=200, min_length=1)] = None
    """
    The model id the client asked for (echoed for logs; the local model answers).
    """


class GetStatsV1(BaseModel):
    """
    Command (seed 004 GET /rag/stats): the tenant's knowledge-base figures; answered with KnowledgeStats.v1.
    """
    model_config = ConfigDict(
        extra='forbid',
    )


class KnowledgeChangedV1(BaseModel):
    """
    Event: the tenant's knowledge version was bumped (article upserted, file indexed or deleted); response caches keyed on the version go stale.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    knowledge_version: Annotated[int, Field(ge=1)]
    reason: Literal['article_upserted', 'document_indexed', 'document_deleted']
    article_id: Annotated[str | None, Field(max_length=64, min_length=1)] = None
    document_id: Annotated[str | None, Field(max_length=64, min_length=1)] = None


FileTypesAdditionalProperty = TypeAliasType("FileTypesAdditionalProperty", Annotated[int, Field(ge=0)])


class KnowledgeStatsV1(BaseModel):
    """
    Reply to GetStats.v1: document figures count processed files; articles are counted apart.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    total_documents: Annotated[int, Field(ge=0)]
    total_chunks: Annotated[int, Field(ge=0)]
    total_size_bytes: Annotated[int, Field(ge=0)]
    file_types: dict[str, FileTypesAdditionalProperty]
    last_updated: Annotated[str | None, Field(max_length=64, min_length=1)] = None
    """
    ISO 8601 UTC timestamp.
    """
    avg_chunk_size: Annotated[int, Field(ge=0)]
    """
    Average characters per document chunk.
    """
    collection_health: Literal['healthy', 'degraded', 'unhealthy']
    total_articles: Annotated[int, Field(ge=0)]
    article_chunks: Annotated[int, Field(ge=0)]
    knowledge_version: Annotated[int, Field(ge=0)]
    chunk_size: Annotated[int | None, Field(ge=1)] = None
    """
    Word-piece tokens per chunk (the rag service's setting).
    """
    chunk_overlap: Annotated[int | None, Field(ge=0)] = None


class ListDocumentsV1(BaseModel):
    """
    Command (seed 004 GET /rag/documents): one page of the tenant's uploaded documents, newest first; answered with DocumentPage.v1.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    page: Annotated[int, Field(ge=1)]
    per_page: Annotated[int, Field(ge=1, le=100)]


class RetrieveV1(BaseModel):
    """
    Command: the tenant's best knowledge-base passages for a (redacted) query; answered with RetrieveResult.v1.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    query: Annotated[str, Field(max_length=10000, min_length=1)]
    """
    Redacted query text.
    """
    top_k: Annotated[int, Field(ge=1, le=50)]
    mode: Literal['hybrid', 'dense', 'sparse'] | None = None
    """
    Default hybrid.
    """


class RetrievedPassage(BaseModel):
    """
    One retrieved chunk with its provenance; filename is absent for articles, article_id absent for files.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    content: Annotated[str, Field(max_length=100000, min_length=0)]
    """
    The chunk's text (knowledge-base content, not customer text).
    """
    source: Annotated[str, Field(max_length=1024, min_length=1)]
    """
    Filename for files, article id (kb_...) for articles.
    """
    filename: Annotated[str | None, Field(max_length=1024, min_length=1)] = None
    """
    The uploaded file's name as given by the client (validated by the rag service).
    """
    chunk_id: Annotated[str, Field(max_length=200, min_length=1)]
    article_id: Annotated[str | None, Field(max_length=200, min_length=1)] = None
    score: float
    """
    Fused rank score (relative within one query; higher is better).
    """
    similarity: float
    """
    Dense cosine similarity (0..1): an absolute relevance signal.
    """


class UploadPartV1(BaseModel):
    """
    Command (seed 004 POST /upload_docs): one ordered part of an uploaded file. All parts of a file share upload_id as the message key (one partition, in order); the rag service stores each part once per (upload_id, index) and ingests the file when the last part arrives. Non-final parts are answered with UploadProgress.v1, the final part with UploadResult.v1. Carries the customer's file content.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    upload_id: Annotated[str, Field(max_length=64, min_length=1)]
    filename: Annotated[str, Field(max_length=1024, min_length=1)]
    """
    The uploaded file's name as given by the client (validated by the rag service).
    """
    content_type: Annotated[str, Field(max_length=200, min_length=0)]
    index: Annotated[int, Field(ge=0, le=199)]
    total: Annotated[int, Field(ge=1, le=200)]
    """
    Number of parts of this file.
    """
    size: Annotated[int, Field(ge=0)]
    """
    Size of the whole file in bytes.
    """
    data_b64: Annotated[str, Field(max_length=699052, min_length=0)]
    """
    Base64 of at most 512 KiB of the file.
    """


class UploadProgressV1(BaseModel):
    """
    Reply to a non-final UploadPart.v1: the part is stored.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    upload_id: Annotated[str, Field(max_length=64, min_length=1)]
    index: Annotated[int, Field(ge=0)]
    received: Annotated[int, Field(ge=0)]
    """
    Parts stored so far.
    """


class UploadResultV1(BaseModel):
    """
    Reply to the final UploadPart.v1: the file's outcome (seed 004 uploaded_files[]). status processing: the file is indexed in the background and DocumentIndexed.v1 follows on rag.events.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    upload_id: Annotated[str, Field(max_length=64, min_length=1)]
    document_id: Annotated[str, Field(max_length=64, min_length=1)]
    filename: Annotated[str, Field(max_length=1024, min_length=1)]
    """
    The uploaded file's name as given by the client (validated by the rag service).
    """
    size: Annotated[int, Field(ge=0)]
    type: Annotated[str, Field(max_length=200, min_length=0)]
    status: Literal['success', 'failed', 'processing']
    chunks_created: Annotated[int, Field(ge=0)]
    error: Annotated[str | None, Field(max_length=1000, min_length=1)] = None
    error_code: Annotated[str | None, Field(max_length=64, min_length=1)] = None
    replaced: bool


Tag = Annotated[str, Field(max_length=100, min_length=1)]


class UpsertArticleV1(BaseModel):
    """
    Command (seed 003 POST /api/v1/knowledge-base): add an article, or update the one with the same title and category; answered with ArticleResult.v1.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    title: Annotated[str, Field(max_length=500, min_length=1)]
    content: Annotated[str, Field(max_length=200000, min_length=1)]
    category: Annotated[str | None, Field(max_length=200, min_length=1)] = None
    tags: Annotated[list[Tag] | None, Field(max_length=100)] = None
    metadata: Annotated[dict[str, Any] | None, Field(max_length=16384)] = None
    """
    The article's own fields (seed 003: author, source, ...), stored and returned with it. Free-form as the seed documents it, bounded: at most 64 KiB as JSON, nested at most 16 levels (maxProperties follows from the size bound) (x-maxDepth, x-maxBytes; the gateway's input policy refuses more with a 400).
    """


class RetrieveResultV1(BaseModel):
    """
    Reply to Retrieve.v1: passages best first and the knowledge version they were read at.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    passages: Annotated[list[RetrievedPassage], Field(max_length=50)]
    knowledge_version: Annotated[int, Field(ge=0)]
    """
    Bumps on every change of the tenant's knowledge (cache key).
    """
    query_vector: Annotated[list[float] | None, Field(max_length=4096)] = None
    """
    The query's dense embedding (all-MiniLM-L6-v2, unit length): the caller's local provider reuses it instead of embedding the query again.
    """
