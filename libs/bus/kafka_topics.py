"""Topic administration for KafkaBus: create the topics a bus needs (several instances race to create them, so one
that exists is fine) and delete an instance's own reply topic when it stops."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping

import structlog
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError

log = structlog.get_logger("libs.bus")

TOPIC_EXISTS = 36


async def create_topics(bootstrap_servers: str, wanted: Mapping[str, int], replication_factor: int) -> None:
    """Create each topic of `wanted` (name → partitions) that is missing; raises KafkaError on any other failure."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=5000)
    await admin.start()
    try:
        response = await admin.create_topics(
            [NewTopic(name, partitions, replication_factor) for name, partitions in sorted(wanted.items())]
        )
    finally:
        await admin.close()
    for topic, code, *_ in response.topic_errors:
        if code not in (0, TOPIC_EXISTS):
            raise KafkaError(f"create topic {topic} failed with error code {code}")


async def delete_topic(bootstrap_servers: str, topic: str) -> None:
    """Best effort, bounded: a topic that cannot be deleted now is logged and kept (the bus is stopping anyway)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap_servers, request_timeout_ms=3000)
    try:
        await asyncio.wait_for(admin.start(), 3)
        await asyncio.wait_for(admin.delete_topics([topic], timeout_ms=3000), 4)
    except (KafkaError, OSError, TimeoutError) as exc:
        log.info("bus.reply_topic_kept", topic=topic, error_type=type(exc).__name__)
    finally:
        with contextlib.suppress(Exception):
            await admin.close()
