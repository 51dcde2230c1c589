"""The records as the contract carries them: domain `Session`/`Message` to contracts/common/{Session,Message}.json."""

from __future__ import annotations

from dataclasses import asdict

from libs.contracts.models.conversation import Message as MessageModel
from libs.contracts.models.conversation import Session as SessionModel
from services.conversation.domain import Message, Session


def session_model(session: Session) -> SessionModel:
    data = asdict(session)
    del data["created_by"]  # the service's own redelivery marker, no part of the record a caller sees
    return SessionModel.model_validate(data)


def message_model(message: Message) -> MessageModel:
    return MessageModel.model_validate(asdict(message))
