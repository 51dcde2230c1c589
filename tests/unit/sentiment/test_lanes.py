"""Parallel batch lanes: a long request spread over lanes gives exactly the single-lane results, in caller order."""

from __future__ import annotations

import numpy as np
import pytest

from services.sentiment.model import TwoHeadOnnx

WORDS = ["refund", "card", "pending", "transfer", "thanks", "awful", "great", "why", "my", "the", "is", "not"]


def texts(n: int, seed: int = 7) -> list[str]:
    rng = np.random.default_rng(seed)
    return [" ".join(rng.choice(WORDS, size=int(rng.integers(1, 25)))) for _ in range(n)]


@pytest.fixture(scope="module")
def pair() -> tuple[TwoHeadOnnx, TwoHeadOnnx]:
    return TwoHeadOnnx(threads=1), TwoHeadOnnx(threads=2)


def test_lanes_change_nothing_but_speed(pair: tuple[TwoHeadOnnx, TwoHeadOnnx]) -> None:
    one_lane, two_lanes = pair
    batch = texts(300)
    ids = [e.ids for e in two_lanes.tokenizer.encode_batch(batch)]
    assert len(two_lanes.batches(ids, 16)) > 2  # the request really is spread over several batches
    s1, i1 = one_lane.logits(batch, batch_size=16)
    s2, i2 = two_lanes.logits(batch, batch_size=16)
    # same batches → same per-batch int8 activation ranges → bit-identical logits, scattered back in caller order
    assert np.array_equal(s1, s2) and np.array_equal(i1, i2)


def test_start_returns_before_waiting(pair: tuple[TwoHeadOnnx, TwoHeadOnnx]) -> None:
    _, two_lanes = pair
    batch = texts(200, seed=3)
    finish = two_lanes.start(batch)
    sentiment, intent = finish()
    assert sentiment.shape == (200, 3) and intent.shape == (200, 77)
    assert np.array_equal(sentiment, two_lanes.logits(batch)[0])
