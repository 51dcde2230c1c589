"""Prometheus metrics of the analytics consumer (served on the service's /metrics beside the bus's own
switchboard_bus_messages_total, whose rate by topic is the events/s consumed)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

FACTS = Counter(
    "switchboard_analytics_events_total",
    "Events read by the analytics consumer, by outcome: stored (counted), duplicate (counted before), skipped "
    "(a type the rollups do not count)",
    ["topic", "outcome"],
)
DELAY_SECONDS = Histogram(
    "switchboard_analytics_event_delay_seconds",
    "Time from an event's envelope time to its fact being stored: how far the rollups trail the traffic",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600),
)
REBUILD_EVENTS = Gauge(
    "switchboard_analytics_rebuild_events", "Events replayed so far by the running (or last) rebuild"
)
CONSUMER_LAG = Gauge(
    "switchboard_analytics_consumer_lag",
    "Messages of each partition the analytics consumer group has not handled and committed yet (end offset - "
    "committed offset), read from the broker every SWITCHBOARD_ANALYTICS_LAG_INTERVAL_S",
    ["topic", "partition"],
)
