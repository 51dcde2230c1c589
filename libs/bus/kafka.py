"""KafkaBus: the Bus over a Kafka-protocol broker (aiokafka): group consumers, reply topic, DLQ, health."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import KafkaError

from libs.bus.kafka_consumer import COMMIT_LINGER_S, GroupLoop, LiveLoop, to_record
from libs.bus.kafka_producer import KeyPartitioner, Outbox
from libs.bus.kafka_topics import create_topics, delete_topic
from libs.bus.lanes import DEFAULT_MAX_IN_FLIGHT
from libs.bus.records import Headers, ProcessedLog, RetryPolicy
from libs.bus.transport import Subscription, TransportBus
from libs.contracts.registry import ContractRegistry
from libs.errors import Unavailable

log = structlog.get_logger("libs.bus")

# Largest record the producer sends: 1 MiB of text plus its envelope (brokers' message.max.bytes matches).
MAX_MESSAGE_BYTES = 4 * 1024 * 1024
# How long the producer waits to fill a batch. Every send of a request/reply hop pays it: on Apache Kafka 1 ms cost
# ~1.2 ms per send (a loop timer, not a batch), 2.5 ms per round trip. Under load sends still batch without it:
# records queue behind the produce request in flight and leave together in the next one.
DEFAULT_LINGER_MS = 0


class KafkaBus(TransportBus):
    """Bus over Apache Kafka: idempotent acks=all producer, manual commits after success, per-instance reply topic."""

    def __init__(
        self,
        bootstrap_servers: str,
        service_name: str,
        instance_id: str,
        registry: ContractRegistry | None = None,
        *,
        processed: ProcessedLog | None = None,
        retry: RetryPolicy | None = None,
        send_timeout: float = 10.0,
        start_timeout: float = 30.0,
        idempotence: bool = True,
        linger_ms: int = DEFAULT_LINGER_MS,
        session_timeout_ms: int = 10_000,
        heartbeat_interval_ms: int = 3_000,
        max_poll_records: int = 500,
        fetch_max_wait_ms: int = 500,
        replication_factor: int = 1,
        health_interval: float = 1.0,
        stop_timeout: float = 15.0,
        max_in_flight: int = DEFAULT_MAX_IN_FLIGHT,
        commit_linger_s: float = COMMIT_LINGER_S,
    ) -> None:
        super().__init__(
            service_name=service_name,
            instance_id=instance_id,
            registry=registry,
            processed=processed,
            retry=retry,
            send_timeout=send_timeout,
            max_in_flight=max_in_flight,
        )
        self.bootstrap_servers = bootstrap_servers
        self.start_timeout = start_timeout
        # Idempotent sends: a retried produce request after a lost acknowledgement is not written twice.
        self.idempotence = idempotence
        self.linger_ms = linger_ms
        # How long a crashed member holds its partitions; the broker refuses values under its
        # group.min.session.timeout.ms (6000 by default).
        self.session_timeout_ms = session_timeout_ms
        self.heartbeat_interval_ms = min(heartbeat_interval_ms, session_timeout_ms // 3)
        self.max_poll_records = max_poll_records
        # How long an idle fetch waits for data. Kafka answers a waiting fetch as soon as data arrives, so this
        # bounds only idle polling, never a request/reply hop.
        self.fetch_max_wait_ms = fetch_max_wait_ms
        self.replication_factor = replication_factor
        self.health_interval = health_interval
        self.stop_timeout = stop_timeout
        self.commit_linger_s = commit_linger_s  # handled offsets wait this long to share a commit
        self._producer: AIOKafkaProducer | None = None
        self._reply_consumer: AIOKafkaConsumer | None = None
        self._consumers: list[AIOKafkaConsumer] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False
        self._healthy = False
        self._outbox: Outbox | None = None

    # -- lifecycle ---------------------------------------------------------------------------------
    async def start(self) -> None:
        if self._started:
            return
        self._stopping = False
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.start_timeout
        while True:
            try:
                await self.ensure_topics()
                break
            except (KafkaError, OSError) as exc:
                if loop.time() > deadline:
                    raise Unavailable(
                        "Kafka broker unreachable", {"bootstrap_servers": self.bootstrap_servers}
                    ) from exc
                await asyncio.sleep(0.5)
        self._producer = await self._start_producer()
        self._outbox = Outbox(self._producer, self.send_timeout)
        self._tasks.append(asyncio.create_task(self._outbox.run(), name="bus:append"))
        await self._start_reply_consumer()
        for sub in self._subscriptions:
            consume = self._consume(sub) if not sub.live else (await self._open_live(sub)).run()
            self._tasks.append(asyncio.create_task(consume, name=f"bus:{sub.topic}:{sub.group}"))
        self._tasks.append(asyncio.create_task(self._watch_health(), name="bus:health"))
        self._started = self._healthy = True
        log.info(
            "bus.started",
            service=self.service_name,
            instance=self.instance_id,
            subscriptions=len(self._subscriptions),
            idempotence=self.idempotence,
        )

    async def stop(self) -> None:
        self._stopping = True
        consumers = [t for t in self._tasks if t.get_name() not in ("bus:health", "bus:append", "bus:replies")]
        # Let each consumer finish (and commit) the messages in hand; past stop_timeout they are cut off uncommitted.
        _, pending = await asyncio.wait(consumers, timeout=self.stop_timeout) if consumers else (set(), set())
        for task in [*pending, *self._tasks]:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        for client in [*self._consumers, self._reply_consumer, self._producer]:
            if client is not None:
                with contextlib.suppress(Exception, asyncio.TimeoutError):
                    await asyncio.wait_for(client.stop(), 5)
        self._consumers.clear()
        self._reply_consumer = self._producer = None
        if self._started:
            await self._delete_reply_topic()
        self._outbox = None
        self._started = self._healthy = False

    @property
    def healthy(self) -> bool:
        return self._started and self._healthy

    # -- topics ------------------------------------------------------------------------------------
    def declared_topics(self) -> dict[str, int]:
        """Every topic this bus needs: declared topics, their DLQs and this instance's reply topic."""
        wanted = {self.reply_topic: self.registry.reply_topics.partitions}
        for spec in self.registry.topics():
            wanted[spec.name] = wanted[spec.dlq] = spec.partitions
        return wanted

    async def ensure_topics(self, names: Sequence[str] | None = None) -> None:
        """Create missing topics (an existing topic is fine: several instances race to create them)."""
        wanted = self.declared_topics()
        selected = {n: wanted[n] for n in names} if names is not None else wanted
        await create_topics(self.bootstrap_servers, selected, self.replication_factor)

    async def _delete_reply_topic(self) -> None:
        """Per-instance reply topics go with their instance, so restarts do not pile them up on the broker."""
        await delete_topic(self.bootstrap_servers, self.reply_topic)

    # -- producing ---------------------------------------------------------------------------------
    async def _start_producer(self) -> AIOKafkaProducer:
        producer = self._new_producer(idempotent=self.idempotence)
        await producer.start()
        return producer

    def _new_producer(self, *, idempotent: bool) -> AIOKafkaProducer:
        return AIOKafkaProducer(
            bootstrap_servers=self.bootstrap_servers,
            acks="all",
            enable_idempotence=idempotent,
            linger_ms=self.linger_ms,
            request_timeout_ms=int(self.send_timeout * 1000),
            client_id=f"{self.service_name}-{self.instance_id}",
            # Commands may carry up to 1 MiB of text plus the envelope; brokers are configured to match
            # (message.max.bytes in docker-compose and the Kafka StatefulSet).
            max_request_size=MAX_MESSAGE_BYTES,
            partitioner=KeyPartitioner(),
        )

    async def _send(self, topic: str, value: bytes, key: bytes | None, headers: Headers, within: float) -> None:
        outbox = self._outbox
        if outbox is None:
            raise Unavailable("message bus not started", {"topic": topic})
        try:
            await outbox.send(topic, value, key, headers, within)
        except TimeoutError:
            self._healthy = False
            raise self._unavailable(topic, f"no broker acknowledgement within {within:g}s") from None
        except KafkaError as exc:
            self._healthy = False
            raise self._unavailable(topic, type(exc).__name__) from exc

    # -- consuming ---------------------------------------------------------------------------------
    async def _start_reply_consumer(self) -> None:
        # No group: only this instance reads its reply topic. Start at the end (older replies have no waiter);
        # "earliest" only matters when the topic was recreated (broker restart), so no new reply is skipped.
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap_servers,
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            fetch_max_wait_ms=self.fetch_max_wait_ms,
            client_id=f"{self.service_name}-{self.instance_id}-replies",
        )
        await consumer.start()
        partitions = [TopicPartition(self.reply_topic, p) for p in range(self.registry.reply_topics.partitions)]
        consumer.assign(partitions)
        await consumer.seek_to_end(*partitions)
        for tp in partitions:
            await consumer.position(tp)
        self._reply_consumer = consumer
        self._tasks.append(asyncio.create_task(self._read_replies(consumer), name="bus:replies"))

    async def _read_replies(self, consumer: AIOKafkaConsumer) -> None:
        while not self._stopping:
            try:
                batches = await consumer.getmany(timeout_ms=500)
            except KafkaError as exc:
                log.warning("bus.reply_fetch_failed", error_type=type(exc).__name__)
                await asyncio.sleep(0.5)
                continue
            for messages in batches.values():
                for m in messages:
                    self._on_reply(to_record(m))

    def _group_consumer(self, sub: Subscription) -> AIOKafkaConsumer:
        return AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap_servers,
            group_id=sub.group,
            client_id=f"{self.service_name}-{self.instance_id}",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            session_timeout_ms=self.session_timeout_ms,
            heartbeat_interval_ms=self.heartbeat_interval_ms,
            max_poll_records=self.max_poll_records,
            fetch_max_wait_ms=self.fetch_max_wait_ms,
        )

    async def _open_live(self, sub: Subscription) -> LiveLoop:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.bootstrap_servers,
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",  # only after the topic was recreated: then nothing new is skipped
            fetch_max_wait_ms=self.fetch_max_wait_ms,
            client_id=f"{self.service_name}-{self.instance_id}-live",
        )
        self._consumers.append(consumer)
        loop = LiveLoop(
            consumer, self._core(sub), sub.topic, self.registry.partitions(sub.topic), lambda: self._stopping
        )
        await loop.open()
        return loop

    async def _consume(self, sub: Subscription) -> None:
        consumer = self._group_consumer(sub)
        self._consumers.append(consumer)
        loop = GroupLoop(
            consumer,
            self._core(sub),
            sub.topic,
            lambda: self._stopping,
            max_in_flight=sub.max_in_flight,
            drain_timeout=self.stop_timeout,
            commit_linger_s=self.commit_linger_s,
        )
        await loop.run()

    # -- health ------------------------------------------------------------------------------------
    async def _watch_health(self) -> None:
        """Probe the broker; recreate declared topics that vanished (a broker replaced by one with an empty log)."""
        while not self._stopping:
            await asyncio.sleep(self.health_interval)
            producer = self._producer
            if producer is None:
                continue
            try:
                metadata = await asyncio.wait_for(producer.client.fetch_all_metadata(), 2)
                missing = set(self.declared_topics()) - set(metadata.topics())
                if missing:
                    log.warning("bus.topics_missing", count=len(missing))
                    await asyncio.wait_for(self.ensure_topics(sorted(missing)), 5)
                self._healthy = True
            except (KafkaError, OSError, TimeoutError) as exc:
                if self._healthy:
                    log.warning("bus.unhealthy", error_type=type(exc).__name__)
                self._healthy = False
