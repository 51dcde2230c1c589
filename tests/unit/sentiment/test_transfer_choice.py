"""The transfer validations behind the served blends: folds that never fit on what they score, the near-duplicate
groups of the intent cross-validation, and the char n-gram sentiment head the service stacks (same as scikit-learn)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from services.sentiment.model import HEADS_NPZ, Heads, softmax
from services.training.offline.intent_transfer import IntentData, near_duplicate_groups
from services.training.offline.sentiment_transfer import LATEST_FIRST_ROW, TWEET_SOURCES, folds


def test_no_fold_fits_on_the_source_it_scores() -> None:
    for name, fold in folds().items():
        fitted = set(fold.lexical_fit) | set(fold.stack_tweets) | set(fold.stack_reviews)
        assert fold.scored not in fitted, name
        assert "tweet_val" not in fitted, name  # the val split is reported, never fit
    latest = folds()["latest tweets"]
    assert not any(s.endswith("_late") for s in latest.lexical_fit + latest.stack_tweets)


def test_tweet_sources_are_ordered_blocks_ending_with_the_latest() -> None:
    starts = [start for start, _ in TWEET_SOURCES]
    assert starts == sorted(starts) and starts[0] == 0
    assert TWEET_SOURCES[-1] == (LATEST_FIRST_ROW, "2016test")


def test_near_duplicates_share_a_group_transitively() -> None:
    a = np.array([1.0, 0.0, 0.0])
    b = np.array([0.95, 0.312, 0.0])  # cosine 0.95 with a
    c = np.array([0.81, 0.586, 0.0])  # cosine 0.95 with b, 0.81 with a
    far = np.array([0.0, 0.0, 1.0])
    emb = np.vstack([v / np.linalg.norm(v) for v in (a, b, c, far)])
    groups = near_duplicate_groups(emb, 0.9)
    assert groups[0] == groups[1] == groups[2] != groups[3]


def test_served_char_head_matches_scikit_learn(tmp_path: Path) -> None:
    texts = ["great service, thanks", "awful, never again", "the parcel arrived", "love it", "terrible support"]
    y = np.array([2, 0, 1, 2, 0])
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True).fit(texts)
    clf = LogisticRegression(C=10.0, max_iter=1000).fit(vectorizer.transform(texts), y)
    rng = np.random.default_rng(0)
    with np.load(HEADS_NPZ, allow_pickle=False) as npz:
        arrays = {k: npz[k] for k in npz.files if not k.startswith(("slex_", "fuse_"))}
    arrays.update({
        "slex_vocab": np.array(sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.get)),
        "slex_idf": vectorizer.idf_.astype(np.float32), "slex_W": clf.coef_.T.astype(np.float32),
        "slex_b": clf.intercept_.astype(np.float32), "slex_ngram": np.array([2, 4]),
        "fuse_mean": np.zeros(10, np.float32), "fuse_scale": np.ones(10, np.float32),
        "fuse_W": rng.normal(size=(10, 3)).astype(np.float32), "fuse_b": np.zeros(3, np.float32),
    })  # fmt: skip
    np.savez_compressed(tmp_path / "heads.npz", **arrays)
    heads = Heads(tmp_path / "heads.npz")
    probe = ["thanks, great", "never again, awful support", "it arrived"]
    logits, vader = rng.normal(size=(3, 3)), rng.uniform(size=(3, 4))
    got = heads.fused_sentiment(logits, vader, probe)
    x = np.hstack([logits, vader, clf.predict_log_proba(vectorizer.transform(probe))])
    assert np.allclose(got, softmax(x @ arrays["fuse_W"]), atol=1e-4)


def test_twin_free_rows_have_no_near_duplicate_the_encoder_trained_on() -> None:
    groups = np.array([0, 0, 1, 2, 2, 3])  # rows 0-1 and 3-4 are near duplicates
    clean = np.array([1, 2, 4, 5])  # the encoder trained on rows 0 and 3
    d = IntentData([""] * 6, np.zeros(6, dtype=np.int64), np.zeros((6, 2)), clean, np.zeros((4, 77)), groups, clean)
    assert d.twin_free().tolist() == [False, True, False, True]


def test_shipped_intent_blends_are_probability_mixtures() -> None:
    heads = Heads()
    for blend in (heads.intent_blend, heads.intent_fallback_blend):
        assert min(blend) >= 0.0 and abs(sum(blend) - 1.0) < 1e-5
