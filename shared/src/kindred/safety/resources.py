"""Crisis resources per country, from a maintained table shipped inside the package.

`crisis_resources.json` (next to this module) lists, per ISO 3166-1 alpha-2 country, the
emergency numbers and free crisis services (name, phone, text number, web site, hours), the date
the table was last reviewed and an international fallback. A country is listed only when its
numbers were checked; a country not listed gets the fallback (call your local emergency number;
a directory of helplines). An operator can extend or replace entries with their own JSON file of
the same shape (`load_table`).
"""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

MEMBER_MESSAGE = (
    "Kindred is peer support, not a crisis or emergency service. If you are in danger, or think "
    "you might act on thoughts of harming yourself, call your emergency number now. The "
    "services below are free and confidential."
)

_CONFIG = ConfigDict(frozen=True, extra="forbid", hide_input_in_errors=True)

Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
Number = Annotated[str, StringConstraints(pattern=r"^\+?[0-9][0-9 \-]{1,24}$")]
Text = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Url = Annotated[str, StringConstraints(pattern=r"^https://[^\s]{3,200}$")]


class CrisisService(BaseModel):
    model_config = _CONFIG

    name: Text
    phone: Number | None = None
    phone_alt: tuple[Number, ...] = ()
    sms: Number | None = Field(default=None, description="Number to text, if any")
    url: Url | None = None
    availability: Text = Field(description="Hours, e.g. 24/7")
    languages: tuple[Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")], ...] = ()

    @model_validator(mode="after")
    def _reachable(self) -> Self:
        if self.phone is None and self.sms is None and self.url is None:
            raise ValueError("a service needs a phone, sms or url")
        return self


class CountryResources(BaseModel):
    model_config = _CONFIG

    emergency_numbers: tuple[Number, ...] = Field(min_length=1)
    services: tuple[CrisisService, ...] = Field(min_length=1)


class Fallback(BaseModel):
    model_config = _CONFIG

    emergency: Text = "your local emergency number"
    emergency_numbers: tuple[Number, ...] = ()
    services: tuple[CrisisService, ...] = Field(min_length=1)


class ResourceTable(BaseModel):
    model_config = _CONFIG

    reviewed: date = Field(description="When the numbers were last checked")
    review_note: str = ""
    fallback: Fallback
    countries: dict[Country, CountryResources]


class OverrideTable(BaseModel):
    """An operator's file: the same shape, every part optional but `reviewed`."""

    model_config = _CONFIG

    reviewed: date
    review_note: str = ""
    fallback: Fallback | None = None
    countries: dict[Country, CountryResources] = Field(default_factory=dict)


class CrisisResources(BaseModel):
    """What a member in crisis is shown: always something to call."""

    model_config = _CONFIG

    country: str | None = Field(description="The country matched; None for the fallback")
    emergency: str = Field(description="The emergency number(s) to show, or a phrase")
    emergency_numbers: tuple[str, ...]
    services: tuple[CrisisService, ...]
    reviewed: date
    message: str = MEMBER_MESSAGE


class ResourceTableError(ValueError):
    """A resources file that cannot be read or is not valid, with the reasons."""


def _problems(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(map(str, e['loc'])) or 'file'}: {e['msg']}"
        for e in error.errors(include_input=False)
    )


@cache
def packaged_table() -> ResourceTable:
    """The table shipped with the package (read once)."""
    text = files("kindred.safety").joinpath("crisis_resources.json").read_text("utf-8")
    return ResourceTable.model_validate_json(text)


def load_table(path: str | Path, *, extend: bool = True) -> ResourceTable:
    """An operator's table from a JSON file; ResourceTableError says what is wrong with it.

    With `extend` (the default) the file's countries replace or add to the packaged ones and
    its fallback, if any, replaces the packaged one; otherwise the file is the whole table and
    must have a fallback.
    """
    source = Path(path)
    try:
        text = source.read_text("utf-8")
    except OSError as error:
        raise ResourceTableError(
            f"crisis resources file {source}: cannot be read ({error.strerror or error})"
        ) from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise ResourceTableError(
            f"crisis resources file {source}: not JSON (line {error.lineno}, "
            f"column {error.colno}: {error.msg})"
        ) from None
    try:
        override = OverrideTable.model_validate(raw)
    except ValidationError as error:
        raise ResourceTableError(f"crisis resources file {source}: {_problems(error)}") from None
    if extend:
        base = packaged_table()
        return ResourceTable(
            reviewed=override.reviewed,
            review_note=override.review_note or base.review_note,
            fallback=override.fallback or base.fallback,
            countries={**base.countries, **override.countries},
        )
    if override.fallback is None:
        raise ResourceTableError(
            f"crisis resources file {source}: fallback: a whole table needs a fallback"
        )
    return ResourceTable(
        reviewed=override.reviewed,
        review_note=override.review_note,
        fallback=override.fallback,
        countries=override.countries,
    )


# Common codes that are not ISO 3166-1 alpha-2.
_ALIASES = {"UK": "GB", "EL": "GR"}


def resources_for(country: str | None, table: ResourceTable | None = None) -> CrisisResources:
    """The crisis resources for a country, or the international fallback. Never raises."""
    table = table or packaged_table()
    code = country.strip().upper() if isinstance(country, str) else None
    code = _ALIASES.get(code, code) if code else None
    entry = table.countries.get(code) if code else None
    if entry is not None:
        return CrisisResources(
            country=code,
            emergency=" or ".join(entry.emergency_numbers),
            emergency_numbers=entry.emergency_numbers,
            services=entry.services,
            reviewed=table.reviewed,
        )
    return CrisisResources(
        country=None,
        emergency=table.fallback.emergency,
        emergency_numbers=table.fallback.emergency_numbers,
        services=table.fallback.services,
        reviewed=table.reviewed,
    )


def crisis_message(resources: CrisisResources) -> str:
    """The member-facing message with the emergency number filled in."""
    return (
        "Kindred is peer support, not a crisis or emergency service. If you are in danger, or "
        "think you might act on thoughts of harming yourself, call "
        f"{resources.emergency} now. The services below are free and confidential."
    )
