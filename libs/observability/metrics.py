"""Prometheus metrics shared by every service (default registry, served on /metrics): bus traffic and HTTP requests."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

BUS_MESSAGES = Counter(
    "switchboard_bus_messages_total",
    "Messages consumed, by topic, consumer group and outcome (handled, duplicate, dead_lettered, expired)",
    ["topic", "group", "outcome"],
)
BUS_HANDLE_SECONDS = Histogram(
    "switchboard_bus_handle_seconds",
    "Time from decode to commit-ready for one consumed message",
    ["topic", "group"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
HTTP_REQUESTS = Counter(
    "switchboard_http_requests_total", "Gateway requests by route template and status", ["method", "route", "status"]
)
HTTP_SECONDS = Histogram(
    "switchboard_http_request_seconds",
    "Gateway request latency by route template",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
