"""The gateway's shared request field types: one definition of "non-blank", of the customer-message bound and of
the id grammar, instead of a copy in every route module.

Limits copied into a bus message come from the message contract (`input_policy.contract_length`); the message
bound below is the gateway's own, tighter than the contract's (tests/unit/gateway/test_fields.py checks it stays so).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from pydantic import AfterValidator, Field

# One customer message, query or analysed text. The contracts accept up to 100 000 characters a text; the public
# routes take at most 32 768, so one request cannot fill a turn's model context on its own.
MAX_MESSAGE_CHARS = 32_768
ID_PATTERN = r"^[A-Za-z0-9_.:-]+$"  # the session, conversation, customer and user ids the seeds show
MAX_ID_CHARS = 200


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


NOT_BLANK = AfterValidator(_not_blank)  # a text of only whitespace is a 400 naming the field
# A customer's message (seed 002 / 003 / 004), query (seed 000 / 001) or text to analyse (seed 000).
Message = Annotated[str, Field(min_length=1, max_length=MAX_MESSAGE_CHARS, strict=True), NOT_BLANK]
Id = Annotated[str, Field(min_length=1, max_length=MAX_ID_CHARS, pattern=ID_PATTERN, strict=True)]
PathId = Annotated[str, Path(min_length=1, max_length=MAX_ID_CHARS, pattern=ID_PATTERN)]
