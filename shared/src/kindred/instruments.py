"""Check-in instruments: strict models of what a member answers, and scoring done by code.

Pure and I/O-free, so the gateway and the check-ins service score a check-in the same way.
A score is never taken from a client: `score()` computes every total from the items.

Sources of the scoring rules:
- WHO-5: Psychiatric Research Unit, WHO Collaborating Centre in Mental Health, Frederiksborg
  General Hospital (1998 version of the questionnaire and its scoring note): five items scored
  0-5, raw score 0-25, percentage = raw x 4. "It is recommended to administer the Major
  Depression (ICD-10) Inventory if the raw score is below 13 or if the patient has answered 0 to 1
  to any of the five items." Both conditions set `who5_followup`.
- PHQ-2 / PHQ-9: Kroenke, Spitzer & Williams (2001, 2003), items scored 0-3 in the published
  order; PHQ-2 total >= 3 is the usual cut-point for going on to the PHQ-9; PHQ-9 severity bands
  0-4, 5-9, 10-14, 15-19, 20-27. Item 9: "thoughts that you would be better off dead, or of
  hurting yourself in some way".
- ASQ: NIMH Ask Suicide-Screening Questions. Yes to any of questions 1-4 is a positive screen;
  question 5 (acuity) is asked only then, and yes to it is an acute positive screen.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

# Errors never carry the input in their text (a note can hold anything a member wrote).
_CONFIG = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

NOTE_MAX_CHARS = 2000
WHO5_ITEMS = 5
PHQ2_ITEMS = 2
PHQ9_ITEMS = 9

WHO5_FOLLOWUP_BELOW = 13  # raw score below this: follow up
WHO5_LOW_ITEM = 1  # any single item at or below this: follow up
PHQ2_SUGGESTS_PHQ9_AT = 3  # PHQ-2 total at or above this: offer the PHQ-9


class Instrument(StrEnum):
    MOOD = "mood"
    WHO5 = "who5"
    PHQ2 = "phq2"
    PHQ9 = "phq9"
    ASQ = "asq"


class Phq9Severity(StrEnum):
    MINIMAL = "minimal"  # 0-4
    MILD = "mild"  # 5-9
    MODERATE = "moderate"  # 10-14
    MODERATELY_SEVERE = "moderately_severe"  # 15-19
    SEVERE = "severe"  # 20-27


def _exact_count(name: str, count: int) -> Callable[[Any], Any]:
    """A count check that runs before pydantic's own, for a clearer message than its default."""

    def check(value: Any) -> Any:
        if isinstance(value, list | tuple) and len(value) != count:
            raise PydanticCustomError(
                "item_count",
                "{name} needs exactly {count} answers, one per item in the published order; "
                "{got} were sent",
                {"name": name, "count": count, "got": len(value)},
            )
        return value

    return check


Mood = Annotated[StrictInt, Field(ge=1, le=10, description="Mood from 1 (worst) to 10 (best)")]
Who5Item = Annotated[StrictInt, Field(ge=0, le=5)]
PhqItem = Annotated[StrictInt, Field(ge=0, le=3)]
Who5Answers = Annotated[
    list[Who5Item],
    BeforeValidator(_exact_count("who5", WHO5_ITEMS)),
    Field(
        min_length=WHO5_ITEMS,
        max_length=WHO5_ITEMS,
        description="WHO-5 items 1-5 in the published order, each 0 (at no time) "
        "to 5 (all of the time)",
    ),
]
Phq2Answers = Annotated[
    list[PhqItem],
    BeforeValidator(_exact_count("phq2", PHQ2_ITEMS)),
    Field(
        min_length=PHQ2_ITEMS,
        max_length=PHQ2_ITEMS,
        description="PHQ-2 items 1-2 (interest or pleasure; feeling down, depressed or "
        "hopeless), each 0 (not at all) to 3 (nearly every day)",
    ),
]
Phq9Answers = Annotated[
    list[PhqItem],
    BeforeValidator(_exact_count("phq9", PHQ9_ITEMS)),
    Field(
        min_length=PHQ9_ITEMS,
        max_length=PHQ9_ITEMS,
        description="PHQ-9 items 1-9 in the published order, each 0 (not at all) to 3 "
        "(nearly every day); item 9 is thoughts of being better off dead or of self-harm",
    ),
]
Note = Annotated[
    StrictStr,
    Field(
        min_length=0,
        max_length=NOTE_MAX_CHARS,
        description="Free text, up to 2000 characters",
    ),
]


def _country(value: str) -> str:
    if len(value) != 2 or not ("A" <= value[0] <= "Z" and "A" <= value[1] <= "Z"):
        # Never the value itself: an error does not echo the input back.
        raise PydanticCustomError(
            "country_code",
            "country must be an ISO 3166-1 alpha-2 code in upper case, e.g. 'GB'",
        )
    return value


CountryCode = Annotated[
    StrictStr,
    AfterValidator(_country),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": "^[A-Z]{2}$",
            "description": "ISO 3166-1 alpha-2 country code, upper case: picks crisis resources",
        }
    ),
]


_ASQ_SCREEN = ("q1", "q2", "q3", "q4")


def _asq_schema(schema: dict[str, Any]) -> None:
    """Question 5 can be yes only when one of questions 1-4 is yes, stated in the schema."""
    schema["anyOf"] = [
        {"properties": {"q5": {"not": {"const": True}}}},
        *({"required": [q], "properties": {q: {"const": True}}} for q in _ASQ_SCREEN),
    ]


