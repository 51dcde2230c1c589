"""`switchboard up [--inproc] [--port] [--data-dir]`: bring the platform up on this machine."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path

from services.launcher.credentials import Credentials, load_or_create


def _banner(url: str, creds: Credentials, mode: str) -> None:
    print(
        f"\nSwitchboard is up ({mode}) at {url}   API docs: {url}/docs\n"
        f"  admin login : {creds.admin_email} / {creds.admin_password}\n"
        f"  API key     : {creds.api_key}\n"
        f"  try         : curl -s -H 'Authorization: Bearer {creds.api_key}' -H 'Content-Type: application/json' \\\n"
        f'                -d \'{{"text": "Thanks, that was quick!"}}\' {url}/api/v1/analyze/sentiment\n'
        "Press Ctrl-C to stop.\n",
        flush=True,
    )


# A platform on this machine delivers webhooks to receivers on this machine too (plain http, loopback); deployed
# gateways keep the default: https to public addresses only.
LOCAL_WEBHOOK_HOSTS = '["127.0.0.1", "localhost"]'


def up(args: argparse.Namespace) -> int:
    os.environ.setdefault("SWITCHBOARD_GATEWAY_WEBHOOK_ALLOWED_HOSTS", LOCAL_WEBHOOK_HOSTS)
    data_dir = Path(args.data_dir)
    creds = load_or_create(data_dir)
    url = f"http://127.0.0.1:{args.port}"
    if args.inproc:
        from services.launcher.inproc import run_inproc

        run_inproc(data_dir, args.port, creds, on_ready=lambda: _banner(url, creds, "single process"))
        return 0
    from services.launcher.supervisor import Stack

    stack = Stack(data_dir, args.port, creds, args.kafka_port)
    stopping = False

    def request_stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    try:
        stack.start()
        _banner(url, creds, f"{len(stack.children)} services + Kafka-protocol broker on :{stack.kafka_port}")
        while not stopping:
            stack.watch_once()
            time.sleep(0.5)
    except RuntimeError as exc:
        print(f"switchboard: {exc}", file=sys.stderr)
        return 1
    finally:
        stack.stop()
        print("switchboard: stopped", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="switchboard", description="Switchboard customer-service AI platform")
    sub = parser.add_subparsers(dest="command", required=True)
    up_cmd = sub.add_parser("up", help="start the platform on this machine")
    up_cmd.add_argument("--inproc", action="store_true", help="all services in one process on the in-memory bus")
    up_cmd.add_argument("--port", type=int, default=8080, help="gateway port (default 8080)")
    up_cmd.add_argument(
        "--data-dir", default=".switchboard", help="SQLite, Qdrant, logs, credentials (default ./.switchboard)"
    )
    up_cmd.add_argument("--kafka-port", type=int, default=None, help="broker port (default: a free port)")
    up_cmd.set_defaults(func=up)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
