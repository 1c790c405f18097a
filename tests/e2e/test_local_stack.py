"""deploy/local/stack.sh itself: what a restart keeps and how it comes back."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from kindred.devtools.processes import free_port
from tests.support.infra import STACK, Infra

pytestmark = pytest.mark.slow


@pytest.fixture
def stack(infra: Infra) -> Iterator[tuple[Path, dict[str, str]]]:
    if infra.stack_dir is None:
        pytest.skip("needs the local stack installed")
    # Not under pytest's temporary root, which only its user may enter (see tests/support/infra).
    path = Path(tempfile.mkdtemp(prefix="kindred-stack-test."))
    env = {
        **os.environ,
        "KINDRED_STACK_DIR": str(path),
        "KINDRED_KAFKA_PORT": str(free_port()),
        "KINDRED_KAFKA_CONTROLLER_PORT": str(free_port()),
        "KINDRED_MONGO_PORT": str(free_port()),
    }
    yield path, env
    subprocess.run(["bash", str(STACK), "stop"], env=env, capture_output=True, check=False)
    shutil.rmtree(path, ignore_errors=True)


def run(env: dict[str, str], command: str) -> str:
    result = subprocess.run(
        ["bash", str(STACK), command], env=env, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stderr
    return result.stderr


def test_a_restart_keeps_every_servers_log_and_kafka_stops_cleanly(
    stack: tuple[Path, dict[str, str]],
) -> None:
    path, env = stack
    run(env, "start")
    run(env, "stop")
    run(env, "start")
    logs = path / "logs"
    for name in ("postgres", "kafka", "ferretdb"):
        text = (logs / f"{name}.log").read_text()
        assert text.count(f"=== stack.sh: starting {name} at ") == 2, name
    kafka = (logs / "kafka.log").read_text()
    first, second = kafka.split("=== stack.sh: starting kafka at ")[1:]
    # The first start's lines are still there, and so is the whole of its clean shutdown.
    assert "Kafka Server started" in first
    assert "[BrokerServer id=1] shut down completed" in first
    assert "Kafka Server started" in second
    assert "Using SimpleLogger" not in (logs / "kafka.out").read_text()
    ferretdb = (logs / "ferretdb.log").read_text()
    assert ferretdb.count("Listening on TCP 127.0.0.1:") == 2


def test_kafka_comes_back_soon_after_a_sigkill(stack: tuple[Path, dict[str, str]]) -> None:
    """After an unclean stop the new broker may register only once the controller has expired
    the old one's session (broker.session.timeout.ms): 9 s by default, 3 s here."""
    path, env = stack
    run(env, "start")
    pid = int((path / "run" / "kafka.pid").read_text())
    os.kill(pid, 9)
    run(env, "start")
    kafka = (path / "logs" / "kafka.log").read_text().split("=== stack.sh: starting kafka at ")
    restart = kafka[-1].splitlines()
    assert any("Kafka Server started" in line for line in restart)
    refused = [at(line) for line in restart if "DuplicateBrokerRegistrationException" in line]
    fenced = [at(line) for line in restart if "because its session has timed out" in line]
    if refused:  # the old registration outlived the broker: how long it kept the new one out
        assert fenced, "the old incarnation was never fenced"
        assert fenced[0] - refused[0] < 6.0, (refused, fenced)


def test_start_waits_a_moment_for_a_port_a_dying_server_still_holds(
    stack: tuple[Path, dict[str, str]],
) -> None:
    """A server killed a moment before `start` may still hold its port while its last threads
    exit; `start` gives the port a few seconds to close instead of failing at once."""
    path, env = stack
    held = socket.socket()
    held.bind(("127.0.0.1", int(env["KINDRED_KAFKA_PORT"])))
    held.listen()
    release = threading.Timer(2.0, held.close)
    release.start()
    try:
        run(env, "start")
    finally:
        release.cancel()
        held.close()
    kafka = (path / "logs" / "kafka.log").read_text()
    assert "Kafka Server started" in kafka


def at(line: str) -> float:
    """The time of a Kafka log line, `[2026-01-01 12:00:00,123] INFO ...`."""
    return datetime.strptime(line[1:24], "%Y-%m-%d %H:%M:%S,%f").timestamp()
