"""W3C trace context per bus message: full OpenTelemetry spans when spans are recorded, else a derived traceparent.

Without a span processor (no exporter: the default, tests, benchmarks) an SDK span per message records nothing and
costs more than the rest of the publish. Then the bus derives the same ids the SDK would: a child span id under the
current trace (or a new sampled trace), and a non-recording parent span on receipt, so `traceparent` still joins
gateway → services into one trace and handlers still see the producer's trace as current.
"""

from __future__ import annotations

import os

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.trace import NonRecordingSpan, NoOpTracerProvider, ProxyTracerProvider, SpanContext, TraceFlags

tracer = trace.get_tracer("libs.bus")


# get_tracer_provider() reads os.environ on every call while no provider is set; this runs once per message.
_PROVIDER_FROM_ENV = "OTEL_PYTHON_TRACER_PROVIDER" in os.environ


def recording() -> bool:
    """True when spans go somewhere: an SDK provider with a span processor, or a provider we do not know."""
    provider = getattr(trace, "_TRACER_PROVIDER", None)
    if provider is None:
        if not _PROVIDER_FROM_ENV:
            return False
        provider = trace.get_tracer_provider()
    # This runs twice per message: the answer is kept until the provider or its processors change (the SDK
    # replaces its processor tuple when one is added, so identity tells).
    global _last_answer
    processors = getattr(getattr(provider, "_active_span_processor", None), "_span_processors", None)
    last_provider, last_processors, answer = _last_answer
    if provider is last_provider and processors is last_processors:
        return answer
    answer = _recording(provider)
    _last_answer = (provider, processors, answer)
    return answer


_last_answer: tuple[object, object, bool] = (None, None, False)  # provider, its processors, what `recording` said


def _recording(provider: object) -> bool:
    if isinstance(provider, ProxyTracerProvider | NoOpTracerProvider):
        return False
    processors = getattr(provider, "_active_span_processor", None)
    if processors is None:
        return True  # not the SDK: let it decide what to record
    return bool(getattr(processors, "_span_processors", ()))


def format_traceparent(ctx: SpanContext) -> str:
    return f"00-{ctx.trace_id:032x}-{ctx.span_id:016x}-{int(ctx.trace_flags):02x}"


def derived_traceparent() -> str:
    """A new span's traceparent under the current span (a new sampled trace when there is none), SDK-free."""
    current = trace.get_current_span().get_span_context()
    if current.is_valid:
        return f"00-{current.trace_id:032x}-{os.urandom(8).hex()}-{int(current.trace_flags):02x}"
    ids = os.urandom(24).hex()
    return f"00-{ids[:32]}-{ids[32:]}-01"


def inject(span: trace.Span) -> str | None:
    """The traceparent of a real span, through the configured propagators."""
    if not span.get_span_context().is_valid:
        return None
    carrier: dict[str, str] = {}
    propagate.inject(carrier, context=trace.set_span_in_context(span))
    return carrier.get("traceparent")


def parse_traceparent(value: str | None) -> SpanContext | None:
    """A remote SpanContext from a W3C traceparent (version 00 layout); None when absent or malformed."""
    if not value or len(value) < 55:
        return None
    parts = value.split("-")
    if len(parts) < 4 or len(parts[0]) != 2 or parts[0] == "ff" or len(parts[1]) != 32 or len(parts[2]) != 16:
        return None
    try:
        trace_id, span_id, flags = int(parts[1], 16), int(parts[2], 16), int(parts[3][:2], 16)
    except ValueError:
        return None
    if not trace_id or not span_id:
        return None
    return SpanContext(trace_id, span_id, is_remote=True, trace_flags=TraceFlags(flags))


Handling = tuple[object, trace.Span | None]


def begin_consuming(topic: str, group: str, event_id: str, event_type: str, traceparent: str | None) -> Handling | None:
    """Make the producer's trace current while the handler runs (a real CONSUMER span when recording); pass the
    result to `end_consuming`. Two plain calls rather than a context manager: this runs once per message."""
    if not recording():
        parent = parse_traceparent(traceparent)
        if parent is None:
            return None
        return otel_context.attach(trace.set_span_in_context(NonRecordingSpan(parent))), None
    ctx = propagate.extract({"traceparent": traceparent} if traceparent else {})
    attributes = {
        "messaging.system": "kafka",
        "messaging.destination.name": topic,
        "messaging.consumer.group.name": group,
        "messaging.message.id": event_id,
        "cloudevents.event_type": event_type,
    }
    span = tracer.start_span(f"process {topic}", context=ctx, kind=trace.SpanKind.CONSUMER, attributes=attributes)
    return otel_context.attach(trace.set_span_in_context(span, ctx)), span


def end_consuming(handling: Handling | None) -> None:
    if handling is None:
        return
    token, span = handling
    otel_context.detach(token)  # type: ignore[arg-type]
    if span is not None:
        span.end()
