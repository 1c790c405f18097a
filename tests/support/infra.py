"""Real Kafka and a real MongoDB-protocol server for integration, e2e and fault tests.

Chosen in this order: the environment (KAFKA_BOOTSTRAP_SERVERS and MONGODB_URL both set),
testcontainers when a Docker engine answers, else a private local stack (deploy/local/stack.sh)
on free loopback ports in a temporary directory, stopped when the session ends.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kindred.devtools.processes import free_port

REPO = Path(__file__).resolve().parents[2]
STACK = REPO / "deploy" / "local" / "stack.sh"


@dataclass(frozen=True)
class Infra:
    kafka: str
    mongodb_url: str
    origin: str
    # The local stack's directory, when the servers are this machine's own processes.
    stack_dir: Path | None = None

    def kafka_pid(self) -> int | None:
        """The local Kafka's process id (fault tests pause it), if there is one."""
        return self.server_pid("kafka")

    def server_pid(self, name: str) -> int | None:
        """The process id of a local stack server ("kafka", "ferretdb"), if there is one."""
        if self.stack_dir is None:
            return None
        return int((self.stack_dir / "run" / f"{name}.pid").read_text().strip())


def docker_available() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=15).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@contextlib.contextmanager
def _containers() -> Iterator[Infra]:
    # Only with a Docker engine: testcontainers is not needed (nor imported) without one.
    from testcontainers.core.container import DockerContainer  # noqa: PLC0415
    from testcontainers.core.waiting_utils import wait_for_logs  # noqa: PLC0415
    from testcontainers.mongodb import MongoDbContainer  # noqa: PLC0415

    port = free_port()
    kafka = (
        DockerContainer("apache/kafka:4.1.1")  # as in docker-compose.yml
        .with_bind_ports(9092, port)
        .with_env("KAFKA_NODE_ID", "1")
        .with_env("KAFKA_PROCESS_ROLES", "broker,controller")
        .with_env("KAFKA_LISTENERS", "PLAINTEXT://:9092,CONTROLLER://:9093")
        .with_env("KAFKA_ADVERTISED_LISTENERS", f"PLAINTEXT://127.0.0.1:{port}")
        .with_env("KAFKA_CONTROLLER_LISTENER_NAMES", "CONTROLLER")
        .with_env(
            "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT"
        )
        .with_env("KAFKA_CONTROLLER_QUORUM_VOTERS", "1@localhost:9093")
        .with_env("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1")
        .with_env("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
        .with_env("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1")
        .with_env("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0")
        .with_env("KAFKA_NUM_PARTITIONS", "3")
    )
    with kafka, MongoDbContainer("mongo:8") as mongo:
        wait_for_logs(kafka, "Kafka Server started", timeout=120)
        yield Infra(f"127.0.0.1:{port}", mongo.get_connection_url(), "testcontainers")


@contextlib.contextmanager
def _local_stack(stack_dir: Path) -> Iterator[Infra]:
    kafka_port, controller_port, mongo_port = free_port(), free_port(), free_port()
    env = {
        **os.environ,
        "KINDRED_STACK_DIR": str(stack_dir),
        "KINDRED_KAFKA_PORT": str(kafka_port),
        "KINDRED_KAFKA_CONTROLLER_PORT": str(controller_port),
        "KINDRED_MONGO_PORT": str(mongo_port),
    }
    subprocess.run(["bash", str(STACK), "start"], env=env, check=True)
    try:
        yield Infra(
            f"127.0.0.1:{kafka_port}",
            f"mongodb://127.0.0.1:{mongo_port}/",
            f"local stack in {stack_dir}",
            stack_dir,
        )
    finally:
        subprocess.run(["bash", str(STACK), "stop"], env=env, check=False)


@contextlib.contextmanager
def provide_infra() -> Iterator[Infra]:
    kafka, mongo = os.environ.get("KAFKA_BOOTSTRAP_SERVERS"), os.environ.get("MONGODB_URL")
    if kafka and mongo:
        yield Infra(kafka, mongo, "environment")
    elif docker_available():
        with _containers() as infra:
            yield infra
    else:
        # Not under pytest's own temporary root: that one is private to its user, and the
        # stack's PostgreSQL runs as an unprivileged user who must reach its directory.
        given = os.environ.get("KINDRED_TEST_STACK_DIR")
        stack_dir = Path(given or tempfile.mkdtemp(prefix="kindred-test-stack."))
        try:
            with _local_stack(stack_dir) as infra:
                yield infra
        finally:
            if not given:
                shutil.rmtree(stack_dir, ignore_errors=True)
