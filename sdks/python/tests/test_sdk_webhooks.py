"""Webhook verification: Standard Webhooks v1 and seed 003's `X-Webhook-Signature`."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import pytest

from switchboard_sdk import Webhook, WebhookVerificationError, verify_seed003, verify_standard
from switchboard_sdk.webhooks import sign_seed003, sign_standard

PAYLOAD = json.dumps({"event": "conversation.escalated", "timestamp": "2026-01-12T15:40:00Z", "data": {}})
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def seed_003_verify_webhook(payload: str, signature: str, secret: str) -> bool:
    """Seed 003's own example, copied unchanged."""
    expected = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(f"sha256={expected}", signature)


def test_standard_webhooks_reference_vector() -> None:
    # The example of the Standard Webhooks specification / Svix libraries.
    headers = {
        "webhook-id": "msg_p5jXN8AQM9LWM0D4loKWxJek",
        "webhook-timestamp": "1614265330",
        "webhook-signature": "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    }
    verify_standard('{"test": 2432232314}', headers, SECRET, now=1614265330)


def test_standard_round_trip_rotation_and_refusals() -> None:
    now = int(time.time())
    signature = sign_standard(SECRET, "msg_1", now, PAYLOAD.encode())
    headers = {"Webhook-Id": "msg_1", "Webhook-Timestamp": str(now), "Webhook-Signature": f"v1,bm9wZQ== {signature}"}
    assert Webhook(SECRET).verify(PAYLOAD, headers)["event"] == "conversation.escalated"
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(PAYLOAD.replace("escalated", "resolved"), headers)
    with pytest.raises(WebhookVerificationError):  # a replay an hour later
        Webhook(SECRET).verify(PAYLOAD, headers, now=now + 3600)
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(PAYLOAD, {"webhook-id": "msg_1"})


def test_seed_003_signature_both_ways() -> None:
    secret = "my_webhook_secret"
    signature = sign_seed003(secret, PAYLOAD.encode())
    assert seed_003_verify_webhook(PAYLOAD, signature, secret)  # the seed's code accepts what we sign
    verify_seed003(PAYLOAD, signature, secret)
    assert Webhook(secret).verify(PAYLOAD, {"X-Webhook-Signature": signature})["data"] == {}
    with pytest.raises(WebhookVerificationError):
        verify_seed003(PAYLOAD, "sha256=" + "0" * 64, secret)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(PAYLOAD, {})