class Asq(BaseModel):
    """NIMH Ask Suicide-Screening Questions: yes (true) or no (false)."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", hide_input_in_errors=True, json_schema_extra=_asq_schema
    )

    q1: StrictBool = Field(description="In the past few weeks, have you wished you were dead?")
    q2: StrictBool = Field(
        description="In the past few weeks, have you felt that you or your family would be "
        "better off if you were dead?"
    )
    q3: StrictBool = Field(
        description="In the past week, have you been having thoughts about killing yourself?"
    )
    q4: StrictBool = Field(description="Have you ever tried to kill yourself?")
    q5: StrictBool | None = Field(
        default=None,
        description="Asked only when one of q1-q4 is yes: are you having thoughts of killing "
        "yourself right now? Absent (or null) when not asked.",
    )

    @property
    def positive(self) -> bool:
        """Yes to any of questions 1-4."""
        return self.q1 or self.q2 or self.q3 or self.q4

    @property
    def acute(self) -> bool:
        """Yes to question 5."""
        return self.q5 is True

    @model_validator(mode="after")
    def _acuity_only_after_a_yes(self) -> Asq:
        if self.q5 and not self.positive:
            raise PydanticCustomError(
                "asq_q5_without_yes",
                "asq.q5 is asked only when one of q1-q4 is yes: with q1-q4 all no, "
                "leave q5 out or false",
            )
        return self


def _has_text(note: str) -> bool:
    return bool(note.strip())


_AT_LEAST_ONE = (
    "a check-in needs at least one instrument (mood, who5, phq2, phq9, asq) or a non-empty note"
)


def _at_least_one_schema(schema: dict[str, Any]) -> None:
    """The at-least-one rule, stated in the JSON schema (so in the OpenAPI document)."""
    not_null = {"not": {"type": "null"}}
    schema["anyOf"] = [
        *({"required": [name.value], "properties": {name.value: not_null}} for name in Instrument),
        # A note counts when it holds a character other than white space.
        {"required": ["note"], "properties": {"note": {"type": "string", "pattern": "\\S"}}},
    ]
    schema["description"] = (
        "The answers a member sends with a check-in. A check-in needs at least one instrument "
        "or a non-empty note. Scores are computed by the server, never sent."
    )


class CheckinAnswers(BaseModel):
    """The body a member sends with a check-in: any instruments, a note, a country."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        hide_input_in_errors=True,
        json_schema_extra=_at_least_one_schema,
    )

    mood: Mood | None = None
    who5: Who5Answers | None = None
    phq2: Phq2Answers | None = None
    phq9: Phq9Answers | None = None
    asq: Asq | None = None
    note: Note = ""
    country: CountryCode | None = None

    @model_validator(mode="after")
    def _at_least_one(self) -> CheckinAnswers:
        if not self.instruments and not _has_text(self.note):
            raise PydanticCustomError("empty_checkin", _AT_LEAST_ONE)
        return self

    @property
    def instruments(self) -> tuple[Instrument, ...]:
        """The instruments answered, in a fixed order."""
        return tuple(name for name in Instrument if getattr(self, name.value) is not None)

    @property
    def has_note(self) -> bool:
        return _has_text(self.note)


class Scores(BaseModel):
    """What code computed from a check-in. Carries no free text. None: instrument not answered."""

    model_config = _CONFIG

    mood: int | None = None
    who5_raw: int | None = Field(default=None, description="0-25, sum of the items")
    who5_percent: int | None = Field(default=None, description="0-100, raw x 4")
    who5_followup: bool | None = Field(
        default=None, description="Raw score below 13 or any item at 0 or 1"
    )
    phq2_total: int | None = Field(default=None, description="0-6")
    phq2_suggests_phq9: bool | None = Field(default=None, description="Total 3 or more")
    phq9_total: int | None = Field(default=None, description="0-27")
    phq9_severity: Phq9Severity | None = None
    phq9_item9: int | None = Field(
        default=None, description="0-3: thoughts of being better off dead or of self-harm"
    )
    asq_positive: bool | None = Field(default=None, description="Yes to any of q1-q4")
    asq_acute: bool | None = Field(default=None, description="Yes to q5")
    instruments: tuple[Instrument, ...] = ()
    has_note: bool = False


def who5_followup(items: Sequence[int]) -> bool:
    """WHO-5 guidance: follow up when the raw score is below 13 or any item is 0 or 1."""
    return sum(items) < WHO5_FOLLOWUP_BELOW or any(item <= WHO5_LOW_ITEM for item in items)


def phq9_severity(total: int) -> Phq9Severity:
    if not 0 <= total <= 27:
        raise ValueError("a PHQ-9 total is 0-27")
    if total <= 4:
        return Phq9Severity.MINIMAL
    if total <= 9:
        return Phq9Severity.MILD
    if total <= 14:
        return Phq9Severity.MODERATE
    if total <= 19:
        return Phq9Severity.MODERATELY_SEVERE
    return Phq9Severity.SEVERE


def score(answers: CheckinAnswers) -> Scores:
    """Score every instrument present; each from its items, whatever else was answered."""
    fields: dict[str, Any] = {
        "mood": answers.mood,
        "instruments": answers.instruments,
        "has_note": answers.has_note,
    }
    if answers.who5 is not None:
        raw = sum(answers.who5)
        fields |= {
            "who5_raw": raw,
            "who5_percent": raw * 4,
            "who5_followup": who5_followup(answers.who5),
        }
    if answers.phq2 is not None:
        total = sum(answers.phq2)
        fields |= {"phq2_total": total, "phq2_suggests_phq9": total >= PHQ2_SUGGESTS_PHQ9_AT}
    if answers.phq9 is not None:
        total = sum(answers.phq9)
        fields |= {
            "phq9_total": total,
            "phq9_severity": phq9_severity(total),
            "phq9_item9": answers.phq9[8],
        }
    if answers.asq is not None:
        fields |= {"asq_positive": answers.asq.positive, "asq_acute": answers.asq.acute}
    return Scores(**fields)
