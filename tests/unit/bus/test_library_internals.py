"""The bus leans on a few library internals for speed; each test here pins one, so an upgrade that changes it fails
here, by name, instead of silently slowing the bus down or corrupting what it sends.

- pydantic: `Envelope.trusted` sets BaseModel's slots through their descriptors (libs/bus/envelope.py).
- structlog: the consumer and the gateway set the ContextVars behind `bind_contextvars` directly
  (libs/observability/context.py), and the bus reads the correlation id from them.
- OpenTelemetry: `recording()` reads the global provider and its span-processor tuple (libs/bus/trace_context.py).
- aiokafka: KafkaBus's health probe asks the producer's own client for metadata (libs/bus/kafka.py).
(aiokafka's partitioner: tests/unit/bus/test_kafka_producer.py; qdrant-client's local storage:
tests/integration/rag/test_index_internals.py.)
"""

from __future__ import annotations

import contextvars
import copy
import inspect
import subprocess
import sys
import types
from datetime import UTC, datetime, timedelta
from pathlib import Path

import structlog
from aiokafka import AIOKafkaProducer
from aiokafka.cluster import ClusterMetadata
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from pydantic import BaseModel

from libs.bus import Envelope, MemoryBus
from libs.observability.context import log_id_vars
from tests.unit.bus.messages import analyzed

REPO = Path(__file__).resolve().parents[3]


# -- pydantic: BaseModel's slots (Envelope.trusted) -----------------------------------------------------------------
def test_basemodel_has_exactly_the_slots_envelope_trusted_sets() -> None:
    # A new slot would be left unset by `trusted` (AttributeError on first use); a renamed one breaks its import.
    assert set(BaseModel.__slots__) == {
        "__dict__",
        "__pydantic_fields_set__",
        "__pydantic_extra__",
        "__pydantic_private__",
    }
    for name in ("__pydantic_fields_set__", "__pydantic_extra__", "__pydantic_private__"):
        assert isinstance(BaseModel.__dict__[name], types.MemberDescriptorType)


def test_envelope_has_no_extra_or_private_state_for_trusted_to_fill() -> None:
    # `trusted` sets __pydantic_extra__ and __pydantic_private__ to None: right only for extra="ignore" and no
    # private attributes.
    assert Envelope.model_config.get("extra") == "ignore"
    assert Envelope.__private_attributes__ == {}


def test_a_trusted_envelope_is_indistinguishable_from_a_validated_one() -> None:
    bus = MemoryBus()
    deadline = datetime.now(UTC) + timedelta(seconds=5)
    built = bus.envelope("sentiment.events", analyzed(1), key="k", tenant_id="t", correlation_id="c", deadline=deadline)
    fields = {name: getattr(built, name) for name in Envelope.model_fields}
    trusted, validated = Envelope.trusted(dict(fields)), Envelope.model_validate(fields)
    assert trusted == validated and repr(trusted) == repr(validated)
    assert trusted.model_fields_set == validated.model_fields_set
    assert trusted.__pydantic_extra__ is None and trusted.__pydantic_private__ is None
    assert trusted.model_dump() == validated.model_dump()
    assert trusted.to_bytes() == validated.to_bytes() == built.to_bytes()  # same fields, in declaration order
    assert Envelope.from_bytes(built.to_bytes()) == validated
    copied = trusted.model_copy(update={"id": "other"})
    assert copied.id == "other" and copied.data == validated.data
    assert copy.deepcopy(trusted) == validated


# -- structlog: the ContextVars behind bind_contextvars (ConsumerCore's log ids) ---------------------------------------
def _token_vars() -> tuple[contextvars.ContextVar[object], contextvars.ContextVar[object]]:
    """What libs.observability.context does once: bind, reset, and keep the ContextVars the tokens name."""
    tokens = structlog.contextvars.bind_contextvars(event_id=None, correlation_id=None)
    structlog.contextvars.reset_contextvars(**tokens)
    return tokens["event_id"].var, tokens["correlation_id"].var


