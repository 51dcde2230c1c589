"""StackFAQ through the public API, as issue 19 checks retrieval: `switchboard up --inproc` from this checkout,
the 125 threads posted as knowledge-base articles (title = question, content = answers), then one
`POST /api/v1/conversations` per paraphrase; recall@1 = the thread's article is `sources[0]`, recall@5 = it is
among the first five sources. Also prints the figure per half of the thread split used by eval_rag.

Run: .venv/bin/python -m tests.eval.rag_api [--limit N]   (starts and stops its own platform on a free port)
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from tests.eval import eval_rag

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    # `-m` from this checkout's root, so the platform runs this tree's code, not whatever the venv was installed from.
    cmd = [sys.executable, "-m", "services.launcher.cli", "up", "--inproc", "--port", str(port)]
    cmd += ["--data-dir", str(data_dir)]
    log = (data_dir.parent / "switchboard.log").open("wb")
    process = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env={**os.environ})
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"switchboard up exited with {process.returncode}; see {log.name}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    process.terminate()
    raise RuntimeError("switchboard up was not ready within 180 s")


def _post(http: httpx.Client, path: str, payload: dict) -> dict:
    """POST, waiting out a 429 (the evaluation must not be cut short by the tenant's rate limit)."""
    while True:
        resp = http.post(path, json=payload)
        if resp.status_code != 429:
            resp.raise_for_status()
            return dict(resp.json())
        time.sleep(float(resp.headers.get("Retry-After", "1")))


def _tenant_client(url: str, data_dir: Path) -> httpx.Client:
    operator = json.loads((data_dir / "credentials.json").read_text())["api_key"]
    resp = httpx.post(
        f"{url}/api/v1/api-keys",
        json={"name": "rag eval", "tenant_id": "rag-eval", "rate_tier": "enterprise", "roles": ["agent", "analyst"]},
        headers={"Authorization": f"Bearer {operator}"},
        timeout=TIMEOUT,
    )
    resp.raise_for_status()
    key = resp.json()["data"]["api_key"]  # seed 000 envelope
    return httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=TIMEOUT)


def run(url: str, data_dir: Path, limit: int | None, verbose: bool = False) -> list[tuple[str, int | None]]:
    """(thread article id, 1-based rank of it among the answer's sources or None) per paraphrase."""
    out: list[tuple[str, int | None]] = []
    with _tenant_client(url, data_dir) as http:
        queries: list[tuple[str, str]] = []
        for thread in eval_rag.load_threads():
            article = {"title": thread["question"], "content": "\n\n".join(thread["answers"]), "category": "stackfaq"}
            aid = _post(http, "/api/v1/knowledge-base", article)["article_id"]
            queries += [(q, aid) for q in thread["queries"]]
        start = time.perf_counter()
        for n, (query, aid) in enumerate(queries[:limit]):
            answer = _post(http, "/api/v1/conversations", {"message": query, "user_id": f"eval-{n}"})
            sources = answer["sources"]
            out.append((aid, sources.index(aid) + 1 if aid in sources else None))
            if verbose and out[-1][1] != 1:
                print(f"miss: {query!r} wanted {aid}, sources {sources}, answer {answer['response'][:160]!r}")
        print(f"{len(out)} conversations in {time.perf_counter() - start:.0f} s")
    return out


def report(results: list[tuple[str, int | None]]) -> None:
    for name in ("all", "tune", "test"):
        ranks = [r for aid, r in results if name == "all" or eval_rag.split_of(aid) == name]
        if ranks:
            r1 = sum(r == 1 for r in ranks) / len(ranks)
            r5 = sum(r is not None and r <= 5 for r in ranks) / len(ranks)
            print(f"through POST /api/v1/conversations, {name:<4} ({len(ranks)}): recall@1 {r1:.3f}  recall@5 {r5:.3f}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=None, help="first N paraphrases only")
    parser.add_argument("--save", type=Path, default=None, help="write (article id, rank) per paraphrase as JSON")
    parser.add_argument("--verbose", action="store_true", help="print every paraphrase whose thread is not first")
    args = parser.parse_args()
    if not eval_rag.DATA.exists():
        print("rag_api: skipped, ../shared/data/stackfaq absent")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        data_dir, port = Path(tmp) / "data", _free_port()
        process = _start(data_dir, port)
        try:
            results = run(f"http://127.0.0.1:{port}", data_dir, args.limit, args.verbose)
            report(results)
            if args.save:
                args.save.write_text(json.dumps(results))
        finally:
            process.terminate()
            process.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
