"""Bus throughput on a real Apache Kafka broker: KafkaBus (envelope, contract validation on both ends, dedupe, commit)
against raw aiokafka (bytes produce + group consume with manual commit), same broker, same run, same bytes.

Two topologies, each measured for both paths: producer and consumer sharing one process (one core does both
sides), and producer and consumer in separate processes, as services are deployed.

Both paths do the same sending work: WINDOW concurrent senders, each waiting for its message's acks=all
acknowledgement before sending the next (what `bus.publish` guarantees; raw uses `send_and_wait`). Every process
configures OpenTelemetry as a service does (`configure_tracing`: SDK provider, no exporter unless
OTEL_EXPORTER_OTLP_ENDPOINT is set), so the bus pays the tracing a deployed service pays.

The machine is shared, so one measurement of each is at the mercy of whatever else runs: every topology is
measured ROUNDS times, raw and bus back to back (alternating which goes first), on fresh topics each time; the
table shows the medians and the median of the per-round ratios, and the per-round ratios are listed below it.

Run: python -m tests.bench.bench_bus [N] [ROUNDS]   (events/s of both paths and the ratio; target >= 50 %)
"""

from __future__ import annotations

import asyncio
import inspect
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from libs.bus import Envelope, KafkaBus
from libs.bus.local_kafka import KAFKA_VERSION, LocalKafka
from libs.contracts.models.sentiment import SentimentAnalyzedV1
from libs.contracts.registry import ContractRegistry
from libs.observability.tracing import configure_tracing
from tests.support.contracts import EVENT, scratch_registry

PARTITIONS = 3
ROUNDS = 3  # measurements of each topology (raw and bus back to back); the medians are reported
WINDOW = 256  # publishes in flight at once, on both paths: concurrent, but bounded as a real producer would be
LINGER_MS: int = inspect.signature(KafkaBus).parameters["linger_ms"].default  # the KafkaBus default, both paths
Signal = Callable[[str], Awaitable[None]]


def event(n: int | str) -> SentimentAnalyzedV1:
    return SentimentAnalyzedV1(
        id=f"text-{n}",
        label="negative",
        score=-0.42,
        cs_level="FRUSTRATED",
        irate=False,
        satisfaction_score=3.5,
        model="minilm-int8-v1",
        source_request_id=uuid.uuid4().hex,
    )


def sample_bytes() -> bytes:
    return Envelope(
        source="/switchboard/bench",
        type=EVENT,
        data=event(0).model_dump(mode="json"),
        tenantid="t",
        correlationid=uuid.uuid4().hex,
        subject="conv-1",
    ).to_bytes()


# -- consumers: report "ready" once joined (a warm-up message arrived), then the time the n-th message arrived --
async def consume_raw(bootstrap: str, topic: str, n: int, signal: Signal) -> float:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=f"raw-{uuid.uuid4().hex[:6]}",
        enable_auto_commit=False,
        auto_offset_reset="latest",
        session_timeout_ms=6000,
        heartbeat_interval_ms=500,
        fetch_max_wait_ms=100,
        max_poll_records=500,
    )
    await consumer.start()
    got, ready = 0, False
    while got < n:
        batch = await consumer.getmany(timeout_ms=200)
        for records in batch.values():
            for record in records:
                if record.key == b"warm":
                    if not ready:
                        ready = True
                        await signal("ready")
                else:
                    got += 1
        if batch:
            await consumer.commit()
    finished = time.monotonic()
    await consumer.stop()
    return finished


async def consume_bus(bootstrap: str, registry: ContractRegistry, topic: str, n: int, signal: Signal) -> float:
    bus = KafkaBus(bootstrap, "bench", uuid.uuid4().hex[:6], registry, session_timeout_ms=6000)
    got, ready, done = 0, False, asyncio.Event()
    finished = 0.0

    async def handle(env: Envelope) -> None:
        nonlocal got, ready, finished
        if env.subject == "warm":
            if not ready:
                ready = True
                await signal("ready")
            return
        got += 1
        if got == n:
            finished = time.monotonic()
            done.set()

    bus.subscribe(topic, group=f"bus-{uuid.uuid4().hex[:6]}", handler=handle)
    await bus.start()
    await done.wait()
    await bus.stop()
    return finished


# -- producers: warm up until the consumer is ready, then send n concurrently; return the start time --------
async def produce_raw(bootstrap: str, topic: str, n: int, ready: asyncio.Event) -> float:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=LINGER_MS)
    await producer.start()
    payload = sample_bytes()
    while not ready.is_set():
        await producer.send_and_wait(topic, payload, key=b"warm")
        await asyncio.sleep(0.2)

    async def sender(first: int) -> None:
        for i in range(first, n, WINDOW):
            await producer.send_and_wait(topic, payload, key=f"conv-{i % 97}".encode())

    started = time.monotonic()
    await asyncio.gather(*(sender(k) for k in range(WINDOW)))
    await producer.stop()
    return started


