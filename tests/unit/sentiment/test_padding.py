"""The fine-tuned graph under padding: masked tokens change nothing, the load-time check catches a mask-ignoring
graph, and length-sorted padded batches agree with one-by-one runs up to int8 noise."""

from __future__ import annotations

import numpy as np
import pytest

from services.sentiment.model import PAD_FILLER, TwoHeadOnnx, honours_padding, pad_rows, softmax

TEXTS = [
    "ok",
    "great, thanks",
    "How do I change my PIN?",
    "The app keeps crashing when I try to top up. Fix it.",
    "My card still hasn't arrived after two weeks, what is going on?",
    "Thank you so much, the support team resolved my issue quickly. Great service!",
    "I've been trying to contact support for days with no response! This is a disgrace.",
    "Why was I charged twice for the same transfer? This is unacceptable and I want a refund right now.",
]


@pytest.fixture(scope="module")
def ft() -> TwoHeadOnnx:
    return TwoHeadOnnx(threads=2, padded=True)


def test_packaged_graph_passes_the_load_time_check(ft: TwoHeadOnnx) -> None:
    assert ft.padded


def test_masked_filler_changes_nothing_unmasked_filler_does(ft: TwoHeadOnnx) -> None:
    filler = ft.tokenizer.encode(PAD_FILLER, add_special_tokens=False).ids
    for text in ("great, thanks", "Thank you so much, love it"):
        row = ft.tokenizer.encode(text).ids
        alone = softmax(ft.run(*pad_rows([row]))[0])
        ids, mask = pad_rows([row + filler])
        unmasked = softmax(ft.run(ids, mask)[0])
        mask[0, len(row) :] = 0
        masked = softmax(ft.run(ids, mask)[0])
        assert np.abs(masked - alone).max() < 0.05
        assert np.abs(unmasked - alone).max() > 0.3  # the filler is strong enough to show a mask-ignoring graph


def test_check_rejects_a_graph_that_ignores_the_mask(ft: TwoHeadOnnx) -> None:
    def ignoring_mask(ids: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return ft.run(ids, np.ones_like(mask))  # what a graph traced without its masking computes

    assert not honours_padding(ignoring_mask, ft.tokenizer)


def test_batches_are_length_sorted_and_only_rare_lengths_are_padded(ft: TwoHeadOnnx) -> None:
    rows = [ft.tokenizer.encode(t).ids for t in TEXTS[::-1]] + [[101, *[7592] * 10, 102]] * 20  # 20 × 12 tokens
    batches = ft.batches(rows, batch_size=8)
    assert sorted(i for b in batches for i in b) == list(range(len(rows)))
    assert all([len(rows[i]) for i in b] == sorted(len(rows[i]) for i in b) for b in batches)
    common = [b for b in batches if all(len(rows[i]) == 12 for i in b)]
    assert [len(b) for b in common] == [8, 8, 4]  # a frequent length keeps its own unpadded batches
    rare = [b for b in batches if b not in common]
    assert len(rare) == 1 and len(rare[0]) == len(TEXTS)  # the rare lengths share one padded batch


def test_padded_batch_matches_one_by_one(ft: TwoHeadOnnx) -> None:
    sentiment, intent = ft.logits(TEXTS)
    single = [ft.logits([t]) for t in TEXTS]
    s1, i1 = np.concatenate([s for s, _ in single]), np.concatenate([i for _, i in single])
    assert (sentiment.argmax(1) == s1.argmax(1)).all() and (intent.argmax(1) == i1.argmax(1)).all()
    # int8 activations are quantized per batch, so neighbours move a text's probabilities a little (either path)
    gap = np.abs(softmax(sentiment) - softmax(s1)).max(1)
    assert gap.mean() < 0.05 and gap.max() < 0.15
    assert np.abs(softmax(intent) - softmax(i1)).max() < 0.1


def test_equal_length_fallback_agrees_with_padded_path(ft: TwoHeadOnnx) -> None:
    old_style = TwoHeadOnnx(threads=2)  # the default, and the path an artifact failing the check takes
    rows = [ft.tokenizer.encode(t).ids for t in TEXTS]
    assert all(len({len(rows[i]) for i in b}) == 1 for b in old_style.batches(rows, batch_size=16))
    s_old, i_old = old_style.logits(TEXTS)
    s_new, i_new = ft.logits(TEXTS)
    assert (s_old.argmax(1) == s_new.argmax(1)).all() and (i_old.argmax(1) == i_new.argmax(1)).all()
