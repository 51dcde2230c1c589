"""Rows the conversation store wrote before its records were typed still read in the contract's shape."""

from __future__ import annotations

from dataclasses import asdict

from libs.contracts.models.conversation import SessionViewV1
from libs.contracts.registry import default_registry
from libs.store import open_store
from services.conversation.domain import CrmUser, CustomerToken, Session
from services.conversation.store import ConversationRepository, message_from_row, session_doc, session_from_row
from services.conversation.views import message_model, session_model

AT = "2026-01-01T00:00:00.000Z"


def test_rows_stored_before_the_records_were_typed_read_in_the_contract_shape() -> None:
    """Sessions and messages stored with camelCase history, resolution and metadata keys still pass the contract."""
    session = Session("sess_1", "t", "c", "chat", "tiered_cs", AT, AT, AT)
    row = session_doc(session) | {
        "escalation_history": [{"fromTier": "AI_REP", "toTier": "AI_MANAGER", "reason": "IRATE", "timestamp": AT}],
        "resolution": {"type": "ISSUE_RESOLVED", "summary": None, "actionsTaken": [], "followUpRequired": False},
    }
    read = session_from_row(row)
    assert read.escalation_history[0].from_tier == "AI_REP" and read.resolution is not None
    message = message_from_row(
        {
            "id": "t/m", "message_id": "m", "tenant_id": "t", "session_id": "sess_1", "customer_id": "c", "seq": 2,
            "role": "ai_rep", "content": "hi", "timestamp": AT, "metadata": {"aiGenerated": True, "stepMs": {}},
        }
    )  # fmt: skip
    assert message.metadata == {"ai_generated": True, "step_ms": {}}
    view = SessionViewV1(session=session_model(read), messages=[message_model(message)])
    default_registry().dump("conversation.SessionView.v1", view)


def test_a_session_round_trips_through_its_row() -> None:
    session = Session("sess_2", "t", "c", "chat", "tiered_cs", AT, AT, AT, metadata={"customer": {"tier": None}})
    assert session_from_row(session_doc(session)) == session
    assert asdict(session_from_row(session_doc(session))) == asdict(session)


async def test_crm_users_and_customer_tokens_read_back_as_the_records_stored() -> None:
    repo = ConversationRepository(open_store(database="crm_rows"))
    user = CrmUser("user_1", "t", "Ada", "ada@example.com", AT, AT, company="Acme", preferences={"lang": "en"})
    await repo.insert_user(user)
    assert await repo.get_user("t", "user_1") == user and await repo.get_user("other", "user_1") is None
    token = CustomerToken("t/tok_1", "t", "sess_9", "user_1", "hash", AT, AT)
    await repo.insert_token(token)
    assert await repo.token_by_hash("hash") == token and await repo.token_by_hash("nope") is None
