from typing import ClassVar

from pydantic import Field, field_validator

from kindred.instruments import Phq9Severity
from kindred.settings import ServiceSettings


class CaseworkSettings(ServiceSettings):
    service_name: ClassVar[str] = "casework"
    # INTERNAL_API_TOKEN guards the internal staff API (the queue, cases, roster, audit).
    secret_fields: ClassVar[tuple[str, ...]] = ("internal_api_token",)
    http_port: int = 8004
    # Missed check-ins in a row that open a `missed-checkins` item (one per streak).
    missed_checkins_streak: int = Field(default=3, ge=1, le=100)
    # PHQ-9 severities (comma-separated) whose check-in opens a `phq9-severe` item.
    phq9_review_severities: str = "severe"
    # An acknowledged alert whose episode stays open leaves the live queue this long after
    # its acknowledgement (it is still listed under /internal/alerts?state=open).
    queue_acked_alert_hours: float = Field(default=24.0, gt=0, le=24 * 30)
    # The live queue is read from the store at most this often per set of queues, however
    # many consoles poll it (0: every read asks the store).
    queue_read_seconds: float = Field(default=1.0, ge=0, le=30)

    @field_validator("phq9_review_severities")
    @classmethod
    def _severities(cls, value: str) -> str:
        for name in value.split(","):
            if name.strip():
                Phq9Severity(name.strip())  # a ValueError names the unknown severity
        return value

    @property
    def phq9_severities(self) -> frozenset[Phq9Severity]:
        names = self.phq9_review_severities.split(",")
        return frozenset(Phq9Severity(n.strip()) for n in names if n.strip())