async def produce_bus(bootstrap: str, registry: ContractRegistry, topic: str, n: int, ready: asyncio.Event) -> float:
    bus = KafkaBus(bootstrap, "bench", uuid.uuid4().hex[:6], registry)
    await bus.start()
    while not ready.is_set():
        await bus.publish(topic, event("warm"), key="warm", tenant_id="t")
        await asyncio.sleep(0.2)
    events = [event(i) for i in range(n)]  # building models is the caller's work, not the bus's

    async def sender(first: int) -> None:
        for i in range(first, n, WINDOW):
            await bus.publish(topic, events[i], key=f"conv-{i % 97}", tenant_id="t")

    started = time.monotonic()
    await asyncio.gather(*(sender(k) for k in range(WINDOW)))
    await bus.stop()
    return started


async def same_process(kind: str, bootstrap: str, registry: ContractRegistry, topic: str, n: int) -> float:
    ready = asyncio.Event()

    async def signal(_: str) -> None:
        ready.set()

    if kind == "raw":
        consuming = asyncio.create_task(consume_raw(bootstrap, topic, n, signal))
        started = await produce_raw(bootstrap, topic, n, ready)
    else:
        consuming = asyncio.create_task(consume_bus(bootstrap, registry, topic, n, signal))
        started = await produce_bus(bootstrap, registry, topic, n, ready)
    return n / (await consuming - started)


async def two_processes(kind: str, bootstrap: str, contracts: Path, topic: str, n: int) -> float:
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.bench.bench_bus",
        "--consumer",
        kind,
        bootstrap,
        str(contracts),
        topic,
        str(n),
        stdout=asyncio.subprocess.PIPE,
    )
    assert child.stdout is not None
    ready = asyncio.Event()

    async def wait_ready() -> None:
        while (await child.stdout.readline()).strip() != b"ready":  # type: ignore[union-attr]
            pass
        ready.set()

    waiting = asyncio.create_task(wait_ready())
    registry = ContractRegistry(contracts)
    producing = (
        produce_raw(bootstrap, topic, n, ready) if kind == "raw" else produce_bus(bootstrap, registry, topic, n, ready)
    )
    started = await producing
    await waiting
    line = b""
    while not line.startswith(b"done "):  # the child's own log lines may come first
        line = await child.stdout.readline()
    finished = float(line.split()[1])
    await child.wait()
    return n / (finished - started)


async def child_main(kind: str, bootstrap: str, contracts: str, topic: str, n: int) -> None:
    configure_tracing("bench-consumer")

    async def signal(word: str) -> None:
        print(word, flush=True)

    if kind == "raw":
        finished = await consume_raw(bootstrap, topic, n, signal)
    else:
        finished = await consume_bus(bootstrap, ContractRegistry(Path(contracts)), topic, n, signal)
    print(f"done {finished}", flush=True)


async def main(n: int, rounds: int) -> None:
    configure_tracing("bench")
    ratios: dict[str, list[float]] = {"same": [], "split": []}
    rates: dict[tuple[str, str], list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        broker = LocalKafka(Path(tmp) / "kafka").start()
        try:
            names = {
                (r, mode, kind): f"{kind}{mode}{r}{uuid.uuid4().hex[:6]}.events"
                for r in range(rounds)
                for mode in ("same", "split")
                for kind in ("raw", "bus")
            }
            contracts = Path(tmp) / "contracts"
            registry = scratch_registry(
                contracts, {t: {"partitions": PARTITIONS, "messages": [EVENT]} for t in names.values()}
            )
            await KafkaBus(broker.bootstrap, "bench", "setup", registry).ensure_topics(list(names.values()))
            for r in range(rounds):
                for mode in ("same", "split"):
                    # Alternate which path goes first, so a drift in machine load does not favour either.
                    for kind in ("raw", "bus") if r % 2 == 0 else ("bus", "raw"):
                        topic = names[(r, mode, kind)]
                        if mode == "same":
                            rate = await same_process(kind, broker.bootstrap, registry, topic, n)
                        else:
                            rate = await two_processes(kind, broker.bootstrap, contracts, topic, n)
                        rates.setdefault((mode, kind), []).append(rate)
                    ratios[mode].append(rates[(mode, "bus")][-1] / rates[(mode, "raw")][-1])
        finally:
            broker.stop()
    print(
        f"bus throughput on Apache Kafka {KAFKA_VERSION} (KRaft, one node): {n} events of {len(sample_bytes())} "
        f"bytes, {PARTITIONS} "
        f"partitions, acks=all, linger {LINGER_MS} ms, {WINDOW} sends in flight (each awaits its ack), group consume "
        f"with commits; events/s end to end, median of {rounds} rounds"
    )
    print(f"{'topology':<36}{'raw aiokafka':>14}{'KafkaBus':>12}{'ratio':>8}")
    for mode, label in (("same", "producer+consumer in one process"), ("split", "producer, consumer in 2 processes")):
        raw, ours = statistics.median(rates[(mode, "raw")]), statistics.median(rates[(mode, "bus")])
        print(f"{label:<36}{raw:>14.0f}{ours:>12.0f}{statistics.median(ratios[mode]):>8.0%}")
    for mode in ("same", "split"):
        print(f"  {mode} ratio per round: {' '.join(f'{r:.0%}' for r in ratios[mode])}")
    print("KafkaBus = envelope + contract validation (publish and receipt) + dedupe + commit; target ratio >= 80%")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--consumer":
        asyncio.run(child_main(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], int(sys.argv[6])))
    else:
        count = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
        asyncio.run(main(count, int(sys.argv[2]) if len(sys.argv) > 2 else ROUNDS))
