"""Settings read from the environment; every service extends `ServiceSettings`."""

from __future__ import annotations

import re
from typing import ClassVar, Self
from urllib.parse import urlsplit, urlunsplit

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_HOST_PORT = re.compile(r"^[A-Za-z0-9.\-\[\]:]+:\d{1,5}$")
_NAMESPACE = re.compile(r"^[a-z][a-z0-9_-]{0,40}$")


# Obviously not a secret: only for a developer's laptop and tests (KINDRED_DEV_MODE=1). Outside
# dev mode a service that uses this token refuses to start until INTERNAL_API_TOKEN is set.
DEV_INTERNAL_API_TOKEN = "dev-only-insecure-internal-api-token-do-not-deploy"
# Likewise for KINDRED_PAGE_LINK_SECRET, which signs safety pages' links (notifications signs,
# the gateway verifies: both must hold the same value).
DEV_PAGE_LINK_SECRET = "dev-only-insecure-page-link-secret-do-not-deploy"


class SettingsError(SystemExit):
    """Raised at start-up when the environment holds a bad value; the message names the variable.

    A SystemExit: uncaught, Python prints the message on stderr and exits with status 1.
    """


def redact_url(url: str) -> str:
    """The URL without its password (`mongodb://user:***@host/`): fit for a log or a message."""
    try:
        parts = urlsplit(url)
        if parts.password is None:
            return url
        host = parts.netloc.rpartition("@")[2]
        return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{host}"))
    except ValueError:
        return "<unparsable URL>"


class ServiceSettings(BaseSettings):
    """What every service needs. Field `kafka_bootstrap_servers` reads `KAFKA_BOOTSTRAP_SERVERS`."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True)

    # Fixed per service, never read from the environment: a generic SERVICE_NAME must not make
    # two services share a database and a consumer group.
    service_name: ClassVar[str] = "kindred"
    # The secrets this service uses (field names). Each field's default is a dev-only value
    # that `load` refuses outside dev mode.
    secret_fields: ClassVar[tuple[str, ...]] = ()
    # A developer's machine or a test run: dev-only default secrets are accepted. Set by
    # docker-compose.yml, the local platform and the tests; never in a real deployment.
    kindred_dev_mode: bool = False
    # The bearer token the gateway sends to the notifications service's internal API, which
    # compares it in constant time (both services need the same value).
    internal_api_token: str = Field(default=DEV_INTERNAL_API_TOKEN, min_length=32, repr=False)
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    # Out of the settings' repr: the URL can hold a password (log `redact_url(...)` instead).
    mongodb_url: str = Field(default="mongodb://127.0.0.1:27017/", repr=False)
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
    # At start-up, how long to keep trying while Kafka is not ready yet (starting, or back
    # from an outage without its brokers registered) before the service gives up.
    kafka_startup_wait_seconds: float = Field(default=30.0, ge=0, le=600)
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
    # How long a batch carrying urgent events (safety alerts) waits for its partition-log write
    # before it publishes them ahead of it: a database outage never holds an alert back.
    urgent_publish_after_seconds: float = Field(default=2.0, gt=0, le=60)
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
            raise ValueError("expected host:port[,host:port...]")  # never the value
        return ",".join(servers)

    @field_validator("mongodb_url")
    @classmethod
    def _mongodb_url(cls, value: str) -> str:
        if not value.startswith(("mongodb://", "mongodb+srv://")):
            # Never the value itself: a URL can hold a password.
            raise ValueError("expected a mongodb:// or mongodb+srv:// URL")
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

    def dev_secrets_in_use(self) -> list[str]:
        """The variables of this service's secrets that still hold their dev-only default."""
        fields = type(self).model_fields
        return [
            name.upper()
            for name in self.secret_fields
            if getattr(self, name) == fields[name].default
        ]

    def refuse_dev_secrets(self) -> None:
        """Outside dev mode, stop (SettingsError) when a secret holds its dev-only default."""
        names = self.dev_secrets_in_use()
        if names and not self.kindred_dev_mode:
            raise SettingsError(
                f"{self.service_name}: refusing to start: "
                + ", ".join(names)
                + (" holds its" if len(names) == 1 else " hold their")
                + " dev-only default, which anyone can read in the source code.\n"
                + "".join(
                    f"  Set {name} to a random secret of at least 32 characters "
                    "(e.g. `openssl rand -base64 48`).\n"
                    for name in names
                )
                + "  On a developer's machine only, KINDRED_DEV_MODE=1 accepts the defaults."
            )

    @classmethod
    def load(cls, **overrides: object) -> Self:
        """Read the environment, or stop with one line per bad variable; outside dev mode, stop
        when a secret holds its dev-only default. Messages never quote a value."""
        try:
            settings = cls(**overrides)  # type: ignore[arg-type]
        except ValidationError as exc:
            lines = [
                f"  {'.'.join(str(p) for p in err['loc']).upper()}: {err['msg']}"
                for err in exc.errors()
            ]
            raise SettingsError(
                f"{cls.service_name}: invalid settings in the environment:\n" + "\n".join(lines)
            ) from None
        settings.refuse_dev_secrets()
        return settings
