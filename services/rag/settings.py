"""Rag service settings (env prefix SWITCHBOARD_RAG_), with the platform's shared settings embedded."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from libs.runtime import PlatformSettings


class RagSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SWITCHBOARD_RAG_", extra="ignore")

    platform: PlatformSettings = Field(default_factory=PlatformSettings)
    consumer_group: str = "rag"
    ingest_consumer_group: str = "rag-ingest"
    warm_model_on_start: bool = True
    # Vectors: a Qdrant server when SWITCHBOARD_QDRANT_URL is set, else local mode under <data_dir>/rag/qdrant
    # (local mode locks that folder to one process: run one rag process per data folder).
    qdrant_api_key: str | None = None
    collection: str = "rag_chunks"
    chunk_size: int = Field(default=200, ge=32, le=256, description="MiniLM word-piece tokens per chunk")
    chunk_overlap: int = Field(default=32, ge=0, le=128)
    fusion: Literal["convex", "rrf"] = "convex"
    dense_weight: float = Field(default=0.9, ge=0.0, le=1.0)
    # Hybrid retrieval hands the turn only the documents whose best fused score is within this of the best one's
    # (None: every document among the top_k). Chosen with dense_weight in tests/eval/eval_rag.py.
    focus_margin: float | None = Field(default=0.1, ge=0.0, le=1.0)
    candidates: int = Field(default=50, ge=1, le=500, description="dense and sparse candidates per query")
    # Files above this size are indexed in the background at once (reply "processing", then DocumentIndexed);
    # smaller ones are waited for up to sync_wait_s, after which they too finish in the background.
    async_index_bytes: int = Field(default=2_000_000, ge=0)
    sync_wait_s: float = Field(default=15.0, ge=0.0)
    max_parallel_indexing: int = Field(default=2, ge=1, description="files embedded at once (CPU bound)")
    # Each PDF is parsed in its own worker process within these budgets (services/rag/sandbox.py): CPU seconds of
    # `parse_base_cpu_s` + `parse_cpu_s_per_mb` per MB of file, at most `parse_max_cpu_s`; address space in MB.
    parse_base_cpu_s: float = Field(default=2.0, gt=0)
    parse_cpu_s_per_mb: float = Field(default=1.0, ge=0)
    parse_max_cpu_s: float = Field(default=60.0, gt=0)
    parse_memory_mb: int = Field(default=1536, ge=256)
    # Parts of uploads that never received their last part are dropped after this long.
    upload_ttl_s: int = Field(default=3600, ge=60)

    def qdrant_path(self) -> Path:
        return self.platform.data_dir / "rag" / "qdrant"
