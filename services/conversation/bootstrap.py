"""Builds the conversation service: repository, pipeline ports (bus-backed), LLM, cache, idle sweep, subscription."""

from __future__ import annotations

import asyncio
import contextlib

from pydantic import BaseModel

from libs.bus import build_topic_handler, derived_id
from libs.bus.base import Bus
from libs.llm import LLMService, LLMSettings
from libs.observability import HealthState, get_logger
from libs.runtime import Service, make_bus, open_service_store
from libs.store import DocumentStore
from services.conversation.ai_handlers import AI_HANDLERS, AiGeneration, TransientRedactor
from services.conversation.cache import ResponseCache, open_cache
from services.conversation.customers import CrmService, CustomerTokens
from services.conversation.events import SessionKey
from services.conversation.handlers import HANDLERS, Conversation
from services.conversation.pipeline.escalate import BusEscalation, BusManualEscalation, BusTickets
from services.conversation.pipeline.ports import EscalationPort, LLMPort, Redactor, RetrievalPort, SentimentPort
from services.conversation.pipeline.redact import BusRedactor
from services.conversation.pipeline.retrieve import BusRetrieval
from services.conversation.pipeline.sentiment import BusSentiment
from services.conversation.pipeline.turn import Ports, TurnPipeline
from services.conversation.sessions import SessionService
from services.conversation.settings import ConversationSettings
from services.conversation.store import ConversationRepository, doc_id
from services.conversation.turns import TurnService

NAME = "conversation"
log = get_logger(NAME)


def bootstrap(
    settings: ConversationSettings,
    *,
    bus: Bus | None = None,
    store: DocumentStore | None = None,
    llm: LLMPort | None = None,
    redactor: Redactor | None = None,
    sentiment: SentimentPort | None = None,
    retrieval: RetrievalPort | None = None,
    escalation: EscalationPort | None = None,
    cache: ResponseCache | None = None,
    ai_llm: LLMService | None = None,
) -> Service:
    """Every port defaults to its bus-backed implementation; tests may pass in-process ones (e.g. a fake rag).
    `ai_llm` answers ai/providers and ai/generate; by default it is `llm` when that is an LLMService, else one
    built here (shared with the pipeline when `llm` is not given)."""
    bus = bus or make_bus(settings.platform, NAME)
    store = store or open_service_store(settings.platform, NAME)
    own_llm: LLMService | None = None
    if ai_llm is None:
        ai_llm = llm if isinstance(llm, LLMService) else LLMService(LLMSettings())
        own_llm = ai_llm if ai_llm is not llm else None
    cache = cache or open_cache(settings.platform.redis_url, ttl_s=settings.cache_ttl_s)
    repo = ConversationRepository(store)
    ports = Ports(
        redactor=redactor or BusRedactor(bus),
        sentiment=sentiment or BusSentiment(bus),
        retrieval=retrieval or BusRetrieval(bus),
        escalation=escalation or BusEscalation(bus),
        llm=llm or ai_llm,
    )
    pipeline = TurnPipeline(ports, cache, settings.deadlines, top_k=settings.retrieval_top_k)
    sessions = SessionService(
        repo,
        repeat_contact_window_s=settings.repeat_contact_window_s,
        ticketed=BusTickets(bus).any_for if escalation is None else None,  # a test's fake policy has no tickets
        manual_escalation=BusManualEscalation(bus).check,
    )
    ai = AiGeneration(
        ai_llm,
        redactor or TransientRedactor(bus),
        ports.retrieval,
        settings.deadlines,
        top_k=settings.retrieval_top_k,
    )
    app = Conversation(
        sessions=sessions,
        turns=TurnService(repo, sessions, pipeline),
        tokens=CustomerTokens(repo, ttl_s=settings.customer_token_ttl_s),
        crm=CrmService(repo),
        history_limit=settings.history_limit,
    )
    bus.subscribe(
        "conversation.commands",
        group=settings.consumer_group,
        handler=build_topic_handler(bus, {**HANDLERS, **AI_HANDLERS}, deps={"app": app, "ai": ai}),
    )
    sweeper = IdleSweeper(bus, sessions, settings)

    async def prepare() -> None:
        await store.recover()  # finish a turn commit a crash cut short before any redelivery reads the inbox
        await repo.ensure_indexes()
        sweeper.start()

    async def shutdown() -> None:
        await sweeper.stop()
        await cache.aclose()
        if own_llm is not None:
            await own_llm.aclose()
        await store.close()

    async def bus_up() -> bool:
        return bus.healthy

    health = HealthState(NAME, checks={"bus": bus_up, "store": store.ping})
    return Service(name=NAME, bus=bus, health=health, on_start=[prepare], on_stop=[shutdown])


class IdleSweeper:
    """Periodically marks idle open sessions ABANDONED and emits SessionAbandoned (one per session, ever)."""

    def __init__(self, bus: Bus, sessions: SessionService, settings: ConversationSettings) -> None:
        self._bus = bus
        self._sessions = sessions
        self._settings = settings
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._settings.sweep_interval_s > 0 and self._task is None:
            self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def sweep_once(self) -> int:
        return await self._sessions.sweep_idle(self._settings.idle_abandon_s, self._emit)

    async def _emit(self, event: BaseModel, session: SessionKey) -> None:
        # The id derives from the session, so a sweep that crashed after publishing re-emits the same event id.
        await self._bus.emit(
            event,
            key=session.session_id,
            tenant_id=session.tenant_id,
            event_id=derived_id(doc_id(session.tenant_id, session.session_id), "abandoned"),
        )

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self._settings.sweep_interval_s)
            try:
                await self.sweep_once()
            except Exception:  # a failed sweep must not end the loop; the next one retries the same sessions
                log.exception("conversation.sweep_failed")
