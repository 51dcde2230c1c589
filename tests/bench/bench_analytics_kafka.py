"""The analytics consumer on a real Apache Kafka broker, beside raw aiokafka consumption of the same events.

N conversation events (the scripted sessions of bench_analytics, one tenant, spread over `SPAN_DAYS`) are
produced once to the event topics of a fresh local broker. Then, on the same broker and the same records:
- raw: one aiokafka consumer of a fresh group reads every record (bytes only, commit per batch);
- analytics: the service itself (`bootstrap`, KafkaBus, SQLite file store) under a fresh group decodes,
  validates, stores facts, session states and rollups and commits offsets.
Each rate is N / (time of the N-th record - time of the first), so group joining is left out. Target
(issue 14): the analytics consumer keeps up with >= 5,000 events/s on these 2 cores.

Run: [BENCH_SPAN_DAYS=30] python -m tests.bench.bench_analytics_kafka [N]   (default 20000)
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

from aiokafka import AIOKafkaConsumer

from libs.bus import KafkaBus
from libs.bus.local_kafka import LocalKafka
from libs.runtime import PlatformSettings
from libs.store import open_store
from services.analytics.bootstrap import EVENT_TOPICS, bootstrap
from services.analytics.settings import AnalyticsSettings
from tests.support.analytics_traffic import SCRIPT, SessionScript, events

TOPIC = "conversation.events"
# How many days the sessions are spread over: 0.1 (2.4 h) by default, as a live stream is (its batches touch few
# rollup rows); BENCH_SPAN_DAYS=30 spreads them like bench_analytics, as a rebuild replaying a month is.
SPAN_DAYS = float(os.environ.get("BENCH_SPAN_DAYS", "0.1"))


async def produce(bootstrap_servers: str, n: int) -> int:
    """About n events, sent with the bus's producer (acks=all) 500 at a time."""
    bus = KafkaBus(bootstrap_servers, "bench", "producer")
    await bus.start()
    sessions = n * len(SCRIPT) // sum(len(events(s)) for s in SCRIPT)
    sent = 0
    try:
        pending = []
        spacing = SPAN_DAYS * 1440 / sessions
        for i in range(sessions):
            shape = SCRIPT[i % len(SCRIPT)]
            script = SessionScript(f"s{i}", i * spacing, shape.channel, shape.score, shape.level, shape.escalate_to,
                                   shape.outcome)  # fmt: skip
            for event in events(script):
                pending.append(bus.publish(TOPIC, event, key=script.session_id, tenant_id="acme"))
                sent += 1
            if len(pending) >= 500:
                await asyncio.gather(*pending)
                pending = []
        await asyncio.gather(*pending)
    finally:
        await bus.stop()
    return sent


async def consume_raw(bootstrap_servers: str, n: int) -> float:
    consumer = AIOKafkaConsumer(
        TOPIC,
        bootstrap_servers=bootstrap_servers,
        group_id=f"raw-{uuid.uuid4().hex[:6]}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_poll_records=500,
    )
    await consumer.start()
    got, first = 0, 0.0
    try:
        while got < n:
            batch = await consumer.getmany(timeout_ms=500)
            count = sum(len(records) for records in batch.values())
            if count and not got:
                first = time.monotonic()
            got += count
            if count:
                await consumer.commit()
    finally:
        await consumer.stop()
    return n / (time.monotonic() - first)


async def consume_analytics(bootstrap_servers: str, n: int, data_dir: Path) -> float:
    platform = PlatformSettings(bus="kafka", kafka_bootstrap=bootstrap_servers, data_dir=data_dir)
    settings = AnalyticsSettings(platform=platform, consumer_group=f"analytics-{uuid.uuid4().hex[:6]}")
    seen = {"n": 0, "first": 0.0, "last": 0.0}
    done = asyncio.Event()

    def tick() -> None:
        now = time.monotonic()
        seen["first"] = seen["first"] or now
        seen["n"] += 1
        seen["last"] = now
        if seen["n"] >= n:
            done.set()

    store = open_store(database="analytics", sqlite_dir=data_dir)
    service = bootstrap(settings, store=store, on_event=tick)
    await service.start()
    try:
        await done.wait()
    finally:
        await service.stop()
    return n / (seen["last"] - seen["first"])


async def main(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        broker = LocalKafka(Path(tmp) / "kafka").start()
        try:
            setup = KafkaBus(broker.bootstrap, "bench", "setup")
            await setup.ensure_topics(list(EVENT_TOPICS))
            sent = await produce(broker.bootstrap, n)
            cpu = time.process_time()
            raw = await consume_raw(broker.bootstrap, sent)
            raw_cpu = time.process_time() - cpu
            cpu = time.process_time()
            analytics = await consume_analytics(broker.bootstrap, sent, Path(tmp))
            analytics_cpu = time.process_time() - cpu
        finally:
            broker.stop()
    print(f"{sent} events on {TOPIC} (one tenant, {SPAN_DAYS:g} days of sessions), same broker and records:")
    print(f"  raw aiokafka consumer   {raw:>8.0f} events/s  ({sent / raw_cpu:>6.0f} per CPU second)")
    print(f"  analytics consumer      {analytics:>8.0f} events/s  ({sent / analytics_cpu:>6.0f} per CPU second)")
    print(f"  analytics / raw         {analytics / raw:>8.2f}   target: analytics >= 5,000 events/s")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000))
