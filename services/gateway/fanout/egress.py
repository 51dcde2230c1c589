"""Safe egress for webhooks: https only (plain http just for allow-listed hosts), and no private, loopback,
link-local, metadata or other non-global address, checked when a subscription is saved and again right before
each connection (the resolved address is the one connected to, so DNS rebinding cannot swap it in between)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from libs.errors import Invalid

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class EgressRefused(Exception):
    """The endpoint's address may not be reached (at connect time); the delivery fails like a network error."""


@dataclass(frozen=True)
class Target:
    """Where one request goes: the URL's host (Host header, TLS SNI and certificate check) and the vetted IP."""

    scheme: str
    host: str
    port: int
    ip: str


def _refused(ip: IPAddress) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    # not is_global covers private, loopback, link-local (169.254.169.254 metadata), CGNAT, reserved, unspecified.
    return not ip.is_global or ip.is_multicast


def check_url_shape(url: str, allowed_hosts: frozenset[str]) -> tuple[str, str, int]:
    """(scheme, host, port) of an acceptable URL, else Invalid naming the `url` field."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError as exc:
        raise Invalid("Invalid webhook URL", {"url": "the port is not a number"}) from exc
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host:
        raise Invalid("Invalid webhook URL", {"url": "must be an absolute https URL"})
    if parts.username or parts.password:
        raise Invalid("Invalid webhook URL", {"url": "credentials in the URL are not allowed"})
    if parts.scheme == "http" and host not in allowed_hosts:
        raise Invalid("Webhook URL must use https", {"url": "http is only allowed for allow-listed hosts"})
    return parts.scheme, host, port or (443 if parts.scheme == "https" else 80)


async def resolve_target(url: str, allowed_hosts: frozenset[str]) -> Target:
    """The vetted address to connect to; Invalid (subscription time) or EgressRefused callers map as they need."""
    scheme, host, port = check_url_shape(url, allowed_hosts)
    try:
        literal: IPAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [literal]
    else:
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise EgressRefused(f"cannot resolve {host}") from exc
        addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    if host not in allowed_hosts:
        bad = [str(ip) for ip in addresses if _refused(ip)]
        if bad or not addresses:
            raise EgressRefused(f"{host} resolves to a non-public address {bad}")
    return Target(scheme=scheme, host=host, port=port, ip=str(addresses[0]))


async def validate_subscription_url(url: str, allowed_hosts: frozenset[str]) -> None:
    """Subscription time: a refused or unresolvable address is a 400 naming `url`."""
    try:
        await resolve_target(url, allowed_hosts)
    except EgressRefused as exc:
        raise Invalid("Webhook URL is not reachable from here", {"url": str(exc)}) from exc
