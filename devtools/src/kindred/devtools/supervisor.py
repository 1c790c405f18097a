"""Keep the platform command's service processes running: restart one that exits unexpectedly,
with exponential backoff, and give up on a crash loop.

The policy (`Backoff`) is pure; `Supervisor.check` is called from the platform command's main
loop and does one round: notice exits, restart what is due, report what is back.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

from kindred.devtools.processes import ServiceProcess


@dataclass
class Backoff:
    """Delays before restarts: `first`, doubling up to `longest`. A process that stayed up for
    `stable_after` seconds starts again from `first`. More than `max_restarts` restarts with no
    stable run between them is a crash loop."""

    first: float = 0.25
    longest: float = 30.0
    stable_after: float = 60.0
    max_restarts: int = 5
    restarts: int = 0  # consecutive restarts without a stable run

    def next_delay(self, uptime: float) -> float | None:
        """The delay before restarting a process that exited after `uptime` seconds; None when
        it is a crash loop and it should not be restarted again."""
        if uptime >= self.stable_after:
            self.restarts = 0
        if self.restarts >= self.max_restarts:
            return None
        delay: float = min(self.first * 2.0**self.restarts, self.longest)
        self.restarts += 1
        return delay


def describe_exit(returncode: int) -> str:
    """'signal 9' for a process killed by a signal (Popen reports -9), else 'code N'."""
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = "?"
        return f"signal {-returncode}, {name}"
    return f"code {returncode}"


def _seconds(delay: float) -> str:
    return f"{delay:g}s"


class CrashLoop(Exception):
    """A service kept exiting; the platform should stop."""

    def __init__(self, service: ServiceProcess, restarts: int) -> None:
        self.service = service
        super().__init__(
            f"{service.name} exited {restarts + 1} times in a row without staying up "
            f"(see {service.log_path}); giving up"
        )


@dataclass
class _Watch:
    service: ServiceProcess
    backoff: Backoff
    started_at: float
    restart_at: float | None = None  # set while the process is down and a restart is due
    waiting_ready: bool = False  # restarted, not yet answering /health/ready


def _ready(service: ServiceProcess) -> bool:
    try:
        return httpx.get(f"{service.url}/health/ready", timeout=1.0).status_code == 200
    except httpx.HTTPError:
        return False


@dataclass
class Supervisor:
    services: list[ServiceProcess]
    say: Callable[[str], None]
    policy: Callable[[], Backoff] = Backoff
    clock: Callable[[], float] = time.monotonic
    ready: Callable[[ServiceProcess], bool] = field(default=_ready)
    _watches: list[_Watch] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        now = self.clock()
        self._watches = [_Watch(s, self.policy(), now) for s in self.services]

    def check(self) -> None:
        """One round. Raises `CrashLoop` when a service should not be restarted again."""
        now = self.clock()
        for watch in self._watches:
            service = watch.service
            process = service.process
            if watch.restart_at is None:
                if process is None or process.poll() is None or service.terminating:
                    if watch.waiting_ready and self.ready(service):
                        watch.waiting_ready = False
                        self.say(f"{service.name} is back, ready on {service.url}")
                    continue
                delay = watch.backoff.next_delay(now - watch.started_at)
                what = describe_exit(process.returncode)
                if delay is None:
                    self.say(f"{service.name} exited ({what})")
                    raise CrashLoop(service, watch.backoff.restarts)
                self.say(f"{service.name} exited ({what}); restarting in {_seconds(delay)}")
                watch.restart_at = now + delay
                watch.waiting_ready = False
            if now >= watch.restart_at:
                watch.restart_at = None
                watch.started_at = now
                watch.waiting_ready = True
                service.start()
