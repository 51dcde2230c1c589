"""A consumer process to kill -9: consumes SentimentAnalyzed from --in, records the effect in SQLite (insert if
absent, keyed by event id), re-publishes a derived SentimentAnalyzed on --out. Runs until killed or SIGTERM.

python -m tests.support.crash_worker --bootstrap H:P --contracts DIR --in T --out T2 --group G --db F --ready F
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sqlite3
from pathlib import Path

from libs.bus import KafkaBus, MessageContext, Publisher, build_topic_handler
from libs.contracts.models.sentiment import SentimentAnalyzedV1
from libs.contracts.registry import ContractRegistry

SCHEMA = """
CREATE TABLE IF NOT EXISTS effects (event_id TEXT PRIMARY KEY, item_id TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS deliveries (n INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL);
"""


def open_db(path: Path) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None)  # autocommit: each statement is durable on its own
    db.execute("PRAGMA journal_mode=WAL")
    db.executescript(SCHEMA)
    return db


async def handle_analyzed(
    event: SentimentAnalyzedV1,
    *,
    ctx: MessageContext,
    db: sqlite3.Connection,
    out: str,
    delay: float,
    publish: Publisher,
) -> None:
    db.execute("INSERT INTO deliveries (event_id) VALUES (?)", (ctx.event_id,))
    db.execute("INSERT OR IGNORE INTO effects (event_id, item_id) VALUES (?, ?)", (ctx.event_id, event.id))
    await asyncio.sleep(delay)  # slow enough that a kill lands in the middle of a batch
    await publish(event.model_copy(update={"source_request_id": ctx.event_id}), topic=out)


async def run(args: argparse.Namespace) -> None:
    registry = ContractRegistry(Path(args.contracts))
    bus = KafkaBus(args.bootstrap, "crashworker", args.instance, registry, session_timeout_ms=2000)
    deps = {"db": open_db(Path(args.db)), "out": args.out_topic, "delay": args.delay}
    handler = build_topic_handler(bus, {"sentiment.SentimentAnalyzed.v1": handle_analyzed}, deps, registry=registry)
    bus.subscribe(args.in_topic, group=args.group, handler=handler)
    await bus.start()
    Path(args.ready).touch()  # noqa: ASYNC240 - one tiny write at start-up
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    await bus.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--contracts", required=True)
    parser.add_argument("--in", dest="in_topic", required=True)
    parser.add_argument("--out", dest="out_topic", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--ready", required=True)
    parser.add_argument("--instance", default="w")
    parser.add_argument("--delay", type=float, default=0.01)
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