def test_structlog_reads_log_ids_from_the_context_variables_its_tokens_name() -> None:
    def inside_a_fresh_context() -> None:
        event_var, correlation_var = _token_vars()
        assert "event_id" not in structlog.contextvars.get_contextvars()  # reset: unset again, not None
        event_token, correlation_token = event_var.set("evt-1"), correlation_var.set("corr-1")
        assert structlog.contextvars.get_contextvars() == {"event_id": "evt-1", "correlation_id": "corr-1"}
        merged = structlog.contextvars.merge_contextvars(None, "info", {"event": "handled"})
        assert merged == {"event": "handled", "event_id": "evt-1", "correlation_id": "corr-1"}  # what log lines get
        correlation_var.reset(correlation_token)
        event_var.reset(event_token)
        assert structlog.contextvars.get_contextvars() == {}
        structlog.contextvars.bind_contextvars(event_id="evt-2")  # binding later reuses the same variable
        assert event_var.get() == "evt-2"
        assert _token_vars()[0] is event_var
        assert log_id_vars() == (event_var, correlation_var)  # the module's cached pair is structlog's own

    contextvars.copy_context().run(inside_a_fresh_context)


# -- OpenTelemetry: the global provider and its span-processor tuple (trace_context.recording) ------------------------
def test_the_sdk_replaces_its_span_processor_tuple_when_one_is_added() -> None:
    # recording() keeps its answer while the provider's processor tuple is the same object.
    provider = TracerProvider()
    before = provider._active_span_processor._span_processors
    assert before == () and isinstance(before, tuple)
    provider.add_span_processor(SimpleSpanProcessor(InMemorySpanExporter()))
    after = provider._active_span_processor._span_processors
    assert after is not before and isinstance(after, tuple) and len(after) == 1


RECORDING_PROBE = """
import os
from opentelemetry import trace
from opentelemetry.environment_variables import OTEL_PYTHON_TRACER_PROVIDER
from aiokafka import AIOKafkaProducer
from aiokafka.cluster import ClusterMetadata
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from libs.bus import trace_context

assert OTEL_PYTHON_TRACER_PROVIDER == "OTEL_PYTHON_TRACER_PROVIDER" and OTEL_PYTHON_TRACER_PROVIDER not in os.environ
assert trace._TRACER_PROVIDER is None and not trace_context.recording()  # no provider set: nothing records
provider = TracerProvider()
trace.set_tracer_provider(provider)
assert trace._TRACER_PROVIDER is provider
assert not trace_context.recording()  # the SDK without a span processor records nothing either
exporter = InMemorySpanExporter()
provider.add_span_processor(SimpleSpanProcessor(exporter))
assert trace_context.recording()  # noticed at once: the processor tuple was replaced
with trace_context.tracer.start_as_current_span("probe") as span:
    assert trace_context.inject(span).split("-")[1] == f"{span.get_span_context().trace_id:032x}"
assert [s.name for s in exporter.get_finished_spans()] == ["probe"]
print("ok")
"""


def test_recording_follows_the_global_provider_and_its_processors() -> None:
    # A process of its own: the global tracer provider can be set once per process.
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)}
    run = subprocess.run(
        [sys.executable, "-c", RECORDING_PROBE], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stderr


# -- aiokafka: the producer's client (KafkaBus._watch_health) --------------------------------------------------------
async def test_the_producer_exposes_the_client_whose_metadata_the_health_probe_reads() -> None:
    # The probe catches only Kafka, OS and timeout errors: an AttributeError here would end it and leave the bus
    # reporting healthy forever.
    producer = AIOKafkaProducer(bootstrap_servers="127.0.0.1:9")
    try:
        assert inspect.iscoroutinefunction(producer.client.fetch_all_metadata)
        assert isinstance(ClusterMetadata().topics(), set)
    finally:
        await producer.stop()
