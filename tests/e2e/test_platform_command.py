"""The README's platform command, with its demo, against the real servers."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from kindred.devtools.processes import SERVICES, free_port
from tests.support.infra import REPO, Infra
from tests.support.procs import alive, child_running, descendants, listening, wait_until


def test_platform_demo_runs_the_slice_and_stops(
    infra: Infra, namespace: str, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": infra.kafka,
        "MONGODB_URL": infra.mongodb_url,
        "KINDRED_NAMESPACE": namespace,
        "KINDRED_LOG_DIR": str(tmp_path / "logs"),
        "REMATCH_INTERVAL_SECONDS": "1",
        **{f"KINDRED_{name.upper()}_PORT": str(free_port()) for name in SERVICES},
    }
    result = subprocess.run(
        [sys.executable, "-m", "kindred.devtools.platform", "--demo", "--exit"],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "demo: done, the slice works end to end" in result.stdout
    assert "-> 422" in result.stdout and "-> 403" in result.stdout
    # Every service shut down gracefully and logged it.
    for name in SERVICES:
        assert '"service stopped"' in (tmp_path / "logs" / f"{name}.log").read_text(), name


def _ready(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def test_the_platform_restarts_a_killed_service_and_stops_on_sigterm(
    infra: Infra, namespace: str, tmp_path: Path
) -> None:
    ports = {name: free_port() for name in SERVICES}
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": infra.kafka,
        "MONGODB_URL": infra.mongodb_url,
        "KINDRED_NAMESPACE": namespace,
        "KINDRED_LOG_DIR": str(tmp_path / "logs"),
        **{f"KINDRED_{name.upper()}_PORT": str(port) for name, port in ports.items()},
    }
    console = tmp_path / "console.txt"
    with console.open("wb") as out:
        command = subprocess.Popen(
            [sys.executable, "-m", "kindred.devtools.platform"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=REPO,
        )
    output = console.read_text
    try:
        wait_until(
            lambda: "kindred: running" in output() or command.poll() is not None,
            timeout=180,
            what="the platform",
            detail=output,
        )
        assert command.poll() is None, output()
        matching = child_running(command.pid, "kindred.matching")
        assert matching is not None, output()
        os.kill(matching, signal.SIGKILL)
        wait_until(
            lambda: "kindred: matching is back" in output(),
            timeout=90,
            what="matching restarted",
            detail=output,
        )
        assert "kindred: matching exited (signal 9, SIGKILL); restarting in 0.25s" in output()
        restarted = child_running(command.pid, "kindred.matching")
        assert restarted is not None and restarted != matching
        assert _ready(ports["matching"])

        services = descendants(command.pid)
        assert len(services) == len(SERVICES), output()
        command.send_signal(signal.SIGTERM)
        assert command.wait(90) == 0, output()
    finally:
        if command.poll() is None:  # failed midway: nothing it started may outlive the test
            for pid in descendants(command.pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            command.kill()
            command.wait(10)
    assert "kindred: services stopped" in output()
    assert not [pid for pid in services if alive(pid)], output()
    assert not [name for name, port in ports.items() if listening(port)], output()
    # Every service shut down gracefully, the restarted matching too.
    for name in SERVICES:
        assert '"service stopped"' in (tmp_path / "logs" / f"{name}.log").read_text(), name


@pytest.fixture
def private_stack_dir() -> Iterator[Path]:
    # Not under pytest's temporary root, which only its user may enter (see tests/support/infra).
    path = Path(tempfile.mkdtemp(prefix="kindred-platform-stack."))
    yield path
    subprocess.run(
        ["bash", str(REPO / "deploy/local/stack.sh"), "stop"],
        env={**os.environ, "KINDRED_STACK_DIR": str(path)},
        capture_output=True,
        check=False,
    )
    shutil.rmtree(path, ignore_errors=True)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("target", "when"), [("script", "running"), ("python", "starting the services")]
)
def test_sigterm_to_scripts_platform_stops_all_it_started(
    infra: Infra, private_stack_dir: Path, tmp_path: Path, target: str, when: str
) -> None:
    """SIGTERM to the script's pid once the platform runs, or to its python process while the
    services start: the services and the local stack it started are gone, their ports free."""
    if infra.stack_dir is None:
        pytest.skip("scripts/platform on a private local stack needs the local stack installed")
    stack_ports = {"kafka": free_port(), "controller": free_port(), "mongo": free_port()}
    ports = {name: free_port() for name in SERVICES}
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("KAFKA_BOOTSTRAP_SERVERS", "MONGODB_URL", "KINDRED_LOG_DIR")
    }
    env |= {
        "KINDRED_NO_DOCKER": "1",
        "KINDRED_STACK_DIR": str(private_stack_dir),
        "KINDRED_KAFKA_PORT": str(stack_ports["kafka"]),
        "KINDRED_KAFKA_CONTROLLER_PORT": str(stack_ports["controller"]),
        "KINDRED_MONGO_PORT": str(stack_ports["mongo"]),
        "KINDRED_NAMESPACE": f"sig{free_port()}",
        **{f"KINDRED_{name.upper()}_PORT": str(port) for name, port in ports.items()},
    }
    console = tmp_path / "console.txt"
    with console.open("wb") as out:
        script = subprocess.Popen(
            [str(REPO / "scripts/platform")], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    output = console.read_text
    try:
        wait_until(
            lambda: f"kindred: {when}" in output() or script.poll() is not None,
            timeout=240,
            what=when,
            detail=output,
        )
        assert script.poll() is None, output()
        python = child_running(script.pid, "kindred.devtools.platform")
        assert python is not None, output()
        wait_until(
            lambda: len(descendants(script.pid)) == 1 + len(SERVICES),  # python, the services
            timeout=30,
            what="the service processes",
            detail=output,
        )
        started = descendants(script.pid)
        servers = {
            name: int((private_stack_dir / "run" / f"{name}.pid").read_text())
            for name in ("postgres", "kafka", "ferretdb")
        }
        assert all(alive(pid) for pid in servers.values()), output()

        # 0 once it runs (the way to stop it), 128 + 15 when it cuts start-up short.
        expected = 0 if "kindred: running" in output() else 143
        os.kill(script.pid if target == "script" else python, signal.SIGTERM)
        assert script.wait(120) == expected, output()
    finally:
        if script.poll() is None:
            script.kill()
            script.wait(10)
    assert "kindred: services stopped" in output()
    assert "stack: stopping kafka" in output()
    assert not [pid for pid in started if alive(pid)], output()
    assert not [name for name, pid in servers.items() if alive(pid)], output()
    busy = [port for port in [*ports.values(), *stack_ports.values()] if listening(port)]
    assert not busy, output()
