from typing import ClassVar

from pydantic import Field, field_validator

from kindred.safety.resources import (
    ResourceTable,
    ResourceTableError,
    load_table,
    packaged_table,
)
from kindred.settings import DEV_PAGE_LINK_SECRET, ServiceSettings, SettingsError

# Obviously not a secret: only for a developer's laptop and tests (KINDRED_DEV_MODE=1).
# Outside dev mode the gateway refuses to start until JWT_SECRET is set.
DEV_JWT_SECRET = "dev-only-insecure-jwt-signing-key-do-not-deploy"


class GatewaySettings(ServiceSettings):
    service_name: ClassVar[str] = "gateway"
    secret_fields: ClassVar[tuple[str, ...]] = (
        "jwt_secret",
        "internal_api_token",
        "kindred_page_link_secret",
    )
    http_port: int = 8000
    jwt_secret: str = Field(default=DEV_JWT_SECRET, min_length=32, repr=False)
    jwt_audience: str = "kindred"
    jwt_issuer: str = "kindred-dev"
    # KINDRED_PAGE_LINK_SECRET: the key of staff pages' links (kindred.safety.pagelinks), the
    # same value in the gateway, which verifies them, and in notifications, which signs them.
    kindred_page_link_secret: str = Field(default=DEV_PAGE_LINK_SECRET, min_length=32, repr=False)
    # The internal APIs the gateway reads: notifications (inboxes, alerts, pages), check-ins
    # (a member's country and check-ins) and casework (what staff work on).
    notifications_url: str = "http://127.0.0.1:8003"
    checkins_url: str = "http://127.0.0.1:8002"
    # The casework service: the staff's cases, queue, roster and audit trail (CASEWORK_URL).
    casework_url: str = "http://127.0.0.1:8004"
    # How long a check-in that fired a safety rule waits for the member's profile country
    # before it answers with international crisis resources: the answer never waits long.
    member_country_timeout_seconds: float = Field(default=0.3, gt=0, le=2)
    # How long a staff action waits for notifications to find an alert or a page (503 beyond).
    internal_lookup_timeout_seconds: float = Field(default=3.0, gt=0, le=30)
    # How long a request waits for Kafka's acknowledgement (acks=all) before the gateway
    # answers 503: a client is never left hanging while the broker is away.
    publish_timeout_seconds: float = Field(default=2.0, gt=0, le=60)
    # The largest request body accepted (413 beyond), checked before anything parses it.
    max_body_bytes: int = Field(default=64 * 1024, ge=1024, le=16 * 1024 * 1024)
    # A JSON file of crisis resources per country that extends or replaces entries of the
    # packaged table (see docs/safety.md); unset: the packaged table alone.
    crisis_resources_file: str | None = None

    def crisis_resources(self) -> ResourceTable:
        """The table members in crisis are shown; a bad file stops start-up, saying why."""
        if not self.crisis_resources_file:
            return packaged_table()
        try:
            return load_table(self.crisis_resources_file)
        except ResourceTableError as exc:
            raise SettingsError(f"kindred-gateway: CRISIS_RESOURCES_FILE: {exc}") from None

    @field_validator("notifications_url", "checkins_url", "casework_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            # Never the value itself: a URL can hold a password.
            raise ValueError("expected an http(s):// URL")
        return value.rstrip("/")
