"""What sealing adds per message: encode (`wire_bytes`) and decode of a customer turn command, sealed and in clear.

Both sides of one message (the producer seals, the consumer opens) are timed together, beside the same work without
a key, in one process; the target is under 0.2 ms added per message.
"""

from __future__ import annotations

import argparse
import time

from libs.bus import MemoryBus, sealing
from libs.bus.records import Record, decode
from libs.contracts.models.conversation import PostMessageV1
from libs.contracts.registry import default_registry

TOPIC = "conversation.commands"
TEXT = (
    "Hi, I am Jane Doe (jane.doe@example.com, +1 555 0142). My order 4471 arrived damaged and the replacement you "
    "promised last week never shipped; I have called twice and was told to wait. Can you refund the card ending "
    "1111 or send the replacement by express? I need it before Friday for my daughter's birthday. Thanks."
)


def per_message_us(n: int) -> float:
    """Microseconds to encode and decode one PostMessage envelope with the sealing configured now."""
    bus, registry = MemoryBus(service_name="bench"), default_registry()
    command = PostMessageV1(
        session_id="sess-1", customer_id="cust-1", text=TEXT, channel="api", dialect="support_agent",
        create_if_missing=True,
    )  # fmt: skip
    envelopes = [bus.envelope(TOPIC, command, key="sess-1", tenant_id="t") for _ in range(n)]
    started = time.perf_counter()
    for env in envelopes:
        decode(Record(TOPIC, sealing.wire_bytes(TOPIC, env), 0, 0, b"sess-1", ()), registry)
    return (time.perf_counter() - started) / n * 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--messages", type=int, default=20_000)
    args = parser.parse_args(argv)
    sealing.configure(None)
    per_message_us(1000)  # warm-up: schema validators compiled, caches filled
    clear = min(per_message_us(args.messages) for _ in range(3))
    sealing.configure(sealing.new_key())
    sealed = min(per_message_us(args.messages) for _ in range(3))
    sealing.configure(None)
    added = sealed - clear
    print(f"sealing: encode+decode of a {len(TEXT)}-char turn command, best of 3 x {args.messages}")
    print(f"   clear {clear:7.1f} us/message, sealed {sealed:7.1f} us/message: +{added:.1f} us (target < 200 us)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
