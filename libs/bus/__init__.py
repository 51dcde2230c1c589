"""The message bus: one Bus port, KafkaBus and MemoryBus transports, envelope, dispatch and consumer core."""

from libs.bus.base import Bus, MessageContext, TopicHandler
from libs.bus.dispatch import Publisher, ReplyStream, build_topic_handler, decode_data
from libs.bus.envelope import Envelope, derived_id, new_id
from libs.bus.kafka import KafkaBus
from libs.bus.memory import MemoryBroker, MemoryBus
from libs.bus.records import DeadLetter, MemoryProcessedLog, ProcessedLog, Record, RetryPolicy

__all__ = [
    "Bus",
    "DeadLetter",
    "Envelope",
    "KafkaBus",
    "MemoryBroker",
    "MemoryBus",
    "MemoryProcessedLog",
    "MessageContext",
    "ProcessedLog",
    "Publisher",
    "Record",
    "ReplyStream",
    "RetryPolicy",
    "TopicHandler",
    "build_topic_handler",
    "decode_data",
    "derived_id",
    "new_id",
]
