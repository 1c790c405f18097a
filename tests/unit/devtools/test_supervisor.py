"""The platform command's supervision: when a service is restarted, and when it is not."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import pytest

from kindred.devtools.processes import ServiceProcess
from kindred.devtools.supervisor import Backoff, CrashLoop, Supervisor, describe_exit


def test_backoff_doubles_up_to_its_limit_then_gives_up() -> None:
    backoff = Backoff(first=1, longest=4, stable_after=60, max_restarts=5)
    assert [backoff.next_delay(uptime=2) for _ in range(6)] == [1, 2, 4, 4, 4, None]


def test_backoff_starts_again_after_a_stable_run() -> None:
    backoff = Backoff(first=1, longest=30, stable_after=60, max_restarts=5)
    assert [backoff.next_delay(uptime=2) for _ in range(3)] == [1, 2, 4]
    assert backoff.next_delay(uptime=61) == 1
    assert backoff.next_delay(uptime=2) == 2


def test_an_exit_is_described_by_its_signal_or_code() -> None:
    assert describe_exit(-9) == "signal 9, SIGKILL"
    assert describe_exit(1) == "code 1"


@dataclass
class FakeProcess:
    returncode: int | None = None

    def poll(self) -> int | None:
        return self.returncode


@dataclass
class FakeService:
    name: str = "matching"
    url: str = "http://127.0.0.1:1"
    log_path: Path = Path("matching.log")
    terminating: bool = False
    process: FakeProcess | None = field(default_factory=FakeProcess)
    starts: int = 0

    def start(self) -> None:
        self.starts += 1
        self.process = FakeProcess()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def supervise(service: FakeService, clock: Clock, said: list[str], **backoff: Any) -> Supervisor:
    return Supervisor(
        [cast(ServiceProcess, service)],
        said.append,
        policy=lambda: Backoff(**backoff),
        clock=clock,
        ready=lambda s: True,
    )


def test_a_service_that_exits_is_restarted_after_the_delay_and_reported_back() -> None:
    service, clock, said = FakeService(), Clock(), []
    supervisor = supervise(service, clock, said)
    supervisor.check()
    assert service.starts == 0 and said == []

    assert service.process is not None
    service.process.returncode = -9
    supervisor.check()
    assert said == ["matching exited (signal 9, SIGKILL); restarting in 0.25s"]
    clock.now += 0.125
    supervisor.check()
    assert service.starts == 0  # not before its delay
    clock.now += 0.125
    supervisor.check()
    assert service.starts == 1
    supervisor.check()
    assert said[-1] == "matching is back, ready on http://127.0.0.1:1"


def test_a_service_being_stopped_is_not_restarted() -> None:
    service, clock, said = FakeService(), Clock(), []
    supervisor = supervise(service, clock, said)
    service.terminating = True
    assert service.process is not None
    service.process.returncode = 0
    clock.now += 10
    supervisor.check()
    assert service.starts == 0 and said == []


def test_a_crash_loop_ends_in_crash_loop() -> None:
    service, clock, said = FakeService(), Clock(), []
    supervisor = supervise(service, clock, said, first=1, longest=30, max_restarts=3)
    with pytest.raises(CrashLoop, match="matching exited 4 times in a row"):
        for _ in range(100):
            assert service.process is not None
            service.process.returncode = 1
            supervisor.check()
            clock.now += 30
            supervisor.check()
    assert service.starts == 3
    assert [line.split("; ")[-1] for line in said[:3]] == [
        "restarting in 1s",
        "restarting in 2s",
        "restarting in 4s",
    ]
    assert said[-1] == "matching exited (code 1)"
