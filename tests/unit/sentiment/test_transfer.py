"""Transfer validation helpers: domain-balanced weights, macro-recall over the classes a source has, SST-5 text."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from services.training.offline.transfer import balanced_weights, load_sst5, macro_recall


def test_each_source_weighs_the_same_and_its_classes_equally() -> None:
    small, large = np.array([0, 2]), np.array([0, 0, 0, 1, 2, 2])
    w = balanced_weights([small, large])
    assert np.isclose(w[:2].sum(), w[2:].sum())  # 2 rows weigh as much as 6
    assert np.isclose(w[2:5].sum(), w[5]) and np.isclose(w[5], w[6:].sum())  # 3 negatives = 1 neutral = 2 positives


def test_macro_recall_ignores_classes_the_source_lacks() -> None:
    y = np.array([0, 0, 2, 2])
    assert macro_recall(y, np.array([0, 1, 2, 2])) == 0.75  # a neutral answer on a binary source is a miss


def test_sst5_is_mapped_to_three_classes_and_detokenized(tmp_path: Path) -> None:
    (tmp_path / "sst5").mkdir()
    rows = ["label\tsentence", "0\tIt 's awful -LRB- truly -RRB- .", "2\tIt exists .", "4\tLoved it , really !"]
    (tmp_path / "sst5" / "train.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    texts, labels = load_sst5(tmp_path, 10)
    by_text = dict(zip(texts, labels.tolist(), strict=True))
    assert by_text == {"It's awful (truly).": 0, "It exists.": 1, "Loved it, really!": 2}
