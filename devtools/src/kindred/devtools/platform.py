"""Run the five services in the foreground: python -m kindred.devtools.platform [--demo]

Expects KAFKA_BOOTSTRAP_SERVERS and MONGODB_URL in the environment (scripts/platform sets
them). While it runs it restarts a service that exits unexpectedly (see `supervisor`). SIGINT
(Ctrl-C), SIGTERM or SIGHUP stops the services gracefully, at any moment, also during start-up.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import time
from pathlib import Path
from types import FrameType

from kindred.devtools.demo import run_demo
from kindred.devtools.processes import Platform
from kindred.devtools.supervisor import CrashLoop, Supervisor

DEFAULT_PORTS = {
    "gateway": 8000,
    "matching": 8001,
    "checkins": 8002,
    "notifications": 8003,
    "casework": 8004,
}
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def say(message: str) -> None:
    print(f"kindred: {message}", file=sys.stderr, flush=True)


class Interrupted(BaseException):
    """Raised in the main thread by the first stop signal."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(signal.Signals(signum).name)


class StopSignals:
    """The first SIGINT/SIGTERM/SIGHUP raises `Interrupted`, so that a blocking start-up wait
    or demo ends at once; once `stopping` is set (the services are being stopped) a signal only
    says so, and the stop runs to its end."""

    def __init__(self) -> None:
        self.stopping = False
        self.received: float | None = None  # when the first one came
        for sig in STOP_SIGNALS:
            signal.signal(sig, self._handle)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        if self.received is None and not self.stopping:
            self.received = time.monotonic()
            say(f"{name} received; stopping")
            raise Interrupted(signum)
        # Ctrl-C reaches this process twice, from the terminal and from scripts/platform.
        if self.received is None or time.monotonic() - self.received > 1.0:
            say(f"{name} received; already stopping")


def log_dir() -> Path:
    """KINDRED_LOG_DIR, else the local stack's log directory (KINDRED_STACK_DIR/logs)."""
    given = os.environ.get("KINDRED_LOG_DIR")
    if given:
        return Path(given).resolve()
    return (Path(os.environ.get("KINDRED_STACK_DIR", ".local-stack")) / "logs").resolve()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kindred.devtools.platform")
    parser.add_argument("--demo", action="store_true", help="drive one match through the API")
    parser.add_argument("--exit", action="store_true", help="stop after the demo")
    parser.add_argument(
        "--attach", metavar="URL", help="use a platform already running at this gateway URL"
    )
    args = parser.parse_args(argv)
    signals = StopSignals()
    if args.attach:
        return attach(args.attach, demo=args.demo, stay=not args.exit)
    kafka, mongo = os.environ.get("KAFKA_BOOTSTRAP_SERVERS"), os.environ.get("MONGODB_URL")
    if not kafka or not mongo:
        say("set KAFKA_BOOTSTRAP_SERVERS and MONGODB_URL (scripts/platform does)")
        return 2
    logs = log_dir()
    ports = {
        name: int(os.environ.get(f"KINDRED_{name.upper()}_PORT", port))
        for name, port in DEFAULT_PORTS.items()
    }
    platform = Platform(
        kafka, mongo, os.environ.get("KINDRED_NAMESPACE", "kindred"), logs, ports=ports
    )
    try:
        return run(platform, demo=args.demo, stay=not args.exit)
    finally:
        signals.stopping = True
        say("stopping the services")
        platform.stop()
        say("services stopped")


def attach(gateway_url: str, *, demo: bool, stay: bool) -> int:
    """The demo against a platform that runs already; then wait for Ctrl-C unless told not to."""
    try:
        ok = asyncio.run(run_demo(gateway_url)) if demo else True
        while stay:
            time.sleep(3600)
    except Interrupted as stop:
        return 128 + stop.signum if not stay else 0
    return 0 if ok else 1


def run(platform: Platform, *, demo: bool, stay: bool) -> int:
    """Start the services, print where they are, run the demo, and keep them running
    (restarting one that exits) until Ctrl-C or a crash loop."""
    running = False
    try:
        say(f"starting the services (logs in {platform.log_dir})")
        platform.start()
        print(f"gateway: {platform.gateway_url}   (API docs: {platform.gateway_url}/docs)")
        for name, service in platform.services.items():
            print(f"  {name:<14} {service.url}/health/ready  {service.url}/metrics")
        print("a dev token: .venv/bin/python -m kindred.gateway.tokens MEMBER_ID", flush=True)
        ok = asyncio.run(run_demo(platform.gateway_url)) if demo else True
        if not stay:
            return 0 if ok else 1
        running = True
        say("running; Ctrl-C stops (a service that exits is restarted)")
        supervisor = Supervisor(platform.all(), say)
        while True:
            time.sleep(0.5)
            supervisor.check()
    except Interrupted as stop:
        return 0 if running else 128 + stop.signum
    except CrashLoop as crash:
        say(str(crash))
        say(f"last lines of {crash.service.log_path}:\n{crash.service.tail(15)}")
        return 1
    except (RuntimeError, TimeoutError) as failed:  # a service did not start
        say(f"could not start the services: {failed}")
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
