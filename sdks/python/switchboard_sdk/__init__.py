"""Switchboard's Python SDK: `Switchboard` / `AsyncSwitchboard` (a namespace per seed API), seed 003's `ChatClient`."""

from switchboard_sdk import models
from switchboard_sdk._transport import RetryPolicy
from switchboard_sdk.chat import AsyncChatClient, ChatClient, ChatResponse
from switchboard_sdk.client import AsyncSwitchboard, Switchboard
from switchboard_sdk.errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    RateLimitError,
    ServiceUnavailableError,
    SwitchboardError,
    WebhookVerificationError,
)
from switchboard_sdk.events import Event, EventStream
from switchboard_sdk.webhooks import Webhook, verify_seed003, verify_standard

__version__ = "0.1.0"
__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncChatClient",
    "AsyncSwitchboard",
    "AuthenticationError",
    "BadRequestError",
    "ChatClient",
    "ChatResponse",
    "ConflictError",
    "Event",
    "EventStream",
    "InternalServerError",
    "NotFoundError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "RateLimitError",
    "RetryPolicy",
    "ServiceUnavailableError",
    "Switchboard",
    "SwitchboardError",
    "Webhook",
    "WebhookVerificationError",
    "models",
    "verify_seed003",
    "verify_standard",
]
