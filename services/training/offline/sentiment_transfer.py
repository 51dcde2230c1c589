"""Chooses the served sentiment blend by a validation that predicts transfer, and (with --write) refits it.

TweetEval's test tweets (SemEval 2017) are later than every train source and differently distributed; support traffic
is reviews and complaints. A choice made on a random split of TweetEval train (or on its val split) does not predict
either, so every candidate here is scored on data that nothing it contains was fit on, in three folds:

- "latest tweets": the train rows rebuilt from SemEval 2016 test (the latest source, rows 25,986+ of train_text.txt,
  see TWEET_SOURCES) are held out from every fit; the blend is scored on the dev rows of that source;
- "hold SST-5" and "hold UCI": one review source is left out of every fit and scored (SST-5 mapped to 3 classes,
  UCI Amazon/Yelp/IMDb sentences negative/positive);

and the transfer figure is their mean. TweetEval val (2,000) is scored by every candidate and fit by none: it is the
val-split figure, reported beside the transfer figure, never the basis of the choice. The fine-tuned encoder itself was
trained on all TweetEval train rows but dev (no GPU here to retrain it per fold), so only what sits on top of it —
the stacker, the char n-gram sentiment head, the pooled sources and their weighting — is chosen by these folds.
No TweetEval or BANKING77 test split is read.

Run: python -m services.training.offline.sentiment_transfer [--write]   (about 10 minutes on 2 busy cores, once;
features are cached in .devdata/cache)
"""

from __future__ import annotations

import argparse
import hashlib
import json
from dataclasses import dataclass
from functools import partial

import numpy as np
from scipy.sparse import csr_matrix, vstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from libs.embeddings.encoder import UNFUSED
from services.sentiment.model import FINETUNED_ONNX, HEADS_NPZ, TwoHeadOnnx, softmax, vader_features
from services.training.offline import data
from services.training.offline.train_heads import cached, standardizer
from services.training.offline.transfer import balanced_weights, load_sst5, load_uci, macro_recall

# First row of each SemEval source in TweetEval train_text.txt (rows are in source-file order, SOURCE.train.md):
# found by matching every row to the datastories-semeval2017-task4 files it was rebuilt from (45,604 of 45,616
# matched, each source one contiguous block).
TWEET_SOURCES = (
    (0, "2013train"), (9267, "2013dev"), (10840, "2013test"), (14242, "2014sarcasm"), (14324, "2014test"),
    (16109, "2015train"), (16113, "2015test"), (18363, "2016train"), (24080, "2016dev"), (25986, "2016test"),
)  # fmt: skip
LATEST_FIRST_ROW = TWEET_SOURCES[-1][0]
LEXICAL = {"analyzer": "char_wb", "ngram_range": (2, 5), "sublinear_tf": True, "min_df": 3}
LEXICAL_VOCAB = 20000
LEXICAL_C = 3.0
FOLDS = ("latest tweets", "hold SST-5", "hold UCI")


@dataclass(frozen=True)
class Source:
    texts: list[str]
    y: np.ndarray
    x: np.ndarray | None = None  # (fine-tuned logits, VADER) where clean: never for rows the encoder trained on


def tweet_rows() -> tuple[np.ndarray, np.ndarray]:
    """(train rows, dev rows) indices into train_text.txt, the same stratified split data.load() cuts."""
    labels = np.array([int(x) for x in (data.default_data_dir() / "tweeteval_sentiment" / "train_labels.txt")
                       .read_text().split()])  # fmt: skip
    return data.stratified_split(labels, data.SENTIMENT_DEV_FRACTION, data.SEED)


def load_sources() -> dict[str, Source]:
    ds, data_dir = data.load(), data.default_data_dir()
    train_idx, dev_idx = tweet_rows()
    late_train, late_dev = train_idx >= LATEST_FIRST_ROW, dev_idx >= LATEST_FIRST_ROW
    tr, dev = ds.sentiment_train, ds.sentiment_dev
    sst5, uci = load_sst5(data_dir, 10**6), load_uci(data_dir, 10**6)
    raw = {
        "tweet_train_early": (tr.subset(np.flatnonzero(~late_train)).texts, tr.labels[~late_train], False),
        "tweet_train_late": (tr.subset(np.flatnonzero(late_train)).texts, tr.labels[late_train], False),
        "tweet_dev_early": (dev.subset(np.flatnonzero(~late_dev)).texts, dev.labels[~late_dev], True),
        "tweet_dev_late": (dev.subset(np.flatnonzero(late_dev)).texts, dev.labels[late_dev], True),
        "tweet_val": (ds.sentiment_val.texts, ds.sentiment_val.labels, True),
        "sst5": (sst5[0], sst5[1], True),
        "uci": (uci[0], uci[1], True),
    }
    ft, vader = TwoHeadOnnx(FINETUNED_ONNX), SentimentIntensityAnalyzer()
    tag = f"{hashlib.sha256(FINETUNED_ONNX.read_bytes()).hexdigest()[:12]}_{'-'.join(UNFUSED)}"
    out = {}
    for name, (texts, y, clean) in raw.items():
        x = None
        if clean:
            logits = cached(f"ft_{tag}_st_{name}", len(texts), partial(lambda t: ft.logits(t)[0], texts))
            vad = cached(f"vader_st_{name}", len(texts), partial(vader_features, vader, texts))
            x = np.hstack([logits, vad])
        out[name] = Source(texts, y, x)
    return out


