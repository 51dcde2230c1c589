"""Answerability calibration: best query–sentence cosine in, P(the passages answer the query) out.

The constants are a logistic regression fitted by `python -m libs.llm.local.calibration` on StackFAQ
(../shared/data/stackfaq): each human paraphrase is paired with its own thread's answers (label 1) and with
the closest other thread (label 0, a hard negative, like a near-miss retrieval) and a random other thread
(label 0, an off-topic retrieval); classes are balanced. Threads are split 70/30 for the held-out figures
the script prints. Re-run the script and paste its output after changing the encoder.
"""

from __future__ import annotations

import json
import math
import random
import sys
from pathlib import Path

import numpy as np

# Fitted values (see the module docstring); confidence = sigmoid(SLOPE * best_similarity + INTERCEPT).
# Last fit (fused int8 encoder, libs/embeddings/bert_onnx.py): 1287 train / 570 held-out examples; held-out accuracy
# 0.744, Brier 0.161; confidence 0.5 at cos 0.551.
# Ask-back cutoff: StackFAQ paraphrases are long (~12 words) and their 10th-percentile answerable cosine is 0.52,
# but short or instruction-style questions score lower against the right sentence ("What are your hours?" vs "Our
# opening hours are 9am to 5pm" is 0.48; seed 000's "Write a response to a customer who is asking about our premium
# credit card benefits" vs "Premium credit card holders get airport lounge access ..." is 0.39), so the cutoff sits
# lower. On the calibration pairs it keeps 98.9 % of answerable ones and answers 13 % of off-topic ones (0.40: 98.7 %
# and 11 %); answers between it and 0.551 come back with confidence < 0.5, which marks them for human review.
ANSWER_SIMILARITY = 0.38
SLOPE = 12.6199
INTERCEPT = -6.9476


def confidence(best_similarity: float) -> float:
    return 1.0 / (1.0 + math.exp(-(SLOPE * best_similarity + INTERCEPT)))


def answer_threshold() -> float:
    """Below this best similarity the local provider asks back instead of answering (see ANSWER_SIMILARITY)."""
    return ANSWER_SIMILARITY


def _threads(path: Path) -> list[tuple[list[str], list[str]]]:
    from libs.llm.local.sentences import split_sentences

    pairs = json.loads(path.read_text(encoding="utf-8"))["root"]["qapair"]
    out = []
    for pair in pairs:
        queries = [q for q in pair.get("rephr", []) if q and q.strip() != "*"]
        sentences = [s for a in pair.get("answer", []) for s in split_sentences(a)]
        if queries and sentences:
            out.append((queries, sentences))
    return out


def _examples(threads: list[tuple[list[str], list[str]]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from libs.embeddings import get_encoder

    encoder = get_encoder()
    sentence_vecs = [encoder.encode(s) for _, s in threads]
    rng = np.random.default_rng(7)
    xs, ys, groups = [], [], []
    for t, (queries, _) in enumerate(threads):
        qv = encoder.encode(queries)
        best = np.stack([(qv @ sv.T).max(axis=1) for sv in sentence_vecs], axis=1)  # (queries, threads)
        for row in best:
            own = row[t]
            others = np.delete(row, t)
            xs += [own, others.max(), others[rng.integers(len(others))]]
            ys += [1, 0, 0]
            groups += [t, t, t]
    return np.array(xs), np.array(ys), np.array(groups)


def fit(path: Path) -> None:
    from sklearn.linear_model import LogisticRegression

    threads = _threads(path)
    x, y, groups = _examples(threads)
    ids = list(range(len(threads)))
    random.Random(7).shuffle(ids)
    train_threads = set(ids[: int(0.7 * len(ids))])
    train = np.array([g in train_threads for g in groups])
    model = LogisticRegression(C=100.0, class_weight="balanced").fit(x[train, None], y[train])
    slope, intercept = float(model.coef_[0][0]), float(model.intercept_[0])
    p = 1.0 / (1.0 + np.exp(-(slope * x[~train] + intercept)))
    yt = y[~train]
    bins = np.clip((p * 10).astype(int), 0, 9)
    ece = sum(
        abs(p[bins == b].mean() - yt[bins == b].mean()) * (bins == b).mean() for b in range(10) if (bins == b).any()
    )
    print(f"ANSWER_SIMILARITY = {float(np.quantile(x[y == 1], 0.10)):.4f}  (10th percentile of answerable)")
    print(f"examples train={int(train.sum())} held-out={int((~train).sum())}")
    print(f"SLOPE = {slope:.4f}\nINTERCEPT = {intercept:.4f}\nthreshold similarity = {-intercept / slope:.4f}")
    print(f"held-out accuracy={((p >= 0.5) == yt).mean():.3f} brier={((p - yt) ** 2).mean():.4f} ece={ece:.4f}")


if __name__ == "__main__":
    default = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "stackfaq" / "stackExchange-FAQ.json"
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    if not target.exists():
        sys.exit(f"calibration data absent: {target}")
    fit(target)
