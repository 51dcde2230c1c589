"""Sentiment speed: texts in, single-text latency and batch throughput (beside VADER's own) printed.

Run: python -m tests.bench.bench_sentiment [threads]   (default 2 onnxruntime threads: the 2-core target)
"""

from __future__ import annotations

import os
import statistics
import sys
import time

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from services.sentiment.model import load_sentiment_model
from services.training.offline import data

SYNTHETIC = [
    "My card still hasn't arrived after two weeks, what is going on?",
    "Thanks a lot, the agent sorted it out in minutes!",
    "Why was I charged twice for the same transfer? This is unacceptable.",
    "How do I change my PIN?",
    "The app keeps crashing when I try to top up. Fix it.",
]


def texts_for_bench(n: int) -> list[str]:
    if data.default_data_dir().exists():
        return data.load().sentiment_val.texts[:n]
    return [SYNTHETIC[i % len(SYNTHETIC)] + f" (#{i})" for i in range(n)]


def p(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(q * len(values)))]


def main() -> int:
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    texts = texts_for_bench(1000)
    model, vader = load_sentiment_model(threads=threads), SentimentIntensityAnalyzer()
    model.analyze(texts[:64])  # warm-up: first runs allocate
    single, single_vader = [], []
    for text in texts[:300]:
        t0 = time.perf_counter()
        model.analyze([text])
        single.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        vader.polarity_scores(text)
        single_vader.append((time.perf_counter() - t0) * 1000)
    t0, cpu0 = time.perf_counter(), time.process_time()
    model.analyze(texts)
    batch_rate = len(texts) / (time.perf_counter() - t0)
    cpu_ms = (time.process_time() - cpu0) * 1000 / len(texts)  # all threads: contention-proof cost per text
    t0 = time.perf_counter()
    for text in texts:
        vader.polarity_scores(text)
    vader_rate = len(texts) / (time.perf_counter() - t0)
    p50, p50_vader = statistics.median(single), statistics.median(single_vader)
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cpus (other work skews every figure)")
    print(f"model {model.model_id}, onnxruntime threads={threads}, {len(texts)} texts (TweetEval val or synthetic)")
    print(f"single text analyze: p50 {p50:.2f} ms  p95 {p(single, 0.95):.2f} ms   (target p50 <= 10 ms)")
    print(f"VADER alone:         p50 {p50_vader:.3f} ms  -> model/VADER latency ratio {p50 / p50_vader:.0f}x")
    print(f"batch analyze:       {batch_rate:.0f} texts/s   (target >= 500 on 2 cores)")
    print(f"batch CPU cost:      {cpu_ms:.2f} CPU-ms per text (process time over all threads; load-independent)")
    print(
        f"VADER alone:         {vader_rate:.0f} texts/s -> model/VADER throughput ratio {batch_rate / vader_rate:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
