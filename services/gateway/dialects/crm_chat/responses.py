"""Seed 004 response bodies (its `success`/`data`/`metadata` envelope), with the seed's field names; the routes
answer with `response_model_exclude_unset`, so a field a body leaves out stays out."""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel

from services.gateway.dialects.crm_chat.envelope import Ok, Timing

__all__ = [
    "ChatOut",
    "ConversationSummary",
    "DeletedDocument",
    "DocumentItem",
    "IssuedSession",
    "Ok",
    "Paged",
    "RagStats",
    "Uploaded",
    "UserListItem",
    "UserRecord",
    "UserWithStats",
    "ValidatedSession",
]
T = TypeVar("T")


class Pagination(BaseModel):
    page: int
    per_page: int
    total: int
    pages: int


class Paged(BaseModel, Generic[T]):
    success: Literal[True]
    data: list[T]
    pagination: Pagination
    metadata: Timing


class IssuedSession(BaseModel):
    session_id: str
    session_token: str
    user_id: str
    expires_at: str
    created_at: str


class ValidatedSession(BaseModel):
    valid: bool
    session_id: str
    user_id: str
    expires_at: str


class UserInfo(BaseModel):
    id: str
    name: str | None
    email: str | None
    company: str | None


class RagPassageMetadata(BaseModel):
    filename: str | None
    chunk_id: str | int | None


class RagPassage(BaseModel):
    content: str
    source: str | None
    score: float
    metadata: RagPassageMetadata


class ChatMetadata(BaseModel):
    response_time: float
    tokens_used: int
    agent_used: str
    rag_documents_retrieved: int
    openai_model: str
    conversation_length: int
    timestamp: str
    request_id: str


class ChatOut(BaseModel):
    response: str
    conversation_id: str
    user_info: UserInfo
    rag_context: list[RagPassage]
    metadata: ChatMetadata


class UserRecord(BaseModel):
    id: str
    name: str
    email: str
    phone: str | None
    company: str | None
    role: str | None
    preferences: dict[str, Any]
    created_at: str
    updated_at: str
    is_active: bool


class UserStats(BaseModel):
    total_conversations: int
    total_messages: int
    last_active: str | None


class UserWithStats(UserRecord):
    stats: UserStats


class UserListItem(BaseModel):
    id: str
    name: str
    email: str
    company: str | None
    created_at: str
    is_active: bool


class LastMessage(BaseModel):
    content: str
    type: Literal["user", "assistant"]
    created_at: str


class ConversationSummary(BaseModel):
    id: str
    title: str
    status: str  # active, completed, archived
    category: str
    created_at: str
    updated_at: str
    message_count: int
    last_message: LastMessage | None


class UploadedFile(BaseModel):
    filename: str
    size: int
    type: str
    status: Literal["success", "failed", "processing"]
    chunks_created: int
    error: str | None = None  # failed files only
    error_code: str | None = None


class UploadData(BaseModel):
    uploaded_files: list[UploadedFile]
    total_uploaded: int
    total_failed: int
    total_chunks: int


class UploadTiming(Timing):
    processing_time: float


class Uploaded(BaseModel):
    success: Literal[True]
    data: UploadData
    metadata: UploadTiming


class RagStats(BaseModel):
    total_documents: int
    total_chunks: int
    total_size_bytes: int
    file_types: dict[str, int]
    last_updated: str | None
    avg_chunk_size: int
    collection_health: Literal["healthy", "degraded", "unhealthy"]


class DocumentItem(BaseModel):
    id: str
    filename: str
    content_type: str
    size: int
    chunks: int
    uploaded_at: str | None
    status: str
    error: str | None = None  # failed documents only


class DeletedDocument(BaseModel):
    filename: str
    chunks_removed: int
    size_freed: int
