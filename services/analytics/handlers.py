"""Consumes every domain event topic (facts for the rollups) and analytics.commands (QueryReport -> Report)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from libs.bus import Envelope, decode_data
from libs.bus.base import MessageContext, TopicHandler
from libs.bus.dispatch import HandlerFn
from libs.contracts.models.analytics import ConversationListV1, ListConversationsV1, QueryReportV1, ReportV1
from libs.contracts.registry import ContractRegistry, default_registry
from libs.observability import get_logger
from services.analytics import metrics
from services.analytics.domain import check_period, fact_of, parse_instant
from services.analytics.ingest import GroupCommit
from services.analytics.listing import list_conversations
from services.analytics.notify import UpdateNotifier
from services.analytics.report import build_report
from services.analytics.store import FactStore, Scope

log = get_logger("analytics.handlers")


def event_handler(
    facts: FactStore,
    *,
    registry: ContractRegistry | None = None,
    on_event: Callable[[], None] | None = None,
    notifier: UpdateNotifier | None = None,
) -> TopicHandler:
    """One handler for every event topic. It returns only once the fact is stored, and the bus commits the
    offset only after the handler returned, so a crash in between replays the event (and the fact's id,
    the event id, makes that replay a no-op)."""
    reg = registry or default_registry()
    writer = GroupCommit(facts)

    async def handle(env: Envelope) -> None:
        message = decode_data(env, reg)
        fact = fact_of(message, event_id=env.id, tenant_id=env.tenantid, sent_at=env.time)
        topic = env.type.split(".", 1)[0] + ".events"
        if fact is None:
            metrics.FACTS.labels(topic, "skipped").inc()
        elif await writer.record(fact):
            metrics.FACTS.labels(topic, "stored").inc()
            if notifier is not None and not fact.values.get("test"):
                notifier.counted(fact.tenant_id, fact.at)
            metrics.DELAY_SECONDS.observe(max((datetime.now(UTC) - env.time).total_seconds(), 0.0))
        else:
            metrics.FACTS.labels(topic, "duplicate").inc()
            log.info("analytics.duplicate_event", event_id=env.id, type=env.type)
        if on_event is not None:
            on_event()

    return handle


def _period(start: str, end: str) -> tuple[datetime, datetime]:
    since, until = parse_instant(start, "start"), parse_instant(end, "end")
    check_period(since, until)
    return since, until


async def handle_query_report(
    cmd: QueryReportV1, *, ctx: MessageContext, facts: FactStore, durable_window: timedelta
) -> ReportV1:
    start, end = _period(cmd.start, cmd.end)
    scope = Scope(ctx.tenant_id, start, end, session_id=cmd.session_id, customer_id=cmd.customer_id)
    return await build_report(facts, scope, cmd.granularity, window=durable_window, now=datetime.now(UTC))


async def handle_list_conversations(
    cmd: ListConversationsV1, *, ctx: MessageContext, facts: FactStore, durable_window: timedelta
) -> ConversationListV1:
    start, end = _period(cmd.start, cmd.end)
    scope = Scope(ctx.tenant_id, start, end)
    return await list_conversations(
        facts, scope, cmd.metric, limit=cmd.limit, offset=cmd.offset, window=durable_window, now=datetime.now(UTC)
    )


HANDLERS: dict[str, HandlerFn] = {
    "analytics.QueryReport.v1": handle_query_report,
    "analytics.ListConversations.v1": handle_list_conversations,
}
