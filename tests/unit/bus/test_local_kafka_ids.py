"""Cluster ids for the local broker's storage formatter: Kafka's format, never read as a command-line option."""

from __future__ import annotations

import base64

import pytest

from libs.bus import local_kafka


def test_cluster_ids_never_start_with_a_dash_even_when_the_random_bytes_would(monkeypatch: pytest.MonkeyPatch) -> None:
    dash_first = base64.urlsafe_b64decode("-" + "A" * 21 + "==")  # 16 bytes whose encoding starts with "-"
    draws = iter([dash_first, b"\x01" * 16])

    class FakeUuid:
        def __init__(self) -> None:
            self.bytes = next(draws)

    monkeypatch.setattr(local_kafka.uuid, "uuid4", FakeUuid)
    value = local_kafka._kafka_uuid()
    assert not value.startswith("-") and len(value) == 22
    assert base64.urlsafe_b64decode(value + "==") == b"\x01" * 16
