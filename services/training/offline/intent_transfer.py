"""Chooses and refits the BANKING77 intent heads by a grouped cross-validation, and (with --write) ships them.

The fixed 20 % hold-out of data.py measured the blend once, but it also kept a fifth of the labelled texts away from
the two cheap heads (frozen-MiniLM logistic, char n-gram logistic) for good. Here those heads are judged by a 5-fold
cross-validation over all of train.csv that is **grouped**: texts whose frozen embeddings are near duplicates
(cosine ≥ GROUP_COSINE, joined transitively) always fall in the same fold, so a fold cannot be solved by
remembering a reworded twin from the fitting side, which a held-out test set would not offer either. Only the
2,800 texts the fine-tuned encoder never trained on (data.py's dev and hold-out splits) are scored, each in the
fold that holds it out; the heads of that fold are fit on every other fold (fine-tuned-training rows included).
The chosen configuration is then refit on all 10,003 texts. No BANKING77 test split is read.

Run: python -m services.training.offline.intent_transfer [--write]   (a few minutes on 2 busy cores)
"""

from __future__ import annotations

import argparse
import hashlib
import json
from dataclasses import dataclass
from functools import partial
from itertools import product

import numpy as np
from scipy.sparse.csgraph import connected_components
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from libs.embeddings import get_encoder
from libs.embeddings.encoder import UNFUSED
from services.sentiment.model import FINETUNED_ONNX, HEADS_NPZ, TwoHeadOnnx, softmax
from services.training.offline import data
from services.training.offline.train_heads import cached, fit_lexical, smoothed_best

GROUP_COSINE = 0.9
FOLDS = 5
REPORT = HEADS_NPZ.with_name("intent_transfer_report.json")
BLEND_GRID = [round(x, 1) for x in np.arange(0.0, 1.01, 0.1)]


@dataclass(frozen=True)
class IntentData:
    texts: list[str]
    y: np.ndarray
    emb: np.ndarray  # frozen MiniLM
    clean: np.ndarray  # row indices the fine-tuned encoder never trained on
    ft_clean: np.ndarray  # its intent logits on those rows
    groups: np.ndarray
    hold: np.ndarray  # data.py's fixed 20 % hold-out (a subset of `clean`)

    def twin_free(self) -> np.ndarray:
        """Mask over `clean`: rows with no near duplicate among the fine-tuned encoder's training rows. The grouped
        folds keep twins away from the cheap heads only; scoring these rows keeps them away from the encoder too, so
        the blend weights are not tilted towards the one view that saw a twin."""
        seen = np.setdiff1d(np.arange(len(self.y)), self.clean)
        return ~np.isin(self.groups[self.clean], self.groups[seen])


def near_duplicate_groups(emb: np.ndarray, threshold: float = GROUP_COSINE) -> np.ndarray:
    """Connected components of the graph joining texts with cosine ≥ threshold (embeddings are unit vectors)."""
    adjacency = (emb @ emb.T) >= threshold
    return connected_components(adjacency, directed=False)[1]


def load() -> IntentData:
    _, banking = data.load_banking77(data.default_data_dir())
    rest, hold = data.stratified_split(banking.labels, data.BANKING_HOLDOUT_FRACTION, data.SEED)
    _, dev_in_rest = data.stratified_split(banking.labels[rest], data.BANKING_DEV_FRACTION, data.SEED + 1)
    clean = np.sort(np.concatenate([hold, rest[dev_in_rest]]))
    encoder = get_encoder()
    emb = cached(f"emb_{encoder.model_file}_i_all", len(banking.texts), lambda: encoder.encode(banking.texts))
    tag = f"{hashlib.sha256(FINETUNED_ONNX.read_bytes()).hexdigest()[:12]}_{'-'.join(UNFUSED)}"
    clean_texts = [banking.texts[i] for i in clean]
    ft = cached(f"ft_{tag}_i_clean", len(clean), lambda: TwoHeadOnnx(FINETUNED_ONNX).logits(clean_texts)[1])
    return IntentData(banking.texts, banking.labels, emb, clean, ft, near_duplicate_groups(emb), np.sort(hold))


Splits = list[tuple[np.ndarray, np.ndarray]]  # (rows the cheap heads are fit on, rows held out)


def views(d: IntentData, frozen_c: float, lexical_key: tuple[int, float], splits: Splits) -> tuple[list, np.ndarray]:
    """([fine-tuned, frozen, char n-gram] probabilities on the clean rows in `d.clean` order, which of them were
    held out by some split): only held-out clean rows are ever scored."""
    frozen, lexical = np.zeros((len(d.clean), 77)), np.zeros((len(d.clean), 77))
    position = {row: i for i, row in enumerate(d.clean)}
    filled = np.zeros(len(d.clean), dtype=bool)
    for fit_rows, held in splits:
        scored = np.array([r for r in held if r in position], dtype=np.int64)
        at = [position[r] for r in scored]
        head = LogisticRegression(C=frozen_c, max_iter=3000).fit(d.emb[fit_rows], d.y[fit_rows])
        frozen[at] = head.predict_proba(d.emb[scored])
        vectorizer, clf = fit_lexical([d.texts[i] for i in fit_rows], d.y[fit_rows], *lexical_key)
        lexical[at] = clf.predict_proba(vectorizer.transform([d.texts[i] for i in scored]))
        filled[at] = True
    return [softmax(d.ft_clean), frozen, lexical], filled


