"""The bucket keys a fact is stored with are cut from its time string: they must equal the formatted bucket starts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from services.analytics.domain import GRANULARITIES, Fact, bucket_keys, bucket_start, iso

INSTANTS = [
    datetime(2026, 3, 2, 10, 15, 7, 123456, tzinfo=UTC),  # a Monday
    datetime(2026, 3, 8, 23, 59, 59, 999999, tzinfo=UTC),  # a Sunday, last microsecond of the week
    datetime(2026, 1, 1, 0, 0, tzinfo=UTC),  # a Thursday: its week starts in the year before
    datetime(2026, 3, 1, 1, 30, tzinfo=timezone(timedelta(hours=5))),  # the day before, in UTC
]


@pytest.mark.parametrize("at", INSTANTS, ids=str)
def test_bucket_keys_are_the_formatted_bucket_starts(at: datetime) -> None:
    expected = {g: iso(bucket_start(at, g)) for g in GRANULARITIES}
    assert bucket_keys(at.astimezone(UTC), iso(at)) == expected
    doc = Fact("e1", "acme", "message", at).to_doc()
    assert {g: doc[g] for g in GRANULARITIES} == expected and doc["at"] == iso(at)
