"""Per-route rate limits the seeds document (per client IP, per minute or second), on top of the key's hourly tier."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from libs.errors import RateLimited
from services.gateway.ratelimit import Quota, RateLimiter, keep_tightest


@dataclass(frozen=True)
class Limit:
    requests: int
    per_seconds: int


MINUTE = 60
# (method, path template without the configurable seed 002 prefix) -> limits, from each seed's "Rate limits" section.
ROUTE_LIMITS: dict[tuple[str, str], tuple[Limit, ...]] = {
    # seed 001: query 60/min, session endpoints 100/min, metrics 30/min (per IP)
    ("POST", "/api/query"): (Limit(60, MINUTE),),
    ("POST", "/api/session"): (Limit(100, MINUTE),),
    ("GET", "/api/session/{session_id}"): (Limit(100, MINUTE),),
    ("DELETE", "/api/session/{session_id}"): (Limit(100, MINUTE),),
    ("GET", "/api/metrics"): (Limit(30, MINUTE),),
    ("GET", "/api/metrics/session/{session_id}"): (Limit(30, MINUTE),),
    # seed 002 (under its prefix): sessions 100/min, messages 60/min, list 200/min, analytics 20/min
    ("POST", "/sessions"): (Limit(100, MINUTE),),
    ("POST", "/sessions/{session_id}/messages"): (Limit(60, MINUTE),),
    ("GET", "/sessions"): (Limit(200, MINUTE),),
    ("GET", "/analytics"): (Limit(20, MINUTE),),
}
# seed 004: every endpoint 100/min per IP with bursts of at most 10/s.
DIALECT_LIMITS: dict[str, tuple[Limit, ...]] = {"crm_chat": (Limit(10, 1), Limit(100, MINUTE))}


def limits_for(dialect: str, method: str, path: str, cs_prefix: str) -> tuple[Limit, ...]:
    if dialect == "crm_chat":
        return DIALECT_LIMITS["crm_chat"]
    if dialect == "tiered_cs":
        path = path.removeprefix(cs_prefix) or "/"
    elif dialect != "support_agent":
        return ()
    return ROUTE_LIMITS.get((method, path), ())


async def enforce(request: Request, limiter: RateLimiter, scope: str, limits: tuple[Limit, ...]) -> None:
    """Count the request in each window (per client IP, as the seeds say); 429 past any of them.

    The headers show the longest window (seed 004's example shows its 100/min, not the 10/s burst) unless a
    shorter window is the one that refused the request.
    """
    client = request.client.host if request.client else "unknown"
    shown: Quota | None = None
    for limit in sorted(limits, key=lambda x: -x.per_seconds):
        try:
            quota = await limiter.hit_window(f"{scope}:{client}", limit.requests, limit.per_seconds)
        except RateLimited as exc:
            request.state.rate_limit = Quota(limit=limit.requests, remaining=0, reset_epoch=exc.details["reset"])
            raise
        shown = shown or quota
    if shown is not None:
        keep_tightest(request, shown)
