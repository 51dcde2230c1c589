"""Signatures (seed 003's own verify_webhook, a Standard Webhooks verifier written from the spec), secrets at rest,
the egress rules and the retry schedule."""

from __future__ import annotations

import base64
import hashlib
import hmac
import random
from datetime import timedelta

import pytest
from cryptography.exceptions import InvalidTag

from libs.errors import Invalid
from services.gateway.fanout.domain import MAX_ATTEMPTS, RETRY_DELAYS, retry_delay
from services.gateway.fanout.egress import EgressRefused, check_url_shape, resolve_target, validate_subscription_url
from services.gateway.fanout.signing import SecretBox, new_secret, signed_headers


def verify_webhook(payload, signature, secret):  # type: ignore[no-untyped-def]
    """Seed 003's example, verbatim."""
    expected = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()
    return hmac.compare_digest(f"sha256={expected}", signature)


def standard_webhooks_verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """Standard Webhooks spec: key = base64 part after whsec_; any of the space-separated v1 signatures matches."""
    key = base64.b64decode(secret.split("_", 1)[1])
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    offered = [s.split(",", 1)[1] for s in headers["webhook-signature"].split(" ") if s.startswith("v1,")]
    return any(hmac.compare_digest(expected, s) for s in offered)


BODY = b'{"event":"conversation.created","timestamp":"2026-01-12T15:40:00Z","data":{"conversation_id":"c1"}}'


def test_both_verifiers_accept_and_reject_tampering() -> None:
    secret = new_secret()
    assert secret.startswith("whsec_") and len(base64.b64decode(secret[6:])) == 32
    headers = signed_headers([secret], "msg_1", 1_700_000_000, BODY)
    assert verify_webhook(BODY.decode(), headers["X-Webhook-Signature"], secret)
    assert standard_webhooks_verify(secret, headers, BODY)
    tampered = BODY.replace(b"c1", b"c2")
    assert not verify_webhook(tampered.decode(), headers["X-Webhook-Signature"], secret)
    assert not standard_webhooks_verify(secret, headers, tampered)
    assert not standard_webhooks_verify(secret, {**headers, "webhook-id": "msg_2"}, BODY)


def test_rotation_signs_with_both_secrets() -> None:
    new, old = new_secret(), new_secret()
    headers = signed_headers([new, old], "msg_1", 1_700_000_000, BODY)
    assert standard_webhooks_verify(new, headers, BODY) and standard_webhooks_verify(old, headers, BODY)
    assert verify_webhook(BODY.decode(), headers["X-Webhook-Signature"], old)  # oldest valid until it expires


def test_secret_box_encrypts_and_needs_the_key() -> None:
    secret = new_secret()
    sealed = SecretBox("k" * 48).seal(secret)
    assert secret[6:] not in sealed and SecretBox("k" * 48).open(sealed) == secret
    with pytest.raises(InvalidTag):
        SecretBox("other key material!" * 3).open(sealed)


ALLOW = frozenset({"127.0.0.1"})


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/hook",  # http off the allow-list
        "ftp://example.com/hook",
        "not a url",
        "https://user:pw@example.com/",
        "https://example.com:notaport/",
    ],
)
def test_bad_url_shapes_are_invalid_naming_url(url: str) -> None:
    with pytest.raises(Invalid) as err:
        check_url_shape(url, ALLOW)
    assert "url" in err.value.details


@pytest.mark.parametrize(
    "url",
    [
        "https://10.0.0.5/hook",
        "https://192.168.1.1/",
        "https://169.254.169.254/latest/meta-data",  # cloud metadata
        "https://[::1]/",
        "https://[::ffff:10.0.0.1]/",
        "https://100.64.0.1/",
        "https://localhost/",  # resolves to loopback
        "https://127.0.0.2/",  # loopback, but not the allow-listed host
    ],
)
async def test_non_public_addresses_are_refused(url: str) -> None:
    with pytest.raises(EgressRefused):
        await resolve_target(url, ALLOW)
    with pytest.raises(Invalid) as err:
        await validate_subscription_url(url, ALLOW)
    assert "url" in err.value.details


async def test_allow_listed_host_and_public_ip_pass() -> None:
    local = await resolve_target("http://127.0.0.1:9/hook", ALLOW)
    assert (local.ip, local.port, local.scheme) == ("127.0.0.1", 9, "http")
    public = await resolve_target("https://93.184.216.34/hook", ALLOW)
    assert (public.ip, public.port) == ("93.184.216.34", 443)


def test_retry_schedule_spans_three_days_with_jitter_and_retry_after() -> None:
    rng = random.Random(7)
    total = sum((retry_delay(n, rng=rng) for n in range(1, MAX_ATTEMPTS)), timedelta())
    assert total >= timedelta(days=3)
    delays = {retry_delay(1, rng=rng) for _ in range(20)}
    assert len(delays) > 1 and all(timedelta(seconds=4) <= d <= timedelta(seconds=6) for d in delays)
    assert retry_delay(1, timedelta(minutes=7), rng=rng) == timedelta(minutes=7)  # Retry-After is longer: honoured
    assert retry_delay(3, timedelta(days=9), rng=rng) == timedelta(hours=12)  # capped
    assert len(RETRY_DELAYS) == MAX_ATTEMPTS - 1
