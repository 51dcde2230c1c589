"""StackFAQ in, a retrieval-quality table out: the dev figure, the thread-grouped figure and the BM25 baseline.

Each of the 125 StackExchange threads becomes one knowledge-base article (title = the question, content = its
answers) ingested through KnowledgeBase; each human paraphrase ("rephr") is a query whose one relevant document
is its thread. Two figures per system, both recall@1:
- retrieval: the first passage `rank_passages` returns (the real serving path, on the real index) is the thread's;
- answer: the first source the conversation turn would cite is the thread's. The turn hands the top 5 passages to
  the local extractive answerer, which cites the passages its chosen sentences come from, in passage order (issue
  19 checks `sources` of `POST /api/v1/conversations`; tests/eval/rag_api.py measures that through the API).
The "dev" column scores every paraphrase here. The "grouped" column is a nested cross-validation over threads:
threads fall in FOLDS folds by a stable hash; for each fold the fusion setting (dense weight, focus margin) with
the best answer recall@1 on the other folds is chosen and scored on this fold's paraphrases, so no choice is fitted
to a sibling paraphrase of the query it is scored on. BM25 and the other fixed systems involve no choice.
The "redacted" row runs the shipped default on each paraphrase as the turn sends it to retrieval: anonymized by
the privacy service's detector (a product name it takes for a person or place becomes `[NAME_1]`, `[LOCATION_1]`).

Run: .venv/bin/python -m tests.eval.eval_rag
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from libs.embeddings import get_encoder
from libs.llm.local.provider import LocalAdapter
from libs.llm.types import GenerateRequest
from libs.llm.types import Passage as LlmPassage
from libs.store import open_store
from services.conversation.pipeline.generate import MAX_TOKENS
from services.privacy.domain import anonymize
from services.rag.fusion import FusionConfig
from services.rag.index import VectorIndex
from services.rag.knowledge import KnowledgeBase
from services.rag.models import Passage, SearchMode
from services.rag.query import search_text
from services.rag.retrieval import rank_passages
from services.rag.store import RagRepository

# ../shared/data beside the checkout; SWITCHBOARD_SHARED_DATA points elsewhere (a git worktree one level deeper).
SHARED = Path(
    os.environ.get("SWITCHBOARD_SHARED_DATA") or Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
)
DATA = SHARED / "stackfaq" / "stackExchange-FAQ.json"
TENANT = "eval"
CANDIDATES = 50
TOP_K = 5  # passages per conversation turn (conversation settings retrieval_top_k)
FOLDS = 5
DENSE_WEIGHTS = (0.7, 0.8, 0.9, 1.0)
MARGINS = (None, 0.3, 0.2, 0.1, 0.0)
TIE = 0.003


def load_threads() -> list[dict]:
    pairs = json.loads(DATA.read_text())["root"]["qapair"]
    threads = []
    for pair in pairs:
        answers = pair["answer"] if isinstance(pair["answer"], list) else [pair["answer"]]
        rephr = pair["rephr"] if isinstance(pair["rephr"], list) else [pair["rephr"]]
        queries = [q.strip() for q in rephr if q and q.strip() and q.strip() != "*"]
        threads.append({"question": pair["question"].strip(), "answers": [a for a in answers if a], "queries": queries})
    return threads


def split_of(thread_key: str) -> str:
    """ "tune" or "test" half of a thread (its article id), for scripts that compare two halves."""
    return "tune" if hashlib.sha256(thread_key.encode()).digest()[0] % 2 == 0 else "test"


def fold_of(thread_question: str) -> int:
    """The cross-validation fold of a thread (by its question): all paraphrases of a thread share it."""
    return hashlib.sha256(f"fold/{thread_question}".encode()).digest()[0] % FOLDS


async def build(tmp: Path) -> tuple[KnowledgeBase, VectorIndex, dict[str, str], list[tuple[str, str]]]:
    repo = RagRepository(open_store(database="rag_eval", sqlite_dir=tmp))
    await repo.setup()
    index = VectorIndex(path=tmp / "qdrant")
    kb = KnowledgeBase(repo=repo, index=index)
    article_of: dict[str, str] = {}
    queries: list[tuple[str, str]] = []
    start, chunks = time.perf_counter(), 0
    for thread in load_threads():
        result = await kb.upsert_article(
            TENANT, title=thread["question"], content="\n\n".join(thread["answers"]), category="stackfaq"
        )
        chunks += result.chunks
        article_of[thread["question"]] = result.article_id
        queries.extend((q, result.article_id) for q in thread["queries"])
    elapsed = time.perf_counter() - start
    print(f"indexed {len(article_of)} threads as {chunks} chunks in {elapsed:.1f}s; {len(queries)} queries")
    return kb, index, article_of, queries


@dataclass(frozen=True)
class System:
    name: str
    mode: SearchMode
    fusion: FusionConfig

    def passages(self, index: VectorIndex, query: str, vector: np.ndarray) -> list[Passage]:
        encoder = get_encoder()
        return rank_passages(
            index, encoder, TENANT, query, TOP_K, CANDIDATES, self.mode, self.fusion, dense_vector=vector
        )


class Answerer:
    """The local extractive answerer the turn uses, called in process: which sources would the answer cite?"""

    def __init__(self) -> None:
        self._adapter = LocalAdapter(get_encoder)

    def sources(self, query: str, vector: np.ndarray, passages: list[Passage]) -> list[str]:
        given = [LlmPassage(p.content, p.article_id or p.source, p.score) for p in passages]
        request = GenerateRequest(prompt=query, max_tokens=MAX_TOKENS, passages=given, query_vector=vector.tolist())
        completion = self._adapter._answer(request, MAX_TOKENS)
        # As the turn does: the cited sources in answer order, else (no answer) every passage's source.
        return list(dict.fromkeys([c.source for c in completion.citations] or [p.source for p in given]))


def score(system: System, index: VectorIndex, answerer: Answerer, queries, vectors) -> tuple[np.ndarray, np.ndarray]:
    """Per query: (retrieval first passage is right, answer's first source is right)."""
    retrieved, answered = [], []
    for (query, relevant), vector in zip(queries, vectors, strict=True):
        passages = system.passages(index, query, vector)
        retrieved.append(bool(passages) and passages[0].article_id == relevant)
        sources = answerer.sources(query, vector, passages)
        answered.append(bool(sources) and sources[0] == relevant)
    return np.array(retrieved), np.array(answered)


def choose(hits: dict[System, np.ndarray], fit: np.ndarray) -> System:
    """The best system on the `fit` queries. Systems within TIE of the best count as tied (a query or two is noise
    here); among them the widest focus margin wins (more context for the answer, None widest), then the dense
    weight nearest the 0.7 shipped before."""
    means = {s: float(hits[s][fit].mean()) for s in hits}
    best = max(means.values())
    tied = [s for s in hits if means[s] >= best - TIE]
    return min(tied, key=lambda s: (-(s.fusion.focus_margin if s.fusion.focus_margin is not None else 9.0),
                                    abs(s.fusion.dense_weight - 0.7)))  # fmt: skip


def nested_cv(hits: dict[System, np.ndarray], folds: np.ndarray) -> tuple[float, list[System]]:
    """Pooled recall@1 of the system chosen on the other folds, fold by fold."""
    chosen = [choose(hits, folds != f) for f in range(FOLDS)]
    return sum(int(hits[s][folds == f].sum()) for f, s in enumerate(chosen)) / len(folds), chosen


def grid() -> list[System]:
    return [
        System(f"hybrid dense_w {w:.1f} margin {m}", "hybrid", FusionConfig("convex", w, focus_margin=m))
        for w, m in itertools.product(DENSE_WEIGHTS, MARGINS)
    ]


def row(name: str, retrieval: float, answer: float, rest: str = "") -> None:
    print(f"{name:<44}{retrieval:>10.3f}{answer:>8.3f}{rest}")


def evaluate(index: VectorIndex, queries: list[tuple[str, str]], article_of: dict[str, str]) -> None:
    vectors = get_encoder().encode([q for q, _ in queries])
    question_of = {aid: question for question, aid in article_of.items()}
    folds = np.array([fold_of(question_of[relevant]) for _, relevant in queries])
    answerer = Answerer()
    fixed = [
        System("sparse only (BM25, the baseline)", "sparse", FusionConfig()),
        System("dense only (MiniLM)", "dense", FusionConfig()),
        System("hybrid shipped before (0.7, no margin)", "hybrid", FusionConfig("convex", 0.7, focus_margin=None)),
        System("hybrid shipped default", "hybrid", FusionConfig()),
    ]
    retrieval: dict[System, np.ndarray] = {}
    answers: dict[System, np.ndarray] = {}
    for system in fixed + grid():
        retrieval[system], answers[system] = score(system, index, answerer, queries, vectors)
    print(f"\n{'system (recall@1)':<44}{'retrieval':>10}{'answer':>8}" + "".join(f"{f'f{f}':>7}" for f in range(FOLDS)))
    for system in fixed + grid():
        per_fold = "".join(f"{answers[system][folds == f].mean():>7.3f}" for f in range(FOLDS))
        row(system.name, retrieval[system].mean(), answers[system].mean(), per_fold)
    choices = {s: answers[s] for s in grid()}
    grouped, chosen = nested_cv(choices, folds)
    grouped_retrieval = sum(int(retrieval[s][folds == f].sum()) for f, s in enumerate(chosen)) / len(queries)
    print("\nchosen per fold on the other folds: " + "; ".join(s.name for s in chosen))
    final = choose(choices, np.ones(len(queries), dtype=bool))
    print(f"chosen on every fold (what to ship): {final.name}; shipped default: {FusionConfig()}")
    base, shipped = fixed[0], fixed[3]
    redacted_retrieval, redacted_answers = redacted_figures(shipped, index, answerer, queries)
    print(f"\n{'recall@1 on StackFAQ paraphrases':<44}{'retrieval':>10}{'answer':>8}")
    row("BM25 baseline (no choice: dev = grouped)", retrieval[base].mean(), answers[base].mean())
    row("dev: shipped default, every paraphrase", retrieval[shipped].mean(), answers[shipped].mean())
    row("grouped: nested CV over thread folds", grouped_retrieval, grouped)
    row("dev, redacted as the turn retrieves", redacted_retrieval, redacted_answers)


def redacted_figures(system: System, index: VectorIndex, answerer: Answerer, queries) -> tuple[float, float]:
    """Recall@1 on the queries as the turn hands them to retrieval: anonymized first (the vector embeds the
    text retrieval searches with, as KnowledgeBase.embed_query does)."""
    redacted = [(anonymize(q).anonymized_text, relevant) for q, relevant in queries]
    changed = sum(r != q for (q, _), (r, _) in zip(queries, redacted, strict=True))
    print(f"\nredaction changed {changed} of {len(queries)} paraphrases")
    vectors = get_encoder().encode([search_text(q) for q, _ in redacted])
    retrieved, answered = score(system, index, answerer, redacted, vectors)
    return float(retrieved.mean()), float(answered.mean())


async def main() -> int:
    if not DATA.exists():
        print("eval_rag: skipped, ../shared/data/stackfaq absent")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        _, index, article_of, queries = await build(Path(tmp))
        evaluate(index, queries, article_of)
        index.close()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
