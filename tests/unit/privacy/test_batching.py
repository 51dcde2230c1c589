"""Batched anonymization: texts tagged together get exactly the detections and placeholders they get alone;
concurrent requests share batches; a lone request runs at once; a cancelled one does not disturb the rest."""

from __future__ import annotations

import asyncio

from services.privacy.batching import AnonymizeBatcher
from services.privacy.pii import detect, detect_many, get_analyzer

TEXTS = [
    "Hi, I am Johanna Whitfield, e-mail johanna.whitfield@example.com. How do I reset my password?",
    "my husband michael jordan ordered it, card 4111 1111 1111 1111",
    "What are your opening hours on Saturday?",
    "Dear Anna,\nplease call +44 20 7946 0958 about account 00123456789.",
    "Ship it to 221 Baker Street, London please. Thanks, Luís Moreira",
    "how long does a refund take for the premium plan? Thanks!",
]


def test_detect_many_equals_detect_one_by_one() -> None:
    assert detect_many(TEXTS) == [detect(t) for t in TEXTS]
    assert detect_many(TEXTS[:1]) == [detect(TEXTS[0])]


async def test_concurrent_requests_share_batches_and_get_their_own_results() -> None:
    batcher = AnonymizeBatcher(get_analyzer)
    alone = await batcher.anonymize(TEXTS[0], True)
    assert batcher.batches == 1, "a lone request runs at once, in a batch of its own"
    assert alone.anonymized_text.startswith("Hi, I am [NAME_1], e-mail [EMAIL_1].")
    requests = [(text, i % 2 == 0) for i, text in enumerate(TEXTS * 4)]
    results = await asyncio.gather(*(batcher.anonymize(text, keep) for text, keep in requests))
    assert batcher.batches - 1 < len(requests) / 2, "requests in flight together were tagged together"
    for (text, keep), result in zip(requests, results, strict=True):
        single = await AnonymizeBatcher(get_analyzer).anonymize(text, keep)
        assert (result.anonymized_text, result.entities, result.mapping) == (
            single.anonymized_text,
            single.entities,
            single.mapping,
        )
        assert (result.mapping is not None) is keep


async def test_a_cancelled_request_leaves_the_others_answered() -> None:
    batcher = AnonymizeBatcher(get_analyzer)
    first = asyncio.create_task(batcher.anonymize(TEXTS[2], False))
    doomed = asyncio.create_task(batcher.anonymize(TEXTS[0], False))
    last = asyncio.create_task(batcher.anonymize(TEXTS[1], False))
    await asyncio.sleep(0)
    doomed.cancel()
    assert (await first).pii_detected == []
    assert (await last).pii_detected == ["name", "credit_card"]
    assert doomed.cancelled()


async def test_a_long_text_does_not_share_a_batch_past_the_char_limit() -> None:
    batcher = AnonymizeBatcher(get_analyzer, max_chars=200)
    long_text = "Please help. " * 30  # 390 characters: over the limit alone, still tagged (in its own batch)
    results = await asyncio.gather(*(batcher.anonymize(t, False) for t in (TEXTS[2], long_text, TEXTS[5])))
    assert [r.anonymized_text for r in results] == [TEXTS[2], long_text, TEXTS[5]]
    assert batcher.batches == 3
