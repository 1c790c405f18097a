"""Settings read from the environment; every service extends `ServiceSettings`."""

from __future__ import annotations

import re
from typing import ClassVar, Self

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_HOST_PORT = re.compile(r"^[A-Za-z0-9.\-\[\]:]+:\d{1,5}$")
_NAMESPACE = re.compile(r"^[a-z][a-z0-9_-]{0,40}$")


class SettingsError(SystemExit):
    """Raised at start-up when the environment holds a bad value; the message names the variable."""


class ServiceSettings(BaseSettings):
    """What every service needs. Field `kafka_bootstrap_servers` reads `KAFKA_BOOTSTRAP_SERVERS`."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True)

    # Fixed per service, never read from the environment: a generic SERVICE_NAME must not make
    # two services share a database and a consumer group.
    service_name: ClassVar[str] = "kindred"
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    mongodb_url: str = "mongodb://127.0.0.1:27017/"
    # Prefix of every topic, consumer group and database: lets several stacks share one broker.
    kindred_namespace: str = "kindred"
    # Partitions of every topic: the unit of ownership and of parallelism. A replica handles
    # the partitions it owns in parallel, each in order; more replicas share them out.
    kafka_topic_partitions: int = Field(default=3, ge=1, le=1000)
    # Copies of each topic a service creates, and how many must have a write before it is
    # acknowledged (acks=all): 1 and 1 on a single broker, 3 and 2 on a real cluster.
    kafka_replication_factor: int = Field(default=1, ge=1, le=10)
    kafka_min_insync_replicas: int = Field(default=1, ge=1, le=10)
    # A replica that stops heartbeating for this long loses its partitions to the others.
    kafka_session_timeout_seconds: float = Field(default=10.0, ge=1, le=300)
    # ... and so does one whose handling of fetched records stalls this long.
    kafka_max_poll_interval_seconds: float = Field(default=300.0, ge=1, le=3600)
    # Records a partition handles (and commits) at once, at most.
    consumer_batch_max: int = Field(default=500, ge=1, le=10_000)
    http_host: str = "127.0.0.1"
    http_port: int = Field(default=8000, ge=0, le=65535)
    log_level: str = "INFO"
    # Backoff while a server underneath (Kafka, MongoDB) fails: base, cap, and the attempt
    # number at which the delay stops growing.
    retry_attempts: int = Field(default=4, ge=1, le=20)
    retry_backoff_base_seconds: float = Field(default=0.2, gt=0, le=60)
    retry_backoff_max_seconds: float = Field(default=5.0, gt=0, le=600)
    graceful_timeout_seconds: float = Field(default=15.0, gt=0, le=600)
    # How long a committed batch's writes may wait to be applied together with the next ones
    # (the partition log holds them meanwhile; events are published at once either way).
    # 0: each batch's writes are applied as it commits.
    write_behind_seconds: float = Field(default=0.0, ge=0, le=60)
    # Readiness reports a background loop once this many of its rounds failed in a row.
    background_failures_unready: int = Field(default=3, ge=1, le=1000)
    # How often consumer lag per partition is measured for /metrics.
    lag_interval_seconds: float = Field(default=5.0, gt=0, le=600)

    @model_validator(mode="after")
    def _insync_fits(self) -> Self:
        if self.kafka_min_insync_replicas > self.kafka_replication_factor:
            raise ValueError(
                "KAFKA_MIN_INSYNC_REPLICAS cannot exceed KAFKA_REPLICATION_FACTOR "
                f"({self.kafka_min_insync_replicas} > {self.kafka_replication_factor})"
            )
        return self

    @field_validator("kafka_bootstrap_servers")
    @classmethod
    def _bootstrap(cls, value: str) -> str:
        servers = [s.strip() for s in value.split(",") if s.strip()]
        if not servers or not all(_HOST_PORT.match(s) for s in servers):
            raise ValueError(f"expected host:port[,host:port...], got {value!r}")
        return ",".join(servers)

    @field_validator("mongodb_url")
    @classmethod
    def _mongodb_url(cls, value: str) -> str:
        if not value.startswith(("mongodb://", "mongodb+srv://")):
            raise ValueError(f"expected a mongodb:// or mongodb+srv:// URL, got {value!r}")
        return value

    @field_validator("kindred_namespace")
    @classmethod
    def _namespace(cls, value: str) -> str:
        if not _NAMESPACE.match(value):
            raise ValueError("use 1-41 characters: lower-case letters, digits, '-' or '_'")
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError(f"expected DEBUG, INFO, WARNING, ERROR or CRITICAL, got {value!r}")
        return level

    @property
    def database_name(self) -> str:
        return f"{self.kindred_namespace}_{self.service_name}".replace("-", "_")

    @property
    def consumer_group(self) -> str:
        return f"{self.kindred_namespace}.{self.service_name}"

    @classmethod
    def load(cls) -> Self:
        """Read the environment, or stop with one line per bad variable."""
        try:
            return cls()
        except ValidationError as exc:
            lines = [
                f"  {'.'.join(str(p) for p in err['loc']).upper()}: {err['msg']}"
                for err in exc.errors()
            ]
            raise SettingsError(
                "invalid settings in the environment:\n" + "\n".join(lines)
            ) from None
