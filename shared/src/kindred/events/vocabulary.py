"""Controlled vocabularies shared by profiles, requests and check-ins."""

from __future__ import annotations

from datetime import time
from enum import StrEnum
from importlib.resources import files
from typing import Annotated

from pydantic import AfterValidator, StringConstraints, WithJsonSchema


class Weekday(StrEnum):
    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"

    @property
    def number(self) -> int:
        """Monday is 0, as `date.weekday()` counts."""
        return list(Weekday).index(self)


class Topic(StrEnum):
    """Lived-experience topics members match on."""

    GRIEF = "grief"
    NEW_PARENTHOOD = "new-parenthood"
    ADDICTION_RECOVERY = "addiction-recovery"
    CHRONIC_ILLNESS = "chronic-illness"
    LONELINESS = "loneliness"
    ANXIETY = "anxiety"
    DEPRESSION = "depression"
    CAREGIVING = "caregiving"
    DIVORCE = "divorce"
    JOB_LOSS = "job-loss"


class Role(StrEnum):
    SEEKER = "seeker"
    SUPPORTER = "supporter"


class AgeBand(StrEnum):
    """Age bands; "13-17" is a minor (matched only as `MATCH_MINORS` allows)."""

    A13_17 = "13-17"
    A18_24 = "18-24"
    A25_34 = "25-34"
    A35_44 = "35-44"
    A45_54 = "45-54"
    A55_64 = "55-64"
    A65_PLUS = "65+"


class Urgency(StrEnum):
    """How soon a seeker needs support (a support request's); `high` is served first."""

    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"


# A local time of day, 24-hour "HH:MM", in the member's time zone.
LOCAL_TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


def parse_hhmm(value: str) -> time:
    """A local time of day from its "HH:MM" form."""
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def hhmm(value: time) -> str:
    return value.strftime("%H:%M")


# The IANA time zone names, from the tzdata package (a pinned dependency) rather than the
# host's files: the same list on every machine, and the one the API schema enumerates.
ZONES = tuple(sorted(files("tzdata").joinpath("zones").read_text().split()))
_ZONE_SET = frozenset(ZONES)


def _known_zone(value: str) -> str:
    if value not in _ZONE_SET:
        # Never the value itself: an error does not echo the input back.
        raise ValueError("not an IANA time zone name (e.g. 'Europe/Paris')")
    return value


# ISO 639-1 language code, lower case ("en", "fr").
LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]
TimeZone = Annotated[
    str,
    AfterValidator(_known_zone),
    WithJsonSchema({"type": "string", "enum": list(ZONES), "description": "IANA time zone"}),
]
MemberId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.\-]{1,64}$")]
