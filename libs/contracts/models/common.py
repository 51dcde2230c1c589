"""Models of the common messages, generated from contracts/common/ by libs.contracts.generate.

Never edit by hand: change the JSON Schema (a breaking change is a new .vN file) and run `make contracts`.
"""

from __future__ import annotations

from typing import Annotated, Any
from pydantic import BaseModel, ConfigDict, Field


Details = Annotated[list[str | int | float | bool | None], Field(max_length=200)]


class ErrorReplyV1(BaseModel):
    """
    Reply to a command whose handler answered with a typed domain error (libs.errors); `code` names the error class.
    """
    model_config = ConfigDict(
        extra='forbid',
    )
    code: Annotated[str, Field(max_length=64, min_length=1)]
    """
    Error code, e.g. invalid, not_found, conflict, forbidden, unauthorized, too_large, rate_limited, unavailable, timeout.
    """
    message: Annotated[str, Field(max_length=4000)]
    """
    Human-readable explanation; never customer text.
    """
    details: Annotated[dict[str, str | int | float | bool | Details | dict[str, str | int | float | bool | None] | None], Field(max_length=32)]
    """
    Machine-readable context, e.g. the offending field: scalars, lists of scalars, or one level of scalar map.
    """
