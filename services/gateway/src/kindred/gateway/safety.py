"""The safety notice a check-in answers with: crisis resources shown to the member at once when
what they wrote fires a safety rule, whether the check-in is accepted, refused or unconfirmed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request
from pydantic import BaseModel, Field, ValidationError

from kindred.events.checkins import Checkin
from kindred.gateway.accepted import Accepted
from kindred.gateway.errors import ErrorBody
from kindred.instruments import NOTE_MAX_CHARS, CheckinAnswers
from kindred.safety.resources import CrisisResources, ResourceTable, resources_for
from kindred.safety.rules import Severity, Trigger, evaluate, max_severity


class SafetyNotice(BaseModel):
    """Shown to a member whose check-in fired a safety rule, at once, with this response."""

    severity: Severity
    message: str = Field(description="What to do now, for the member to read")
    resources: CrisisResources = Field(
        description="Crisis services for the member's country (`country` in the check-in, else "
        "the one in their profile), or international ones"
    )


class CheckinAccepted(Accepted):
    safety: SafetyNotice | None = Field(
        default=None,
        description="Present when the check-in fired a safety rule: show it to the member "
        "now. The on-call staff are alerted too.",
    )


class CheckinError(ErrorBody):
    """An error answering a check-in (422, 503): if the check-in fired a safety rule, the
    member still gets the crisis resources, in `safety`."""

    safety: SafetyNotice | None = None


async def safety_notice(
    body: Checkin,
    resources: ResourceTable,
    profile_country: Callable[[], Awaitable[str | None]],
) -> SafetyNotice | None:
    """The same stateless rules the check-ins service applies, evaluated here so the member
    sees crisis resources in this very response; the check-ins service raises the alert.

    A check-in that does not say its country gets the member's profile country, asked only when
    a rule fired (`profile_country` answers within a short deadline, else None: international
    resources)."""
    severity = max_severity(evaluate(body))
    if severity is None:
        return None
    country = body.country if body.country is not None else await profile_country()
    found = resources_for(country, resources)
    return SafetyNotice(severity=severity, message=found.message, resources=found)


# The parts of a check-in the safety rules read, each checked on its own when the whole is
# refused: one bad field must not hide a crisis note or an acute answer.
_SAFETY_PARTS = ("phq9", "asq", "note")


def rejected_checkin_safety(request: Request, raw: Any, resources: ResourceTable) -> dict[str, Any]:
    """The crisis resources for a check-in refused as invalid (422) that still fires a rule.

    Nothing of a refused check-in is recorded and no alert is raised (the member is told to
    correct and resend it), but the member sees the resources at once, as for a valid one."""
    if request.method != "POST" or not request.url.path.endswith("/checkins"):
        return {}
    if not isinstance(raw, dict):
        return {"safety": None}
    triggers: list[Trigger] = []
    for part in _SAFETY_PARTS:
        value = raw.get(part)
        if part == "note" and isinstance(value, str):
            value = value[:NOTE_MAX_CHARS]
        try:
            triggers += evaluate(CheckinAnswers.model_validate({part: value}))
        except ValidationError:
            continue
    severity = max_severity(triggers)
    if severity is None:
        return {"safety": None}
    country = raw.get("country")
    found = resources_for(country if isinstance(country, str) else None, resources)
    notice = SafetyNotice(severity=severity, message=found.message, resources=found)
    return {"safety": notice.model_dump(mode="json")}
