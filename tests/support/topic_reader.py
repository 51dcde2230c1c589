"""Every record of some Kafka partitions, from the beginning to their end offsets at the time of the call."""

from __future__ import annotations

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import ConsumerRecord


async def read_to_end(bootstrap: str, partitions: list[TopicPartition]) -> list[ConsumerRecord[bytes, bytes]]:
    reader = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await reader.start()
    try:
        reader.assign(partitions)
        await reader.seek_to_beginning(*partitions)
        ends = await reader.end_offsets(partitions)
        found: list[ConsumerRecord[bytes, bytes]] = []
        while [tp for tp in partitions if await reader.position(tp) < ends[tp]]:
            for records in (await reader.getmany(timeout_ms=1000)).values():
                found.extend(records)
        return found
    finally:
        await reader.stop()
