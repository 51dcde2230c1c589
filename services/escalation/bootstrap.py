"""Builds the escalation service: EscalationService over its store, the command log, and the bus subscription on
escalation.commands (replies on the requester's reply topic, events on escalation.events)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from libs.bus import build_topic_handler
from libs.bus.base import Bus
from libs.observability import HealthState
from libs.runtime import Service, make_bus, open_service_store
from libs.store import DocumentStore
from services.escalation.handlers import HANDLERS, CommandLog
from services.escalation.policy import Thresholds
from services.escalation.service import EscalationService, utc_now
from services.escalation.settings import EscalationSettings

NAME = "escalation"


def thresholds(settings: EscalationSettings) -> Thresholds:
    return Thresholds(
        min_retrieval_confidence=settings.min_retrieval_confidence,
        max_complexity=settings.max_complexity,
        repeat_contacts=settings.repeat_contacts,
        failed_attempts=settings.failed_attempts,
        vip_lifetime_value=settings.vip_lifetime_value,
        negative_sentiment=settings.negative_sentiment,
    )


def bootstrap(
    settings: EscalationSettings,
    *,
    bus: Bus | None = None,
    store: DocumentStore | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> Service:
    bus = bus or make_bus(settings.platform, NAME)
    store = store or open_service_store(settings.platform, NAME)
    service = EscalationService(store, clock=clock, thresholds=thresholds(settings))
    deps = {"service": service, "log": CommandLog(store)}
    bus.subscribe(
        "escalation.commands", group=settings.consumer_group, handler=build_topic_handler(bus, HANDLERS, deps=deps)
    )

    async def store_up() -> bool:
        return await store.ping()

    async def bus_up() -> bool:
        return bus.healthy

    health = HealthState(NAME, checks={"bus": bus_up, "store": store_up})
    return Service(name=NAME, bus=bus, health=health, on_start=[service.start], on_stop=[store.close])