@dataclass(frozen=True)
class Lexical:
    """The char n-gram vocabulary (fit once, on the early tweets: text no fold scores) and every source's rows."""

    vectorizer: TfidfVectorizer
    rows: dict[str, csr_matrix]

    @staticmethod
    def build(src: dict[str, Source]) -> Lexical:
        vectorizer = TfidfVectorizer(**LEXICAL, max_features=LEXICAL_VOCAB)
        vectorizer.fit(src["tweet_train_early"].texts)
        return Lexical(vectorizer, {name: vectorizer.transform(s.texts) for name, s in src.items()})

    def fit(self, src: dict[str, Source], names: list[str]) -> LogisticRegression:
        """Logistic sentiment head on the pooled sources, each source weighing the same, classes balanced."""
        ys = [src[n].y for n in names]
        clf = LogisticRegression(C=LEXICAL_C, max_iter=2000)
        return clf.fit(vstack([self.rows[n] for n in names]), np.concatenate(ys), sample_weight=balanced_weights(ys))


@dataclass(frozen=True)
class Fold:
    lexical_fit: list[str]  # sources the char n-gram head is fit on
    stack_tweets: list[str]  # clean tweet sources the stacker may be fit on
    stack_reviews: list[str]  # clean review sources a pooled stacker adds
    scored: str


def folds() -> dict[str, Fold]:
    early, late = ["tweet_train_early"], ["tweet_train_late"]
    return {
        "latest tweets": Fold([*early, "sst5", "uci"], ["tweet_dev_early"], ["sst5", "uci"], "tweet_dev_late"),
        "hold SST-5": Fold(early + late + ["uci"], ["tweet_dev_early", "tweet_dev_late"], ["uci"], "sst5"),
        "hold UCI": Fold(early + late + ["sst5"], ["tweet_dev_early", "tweet_dev_late"], ["sst5"], "uci"),
        "final": Fold(early + late + ["sst5", "uci"], ["tweet_dev_early", "tweet_dev_late"], ["sst5", "uci"],
                      "tweet_val"),
    }  # fmt: skip


def stack_features(src: Source, lex_rows: csr_matrix, head: LogisticRegression | None) -> np.ndarray:
    assert src.x is not None
    return src.x if head is None else np.hstack([src.x, head.predict_log_proba(lex_rows)])


def fit_stacker(xs: list[np.ndarray], ys: list[np.ndarray], c: float, domain_balanced: bool) -> dict[str, np.ndarray]:
    """Logistic stacker, classes balanced (macro-recall weighs each class the same, whatever the test priors)."""
    x, y = np.vstack(xs), np.concatenate(ys)
    mean, scale = standardizer(x)
    w = balanced_weights(ys) if domain_balanced else balanced_weights([y])
    clf = LogisticRegression(C=c, max_iter=3000).fit((x - mean) / scale, y, sample_weight=w)
    return {"fuse_mean": mean, "fuse_scale": scale, "fuse_W": clf.coef_.T, "fuse_b": clf.intercept_}


