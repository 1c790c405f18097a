from typing import ClassVar

from pydantic import Field

from kindred.settings import ServiceSettings


class CheckinsSettings(ServiceSettings):
    service_name: ClassVar[str] = "checkins"
    # INTERNAL_API_TOKEN guards the internal safety API (`/internal/members/{id}/safety`).
    secret_fields: ClassVar[tuple[str, ...]] = ("internal_api_token",)
    http_port: int = 8002
    # How often each owned partition looks for reminders due and check-ins missed.
    schedule_tick_seconds: float = Field(default=1.0, gt=0, le=60)
    # The longest a scheduled check-in waits for the member; the window also ends at the next
    # occurrence. No check-in by then: `checkin.missed`.
    schedule_missed_window_seconds: int = Field(default=86_400, ge=1, le=7 * 86_400)
    # A missed check-in is reported this long after its window ends, and no sooner than this
    # long after the partition was loaded: time for check-ins still on their way (a consumer
    # behind, a replica that just took the partition over) to be handled first.
    schedule_missed_grace_seconds: float = Field(default=60.0, ge=0, le=3600)
    # Schedules a partition handles at most per tick (their reminders and missed check-ins go
    # in one log entry); the rest follow on the next ticks.
    schedule_tick_batch_max: int = Field(default=500, ge=1, le=10_000)