def grouped_splits(d: IntentData) -> Splits:
    return list(GroupKFold(FOLDS).split(d.emb, d.y, d.groups))


def holdout_split(d: IntentData) -> Splits:
    """data.py's fixed hold-out against everything else: the old, dev-style figure (near duplicates on both sides)."""
    return [(np.setdiff1d(np.arange(len(d.y)), d.hold), d.hold)]


def fold_views(d: IntentData, frozen_c: float, lexical_key: tuple[int, float]) -> list[np.ndarray]:
    """Out-of-fold views of the grouped cross-validation on every clean row."""
    return views(d, frozen_c, lexical_key, grouped_splits(d))[0]


def accuracy(probs: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean(probs.argmax(1) == y))


def best_blend(views: list[np.ndarray], y: np.ndarray) -> tuple[tuple[float, ...], float]:
    """Weights on a 0.1 grid summing to 1 (one per view); the point whose ±0.1 neighbourhood scores best on
    average (train_heads.smoothed_best), which damps the noise of 1,332 scored texts."""
    grid = [tuple(float(x) for x in w) for w in product(BLEND_GRID, repeat=len(views)) if abs(sum(w) - 1.0) < 1e-6]
    scores = {w: accuracy(np.tensordot(np.array(w), np.stack(views), axes=1), y) for w in grid}
    best = smoothed_best(scores)
    return best, scores[best]


def evaluate(d: IntentData) -> dict[str, dict]:
    """Blend weights chosen on the twin-free clean rows of the grouped cross-validation (views cached)."""
    mask = d.twin_free()
    y = d.y[d.clean][mask]
    out = {}
    # The configuration train_heads chose on dev (frozen C 10, 6,000 char n-grams, C 30): on 2 shared cores each
    # configuration costs ten 77-class fits, so only the blend weights (free once the views exist) are searched here.
    for frozen_c, lexical_key in ((10.0, (6000, 30.0)),):
        name = f"frozen C={frozen_c}, char {lexical_key}"
        key = f"intent_oof_{FOLDS}_{GROUP_COSINE}_{frozen_c}_{lexical_key[0]}_{lexical_key[1]}"
        stacked = cached(key, len(d.clean), partial(lambda c, k: np.stack(fold_views(d, c, k)), frozen_c, lexical_key))
        probs = [v[mask] for v in stacked]
        blend, acc = best_blend(probs, y)
        fallback, fb_acc = best_blend(probs[1:], y)
        out[name] = {
            "frozen_C": frozen_c, "lexical": list(lexical_key), "scored_twin_free": int(mask.sum()),
            "blend": list(blend), "accuracy": acc,
            "fine-tuned alone": float(np.mean(probs[0].argmax(1) == y)),
            "frozen alone": float(np.mean(probs[1].argmax(1) == y)),
            "char alone": float(np.mean(probs[2].argmax(1) == y)),
            "fallback blend": list(fallback), "fallback accuracy": fb_acc,
        }  # fmt: skip
        print(json.dumps(out, indent=1), flush=True)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="refit the best configuration on all rows, ship it")
    parser.add_argument("--from-report", action="store_true", help="take the choice of the last report, no folds")
    args = parser.parse_args(argv)
    d = load()
    print(f"{len(d.texts)} texts, {d.groups.max() + 1} near-duplicate groups, {len(d.clean)} scored")
    if args.from_report:
        report = json.loads(REPORT.read_text())
        table, best = report["table"], report["best"]
    else:
        table = evaluate(d)
        best = max(table, key=lambda k: table[k]["accuracy"])
        report = {"group_cosine": GROUP_COSINE, "folds": FOLDS, "scored": len(d.clean), "table": table, "best": best}
        REPORT.write_text(json.dumps(report, indent=1))
    print(f"best: {best} {table[best]['accuracy']:.4f}")
    if args.write:
        choice = table[best]
        frozen = LogisticRegression(C=choice["frozen_C"], max_iter=3000).fit(d.emb, d.y)
        vectorizer, lexical = fit_lexical(d.texts, d.y, *choice["lexical"])
        vocabulary = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.get)
        with np.load(HEADS_NPZ, allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
        arrays.update({
            "intent_W": frozen.coef_.T.astype(np.float32), "intent_b": frozen.intercept_.astype(np.float32),
            "lex_vocab": np.array(vocabulary), "lex_idf": vectorizer.idf_.astype(np.float32),
            "lex_W": lexical.coef_.T.astype(np.float16), "lex_b": lexical.intercept_.astype(np.float32),
            "intent_blend": np.array(choice["blend"], dtype=np.float32),
            "intent_fallback_blend": np.array(choice["fallback blend"], dtype=np.float32),
        })  # fmt: skip
        np.savez_compressed(HEADS_NPZ, **arrays)
        print("heads.npz: intent heads refit on all of train.csv")


if __name__ == "__main__":
    main()
