"""`python -m tests.support.fake_llm --port N`: serve the fake provider APIs on 127.0.0.1 until killed."""

from __future__ import annotations

import argparse

import uvicorn

from tests.support.fake_llm.app import build_app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(build_app(), host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
