"""Run the four services in the foreground: python -m kindred.devtools.platform [--demo]

Expects KAFKA_BOOTSTRAP_SERVERS and MONGODB_URL in the environment (scripts/platform sets
them). Ctrl-C (or SIGTERM) stops the services gracefully.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import threading
from pathlib import Path

from kindred.devtools.demo import run_demo
from kindred.devtools.processes import Platform

DEFAULT_PORTS = {"gateway": 8000, "matching": 8001, "checkins": 8002, "notifications": 8003}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kindred.devtools.platform")
    parser.add_argument("--demo", action="store_true", help="drive one match through the API")
    parser.add_argument("--exit", action="store_true", help="stop after the demo")
    parser.add_argument(
        "--attach", metavar="URL", help="use a platform already running at this gateway URL"
    )
    args = parser.parse_args(argv)

    if args.attach:
        ok = asyncio.run(run_demo(args.attach)) if args.demo else True
        if not args.exit:
            _wait_for_signal()
        return 0 if ok else 1

    kafka, mongo = os.environ.get("KAFKA_BOOTSTRAP_SERVERS"), os.environ.get("MONGODB_URL")
    if not kafka or not mongo:
        print(
            "set KAFKA_BOOTSTRAP_SERVERS and MONGODB_URL (scripts/platform does)", file=sys.stderr
        )
        return 2
    log_dir = Path(os.environ.get("KINDRED_LOG_DIR", ".local-stack/logs")).resolve()
    ports = {
        name: int(os.environ.get(f"KINDRED_{name.upper()}_PORT", port))
        for name, port in DEFAULT_PORTS.items()
    }
    platform = Platform(
        kafka, mongo, os.environ.get("KINDRED_NAMESPACE", "kindred"), log_dir, ports=ports
    )
    print(f"kindred: starting the services (logs in {log_dir})", file=sys.stderr)
    with platform:
        print(f"gateway: {platform.gateway_url}   (API docs: {platform.gateway_url}/docs)")
        for name, service in platform.services.items():
            print(f"  {name:<14} {service.url}/health/ready  {service.url}/metrics")
        print("a dev token: .venv/bin/python -m kindred.gateway.tokens MEMBER_ID")
        ok = asyncio.run(run_demo(platform.gateway_url)) if args.demo else True
        if not args.exit:
            print("running; Ctrl-C stops", file=sys.stderr)
            _wait_for_signal()
    return 0 if ok else 1


def _wait_for_signal() -> None:
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()


if __name__ == "__main__":
    raise SystemExit(main())
