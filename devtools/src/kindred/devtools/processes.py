"""Start the four services as real processes on loopback, wait for readiness, stop them.

Used by the platform command, the end-to-end and fault tests, and the benchmark.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

# Start order: consumers first, the gateway (which needs notifications for inbox reads) last.
SERVICES = ("notifications", "matching", "checkins", "gateway")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class ServiceProcess:
    name: str
    port: int
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {**os.environ, **self.env, "HTTP_PORT": str(self.port), "HTTP_HOST": "127.0.0.1"}
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", f"kindred.{self.name}"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with {self.process.returncode}; "
                    f"see {self.log_path}:\n{self.tail()}"
                )
            try:
                response = httpx.get(f"{self.url}/health/ready", timeout=2.0)
                if response.status_code == 200:
                    return
                last = response.text
            except httpx.HTTPError as exc:
                last = repr(exc)
            time.sleep(0.2)
        raise TimeoutError(f"{self.name} not ready after {timeout}s ({last}):\n{self.tail()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs, as in a crash."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM and wait: the graceful path that drains in-flight messages."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


@dataclass
class Platform:
    """The four services configured against one Kafka, one MongoDB and one namespace."""

    kafka: str
    mongodb_url: str
    namespace: str
    log_dir: Path
    ports: dict[str, int] = field(default_factory=dict)
    extra_env: dict[str, str] = field(default_factory=dict)
    services: dict[str, ServiceProcess] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in SERVICES:
            port = self.ports.get(name) or free_port()
            env = {
                "KAFKA_BOOTSTRAP_SERVERS": self.kafka,
                "MONGODB_URL": self.mongodb_url,
                "KINDRED_NAMESPACE": self.namespace,
                **self.extra_env,
            }
            self.services[name] = ServiceProcess(name, port, env, self.log_dir / f"{name}.log")
        self.services["gateway"].env["NOTIFICATIONS_URL"] = self.services["notifications"].url

    @property
    def gateway_url(self) -> str:
        return self.services["gateway"].url

    def start(self, timeout: float = 90.0) -> None:
        for service in self.services.values():
            service.start()
        for service in self.services.values():
            service.wait_ready(timeout)

    def stop(self) -> None:
        for name in reversed(SERVICES):
            self.services[name].stop()

    def __enter__(self) -> Platform:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
