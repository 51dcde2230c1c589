"""`switchboard up [--inproc] [--port] [--data-dir] [--sandbox]`: bring the platform up on this machine."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import time
from pathlib import Path

from libs.bus.local_kafka import KAFKA_VERSION
from services.launcher.credentials import ENV_PASSWORD, Credentials, load_or_create, mask, tighten


def _banner(url: str, creds: Credentials, mode: str, credentials_file: Path) -> None:
    """The secrets in full only once, on the start that made them and only to a terminal; masked otherwise (a log
    of `make run` must never hold a usable password or key)."""
    reveal = creds.created and sys.stdout.isatty()
    key = creds.api_key if reveal else mask(creds.api_key)
    if os.environ.get(ENV_PASSWORD):
        password = f"(set by {ENV_PASSWORD})"
    else:
        password = creds.admin_password if reveal else mask(creds.admin_password, keep=0)
    where = "" if reveal else f"  (in full: {credentials_file}, readable by you only)\n"
    print(
        f"\nSwitchboard is up ({mode}) at {url}   API docs: {url}/docs\n"
        f"  operator login : {creds.admin_email} / {password}\n"
        f"  API key        : {key}\n"
        f"{where}"
        f"  try            : curl -s -H 'Authorization: Bearer <API key>' -H 'Content-Type: application/json' \\\n"
        f'                   -d \'{{"text": "Thanks, that was quick!"}}\' {url}/api/v1/analyze/sentiment\n'
        "Press Ctrl-C to stop.\n",
        flush=True,
    )


# A platform on this machine delivers webhooks to receivers on this machine too (plain http, loopback); deployed
# gateways keep the default: https to public addresses only.
LOCAL_WEBHOOK_HOSTS = '["127.0.0.1", "localhost"]'


def _sandbox_refusal(args: argparse.Namespace) -> str | None:
    """With --sandbox, the gateway (each process reads it from the environment) admits credential-less local calls;
    a sandbox that would not stay local is refused here, before anything starts."""
    if args.sandbox:
        os.environ["SWITCHBOARD_SANDBOX"] = "1"
    from services.gateway.sandbox import WARNING, SandboxRefused, sandbox_for
    from services.gateway.settings import GatewaySettings

    try:
        if sandbox_for(GatewaySettings()) is not None:
            print(f"switchboard: WARNING: {WARNING}", file=sys.stderr, flush=True)
    except SandboxRefused as exc:
        return f"switchboard: refusing to start: {exc}"
    return None


def up(args: argparse.Namespace) -> int:
    os.environ.setdefault("SWITCHBOARD_GATEWAY_WEBHOOK_ALLOWED_HOSTS", LOCAL_WEBHOOK_HOSTS)
    refusal = _sandbox_refusal(args)
    if refusal:
        print(refusal, file=sys.stderr, flush=True)
        return 2
    data_dir = Path(args.data_dir)
    os.umask(0o077)  # everything this start and its children write is the user's alone (0600 files, 0700 dirs)
    tighten(data_dir)
    creds = load_or_create(data_dir)
    credentials_file = data_dir / "credentials.json"
    url = f"http://127.0.0.1:{args.port}"
    if args.inproc:
        from services.launcher.inproc import run_inproc

        run_inproc(data_dir, args.port, creds, on_ready=lambda: _banner(url, creds, "single process", credentials_file))
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
        mode = f"{len(stack.children)} services + Apache Kafka {KAFKA_VERSION} on :{stack.kafka_port}"
        _banner(url, creds, mode, credentials_file)
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
    up_cmd.add_argument(
        "--sandbox",
        action="store_true",
        help="LOCAL TRYING ONLY: calls from this machine without credentials act as tenant 'sandbox' (role agent), "
        "so the seeds' own client examples run unchanged (= SWITCHBOARD_SANDBOX=1; refused unless on loopback)",
    )
    up_cmd.set_defaults(func=up)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
