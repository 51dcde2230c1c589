"""The rag service's pure rules (no I/O): the limits on what it accepts. Its value types are in models.py; the
knowledge base that applies them over the store and the index is knowledge.py."""

from __future__ import annotations

from libs.errors import TooLarge
from services.rag.models import MAX_FILE_BYTES

MAX_TOP_K = 50
MAX_ARTICLE_CHARS = 2_000_000


def check_upload_size(size: int, filename: str = "") -> None:
    """Raise TooLarge for a file of MAX_FILE_BYTES or more (the gateway may call it before buffering)."""
    if size >= MAX_FILE_BYTES:
        raise TooLarge(
            f"file exceeds the {MAX_FILE_BYTES // 1_000_000} MB limit",
            {"field": "files", "filename": filename, "size": size, "limit": MAX_FILE_BYTES},
        )
