"""Rows the conversation store wrote before its records were typed still read in the contract's shape."""

from __future__ import annotations

from libs.contracts.registry import default_registry
from services.conversation.store import message_row, session_row
from tests.contract.test_shared_refs import _session


def test_rows_stored_before_the_records_were_typed_read_in_the_contract_shape() -> None:
    """Sessions and messages stored with camelCase history, resolution and metadata keys still pass the contract."""
    at = "2026-01-01T00:00:00.000Z"
    old_entry = {"fromTier": "AI_REP", "toTier": "AI_MANAGER", "reason": "IRATE", "reasons": [], "timestamp": at}
    resolution = {"type": "ISSUE_RESOLVED", "summary": None, "actionsTaken": [], "followUpRequired": False}
    session = session_row(_session(escalation_history=[old_entry], resolution=resolution))
    message = message_row(
        {
            "message_id": "m", "tenant_id": "t", "session_id": "sess_1", "customer_id": "c", "seq": 2,
            "role": "ai_rep", "content": "hi", "timestamp": at, "metadata": {"aiGenerated": True, "stepMs": {}},
        }
    )  # fmt: skip
    assert session["escalation_history"][0]["from_tier"] == "AI_REP" and message["metadata"]["ai_generated"]
    view = {"session": session, "messages": [message]}
    default_registry().validate("conversation.SessionView.v1", view)
