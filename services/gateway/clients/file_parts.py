"""Splits an uploaded file into the ordered, base64-encoded parts that upload commands (rag, training) carry."""

from __future__ import annotations

import asyncio
import base64
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import IO

PART_BYTES = 512 * 1024  # raw bytes per part: ~700 KB once base64-encoded, under Kafka's 1 MB message default


@dataclass(frozen=True, slots=True)
class FilePart:
    upload_id: str  # one per file: the partition key that keeps its parts in order
    index: int
    total: int
    data_b64: str


async def file_parts(body: IO[bytes], size: int) -> AsyncIterator[FilePart]:
    """The file's parts in order (at least one, so an empty file still arrives); reads happen off the event loop."""
    upload_id = f"upl_{uuid.uuid4().hex}"
    total = max(1, -(-size // PART_BYTES))
    body.seek(0)
    for index in range(total):
        chunk = await asyncio.to_thread(body.read, PART_BYTES)
        yield FilePart(upload_id, index, total, base64.b64encode(chunk).decode("ascii"))
