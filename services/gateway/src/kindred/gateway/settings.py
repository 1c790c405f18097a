import logging
from typing import ClassVar

from pydantic import Field, field_validator

from kindred.settings import ServiceSettings

# Obviously not a secret: only for a developer's laptop and tests. Production sets JWT_SECRET.
DEV_JWT_SECRET = "dev-only-insecure-jwt-signing-key-do-not-deploy"


class GatewaySettings(ServiceSettings):
    service_name: ClassVar[str] = "gateway"
    http_port: int = 8000
    jwt_secret: str = Field(default=DEV_JWT_SECRET, min_length=32)
    jwt_audience: str = "kindred"
    jwt_issuer: str = "kindred-dev"
    notifications_url: str = "http://127.0.0.1:8003"
    # How long a request waits for Kafka's acknowledgement (acks=all) before the gateway
    # answers 503: a client is never left hanging while the broker is away.
    publish_timeout_seconds: float = Field(default=2.0, gt=0, le=60)

    @field_validator("notifications_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError(f"expected an http(s):// URL, got {value!r}")
        return value.rstrip("/")

    def warn_if_dev_secret(self) -> None:
        if self.jwt_secret == DEV_JWT_SECRET:
            logging.getLogger(__name__).warning(
                "JWT_SECRET is the dev-only default: never expose this gateway beyond a laptop"
            )
