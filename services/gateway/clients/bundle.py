"""The gateway's clients of every service, built once by bootstrap on one bus and one pair of deadlines; routes reach
them as `gw.clients.<service>` (the `GatewayDep` dependency), never by building one per request."""

from __future__ import annotations

from dataclasses import dataclass

from libs.bus.base import Bus
from services.gateway.clients.ai import AiClient
from services.gateway.clients.analytics import AnalyticsClient
from services.gateway.clients.base import Deadlines
from services.gateway.clients.conversation import ConversationClient
from services.gateway.clients.escalation import EscalationClient
from services.gateway.clients.privacy import PrivacyClient
from services.gateway.clients.rag import RagClient
from services.gateway.clients.sentiment import SentimentClient
from services.gateway.clients.training import TrainingClient


@dataclass(frozen=True)
class Clients:
    ai: AiClient
    analytics: AnalyticsClient
    conversation: ConversationClient
    escalation: EscalationClient
    privacy: PrivacyClient
    rag: RagClient
    sentiment: SentimentClient
    training: TrainingClient

    @classmethod
    def build(cls, bus: Bus, deadlines: Deadlines) -> Clients:
        return cls(
            ai=AiClient(bus, deadlines),
            analytics=AnalyticsClient(bus, deadlines),
            conversation=ConversationClient(bus, deadlines),
            escalation=EscalationClient(bus, deadlines),
            privacy=PrivacyClient(bus, deadlines),
            rag=RagClient(bus, deadlines),
            sentiment=SentimentClient(bus, deadlines),
            training=TrainingClient(bus, deadlines),
        )