def stacked(w: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    return softmax(((x - w["fuse_mean"]) / w["fuse_scale"]) @ w["fuse_W"] + w["fuse_b"])


CANDIDATES = {  # name → (with the char n-gram head, pooled review sources in the stacker, C)
    f"{'ft+vader' if not lex else 'ft+vader+char'}{', pooled' if pooled else ', tweets'}, C={c}": (lex, pooled, c)
    for lex in (False, True)
    for pooled in (False, True)
    for c in (0.1, 1.0)
}


def run_fold(
    src: dict[str, Source], lexical: Lexical, fold: Fold, current: dict[str, np.ndarray], only: set[str] | None = None
) -> dict[str, tuple[float, dict]]:
    """name → (macro-recall on the fold's scored source, fitted weights)."""
    head = lexical.fit(src, fold.lexical_fit)
    scored, rows = src[fold.scored], lexical.rows
    assert scored.x is not None
    out: dict[str, tuple[float, dict]] = {
        "VADER alone (baseline)": (macro_recall(scored.y, vader_labels(scored.x[:, -1])), {}),
        "char n-gram head alone": (macro_recall(scored.y, head.predict(rows[fold.scored])), {}),
        "fine-tuned MiniLM alone": (macro_recall(scored.y, scored.x[:, :3].argmax(1)), {}),
    }
    if current["fuse_W"].shape[0] == scored.x.shape[1]:  # the (fine-tuned, VADER) stacker shipped before this choice
        out["shipped stacker (fit on tweet dev)"] = (macro_recall(scored.y, stacked(current, scored.x).argmax(1)), {})
    for name, (lex, pooled, c) in CANDIDATES.items():
        if only is not None and name not in only:
            continue
        names = fold.stack_tweets + (fold.stack_reviews if pooled else [])
        feats = [stack_features(src[s], rows[s], head if lex else None) for s in names]
        w = fit_stacker(feats, [src[s].y for s in names], c, domain_balanced=pooled)
        pred = stacked(w, stack_features(scored, rows[fold.scored], head if lex else None)).argmax(1)
        if lex:
            vocab = sorted(lexical.vectorizer.vocabulary_, key=lexical.vectorizer.vocabulary_.get)
            w = {**w, "slex_vocab": np.array(vocab), "slex_idf": lexical.vectorizer.idf_, "slex_W": head.coef_.T,
                 "slex_b": head.intercept_, "slex_ngram": np.array(LEXICAL["ngram_range"])}  # fmt: skip
        out[name] = (macro_recall(scored.y, pred), w)
    return out


def vader_labels(compound: np.ndarray) -> np.ndarray:
    """VADER's own convention: compound ≥ 0.05 positive, ≤ −0.05 negative, else neutral."""
    return np.where(compound >= 0.05, 2, np.where(compound <= -0.05, 0, 1))


Results = dict[str, dict[str, tuple[float, dict]]]  # fold → candidate → (macro-recall, weights)


def transfer_table(only: set[str] | None = None) -> tuple[dict[str, dict[str, float]], Results]:
    """candidate → {fold: macro-recall, "transfer mean", "TweetEval val"}; `only` limits the candidates fit."""
    src = load_sources()
    with np.load(HEADS_NPZ, allow_pickle=False) as npz:
        current = {k: npz[k].astype(np.float64) for k in ("fuse_mean", "fuse_scale", "fuse_W", "fuse_b")}
    lexical = Lexical.build(src)
    results = {name: run_fold(src, lexical, fold, current, only) for name, fold in folds().items()}
    table = {}
    for cand in results["final"]:
        row = {f: results[f][cand][0] for f in FOLDS}
        row["transfer mean"] = float(np.mean(list(row.values())))
        table[cand] = {**row, "TweetEval val": results["final"][cand][0]}
    return table, results


def print_table(table: dict[str, dict[str, float]]) -> None:
    print(f"{'candidate':<34}" + "".join(f"{k:>15}" for k in next(iter(table.values()))))
    for cand, row in table.items():
        print(f"{cand:<34}" + "".join(f"{v:>15.3f}" for v in row.values()))


REPORT = HEADS_NPZ.with_name("sentiment_transfer_report.json")


def fit_final(candidate: str) -> dict[str, np.ndarray]:
    """The candidate's weights fit on every source but TweetEval val (what --write ships)."""
    src = load_sources()
    with np.load(HEADS_NPZ, allow_pickle=False) as npz:
        current = {k: npz[k].astype(np.float64) for k in ("fuse_mean", "fuse_scale", "fuse_W", "fuse_b")}
    return run_fold(src, Lexical.build(src), folds()["final"], current, {candidate})[candidate][1]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="write the best candidate's weights into heads.npz")
    parser.add_argument("--from-report", action="store_true", help="take the choice of the last report, no folds")
    args = parser.parse_args(argv)
    if args.from_report:
        best = json.loads(REPORT.read_text())["best"]
        final = fit_final(best) if args.write else {}
    else:
        table, results = transfer_table()
        print_table(table)
        # Only refit candidates compete: the shipped stacker was fit on all of tweet dev, latest rows included.
        best = max(CANDIDATES, key=lambda c: table[c]["transfer mean"])
        print(f"best by transfer mean: {best}")
        report = {"folds": {f: vars(fold) for f, fold in folds().items()}, "table": table, "best": best}
        REPORT.write_text(json.dumps(report, indent=1))
        final = results["final"][best][1]
    if args.write:
        with np.load(HEADS_NPZ, allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files if not k.startswith("slex_")}
        arrays.update({k: v if v.dtype.kind in "iU" else v.astype(np.float16 if k == "slex_W" else np.float32)
                       for k, v in final.items()})  # fmt: skip
        np.savez_compressed(HEADS_NPZ, **arrays)
        print(f"heads.npz: sentiment blend replaced by {best}")


if __name__ == "__main__":
    main()
