"""Issue 17 #7: the gateway's shared field types (services/gateway/fields.py)."""

from __future__ import annotations

import pytest
from annotated_types import MaxLen
from pydantic import BaseModel, ValidationError

from libs.contracts.models.conversation import PostMessageV1
from services.gateway.fields import MAX_MESSAGE_CHARS, Id, Message


class Body(BaseModel):
    message: Message
    user_id: Id


def test_the_message_bound_never_exceeds_what_the_contract_carries() -> None:
    # A message the gateway accepts must fit the PostMessage.v1 it becomes (else a 500 past validation).
    limits = [m.max_length for m in PostMessageV1.model_fields["text"].metadata if isinstance(m, MaxLen)]
    assert limits and limits[0] >= MAX_MESSAGE_CHARS


@pytest.mark.parametrize(
    ("message", "user_id", "field"),
    [
        ("   \n\t", "u1", "message"),  # blank
        ("", "u1", "message"),
        ("x" * (MAX_MESSAGE_CHARS + 1), "u1", "message"),
        (42, "u1", "message"),  # strict: no coercion from numbers
        ("hi", "has space", "user_id"),
        ("hi", "u" * 201, "user_id"),
    ],
)
def test_refused_values_name_their_field(message: object, user_id: str, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Body.model_validate({"message": message, "user_id": user_id})
    assert [e["loc"][0] for e in caught.value.errors()] == [field]


def test_accepted_values_are_kept_as_sent() -> None:
    body = Body.model_validate({"message": " x" * (MAX_MESSAGE_CHARS // 2), "user_id": "cust_1.a:b-c"})
    assert len(body.message) == MAX_MESSAGE_CHARS and body.user_id == "cust_1.a:b-c"
