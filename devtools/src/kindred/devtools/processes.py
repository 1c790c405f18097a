"""Start the services as real processes on loopback, wait for readiness, stop them; read their
memory and their metrics.

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
from prometheus_client.parser import text_string_to_metric_families

# Start order: consumers first, the gateway (which reads notifications' inbox, check-ins' and
# casework's internal APIs) last.
SERVICES = ("notifications", "matching", "checkins", "casework", "gateway")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def metric_sum(text: str, name: str) -> float | None:
    """Sum of the samples called `name` (all labels) in a Prometheus text exposition; None if
    the metric family is absent. Counters are named with their `_total` suffix, a histogram's
    count and sum with `_count` and `_sum`."""
    total, found = 0.0, False
    families = {name, *(name.removesuffix(s) for s in ("_total", "_count", "_sum"))}
    for family in text_string_to_metric_families(text):
        if family.name in families:
            found = True
            total += sum(s.value for s in family.samples if s.name == name)
    return total if found else None


def metric_total(url: str, name: str, timeout: float = 5.0) -> float | None:
    """Scrape `{url}/metrics` and sum a metric by name (see `metric_sum`)."""
    response = httpx.get(f"{url}/metrics", timeout=timeout)
    response.raise_for_status()
    return metric_sum(response.text, name)


@dataclass
class ServiceProcess:
    name: str
    port: int
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None
    terminating: bool = field(default=False, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> None:
        # Dev mode: the dev-only default secrets are accepted (a process's env may say otherwise).
        env = {**os.environ, "KINDRED_DEV_MODE": "1", **self.env}
        env |= {"HTTP_PORT": str(self.port), "HTTP_HOST": "127.0.0.1"}
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = self.log_path.open("ab")
        self.terminating = False
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

    def terminate(self) -> None:
        """Send SIGTERM once (a second one would cut the drain short)."""
        if self.process is not None and self.running and not self.terminating:
            self.terminating = True
            self.process.send_signal(signal.SIGTERM)

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM and wait: the graceful path that drains in-flight messages."""
        self.terminate()
        if self.process is None or self.process.poll() is not None:
            return
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)

    def memory(self) -> tuple[int, int]:
        """(current, peak) resident set size in bytes: VmRSS and VmHWM of /proc/<pid>/status."""
        if self.process is None:
            raise RuntimeError(f"{self.name} was never started")
        found: dict[str, int] = {}
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                found[key] = int(value.split()[0]) * 1024  # reported in kB
        return found["VmRSS"], found["VmHWM"]

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


@dataclass
class Platform:
    """The services configured against one Kafka, one MongoDB and one namespace.

    `replicas` runs several instances of a service (default 1; 0 leaves it out), each on its own
    port with its own log (`<name>.log`, then `<name>-1.log`, ...). `services[name]` is the first
    instance; `instances(name)` all of them.
    """

    kafka: str
    mongodb_url: str
    namespace: str
    log_dir: Path
    ports: dict[str, int] = field(default_factory=dict)
    extra_env: dict[str, str] = field(default_factory=dict)
    replicas: dict[str, int] = field(default_factory=dict)
    services: dict[str, ServiceProcess] = field(default_factory=dict)
    _instances: dict[str, list[ServiceProcess]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for name in SERVICES:
            group = []
            for i in range(self.replicas.get(name, 1)):
                port = (self.ports.get(name) if i == 0 else None) or free_port()
                env = {
                    "KAFKA_BOOTSTRAP_SERVERS": self.kafka,
                    "MONGODB_URL": self.mongodb_url,
                    "KINDRED_NAMESPACE": self.namespace,
                    # Static membership: a restarted instance takes its partitions back at once.
                    "KAFKA_GROUP_INSTANCE_ID": f"{name}-{i}",
                    **self.extra_env,
                }
                log = self.log_dir / (f"{name}-{i}.log" if i else f"{name}.log")
                group.append(ServiceProcess(name, port, env, log))
            if group:
                self._instances[name] = group
                self.services[name] = group[0]
        if "notifications" in self.services:
            for gateway in self.instances("gateway"):
                gateway.env["NOTIFICATIONS_URL"] = self.services["notifications"].url
        if "checkins" in self.services:
            for gateway in self.instances("gateway"):
                gateway.env["CHECKINS_URL"] = self.services["checkins"].url
        if "casework" in self.services:
            for gateway in self.instances("gateway"):
                gateway.env["CASEWORK_URL"] = self.services["casework"].url

    def instances(self, name: str) -> list[ServiceProcess]:
        return self._instances.get(name, [])

    def all(self) -> list[ServiceProcess]:
        return [s for name in SERVICES for s in self.instances(name)]

    @property
    def gateway_url(self) -> str:
        return self.services["gateway"].url

    def start(self, timeout: float = 90.0) -> None:
        for service in self.all():
            service.start()
        for service in self.all():
            service.wait_ready(timeout)

    def stop(self) -> None:
        for name in reversed(SERVICES):  # the gateway first; replicas of a service together
            for service in self.instances(name):
                service.terminate()
            for service in self.instances(name):
                service.stop()

    def __enter__(self) -> Platform:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
