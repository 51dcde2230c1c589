"""Models of the common messages, generated from contracts/common/ by libs.contracts.generate.

Never edit by hand: change the JSON Schema (a breaking change is a new .vN file) and run `make contracts`.
"""

from __future__ import annotations

from typing import Annotated, Any
from pydantic import BaseModel, ConfigDict, Field




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
    details: dict[str, Any]
    """
    Machine-readable context, e.g. the offending field.
    """
