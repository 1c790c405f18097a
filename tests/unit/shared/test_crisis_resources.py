"""Crisis resources: the packaged table, lookup and fallback, an operator's override file."""

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from kindred.safety.resources import (
    MEMBER_MESSAGE,
    ResourceTableError,
    crisis_message,
    load_table,
    packaged_table,
    resources_for,
)

EXPECTED = {
    # country: (emergency numbers, the first service's phone, its sms)
    "US": (("911",), "988", "988"),
    "CA": (("911",), "988", "988"),
    "GB": (("999", "112"), "116 123", None),
    "IE": (("112", "999"), "116 123", None),
    "AU": (("000",), "13 11 14", None),
    "NZ": (("111",), "1737", "1737"),
    "FR": (("112", "15"), "3114", None),
    "DE": (("112",), "0800 111 0 111", None),
    "ES": (("112",), "024", None),
    "NL": (("112",), "113", None),
    "BE": (("112",), "1813", None),
    "IN": (("112",), "14416", None),
}


@pytest.mark.parametrize("country", sorted(EXPECTED))
def test_packaged_countries(country: str) -> None:
    emergency, phone, sms = EXPECTED[country]
    found = resources_for(country)
    assert found.country == country
    assert found.emergency_numbers == emergency
    assert found.emergency == " or ".join(emergency)
    assert found.services[0].phone == phone
    assert found.services[0].sms == sms
    assert all(s.availability == "24/7" for s in found.services)


def test_the_table_lists_only_checked_countries_and_a_review_date() -> None:
    table = packaged_table()
    assert set(table.countries) == set(EXPECTED)
    assert table.reviewed == date(2026, 11, 25)


def test_second_numbers() -> None:
    assert resources_for("DE").services[0].phone_alt == ("0800 111 0 222",)
    assert resources_for("NL").services[0].phone_alt == ("0800 0113",)
    be = resources_for("BE").services
    assert [(s.phone, s.languages) for s in be] == [("1813", ("nl",)), ("0800 32 123", ("fr",))]
    assert resources_for("GB").services[1].sms == "85258"
    assert resources_for("IE").services[1].sms == "50808"


@pytest.mark.parametrize("country", [None, "", "ZZ", "XX", "usa", "  ", "1", "ÜS"])
def test_unknown_or_missing_countries_get_the_fallback(country: str | None) -> None:
    found = resources_for(country)
    assert found.country is None
    assert found.emergency == "your local emergency number"
    assert found.emergency_numbers == ()
    assert found.services[0].url == "https://findahelpline.com"


@pytest.mark.parametrize(("given", "country"), [("gb", "GB"), (" us ", "US"), ("UK", "GB")])
def test_lookup_is_forgiving(given: str, country: str) -> None:
    assert resources_for(given).country == country


def test_lookup_never_raises_on_odd_input() -> None:
    assert resources_for(42).country is None  # type: ignore[arg-type]


def test_messages() -> None:
    assert "not a crisis" in MEMBER_MESSAGE and "emergency" in MEMBER_MESSAGE
    assert resources_for("GB").message == MEMBER_MESSAGE
    text = crisis_message(resources_for("AU"))
    assert "call 000 now" in text
    assert "call your local emergency number now" in crisis_message(resources_for(None))


# --- an operator's file --------------------------------------------------------------------

SERVICE = {"name": "Example Line", "phone": "0800 000 000", "availability": "24/7"}


def write(tmp_path: Path, content: Any) -> Path:
    path = tmp_path / "resources.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content), "utf-8")
    return path


def test_an_override_extends_and_replaces(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        {
            "reviewed": "2027-01-15",
            "countries": {
                "XK": {"emergency_numbers": ["112"], "services": [SERVICE]},
                "US": {"emergency_numbers": ["911"], "services": [SERVICE]},
            },
        },
    )
    table = load_table(path)
    assert table.reviewed == date(2027, 1, 15)
    assert resources_for("XK", table).services[0].name == "Example Line"
    assert resources_for("US", table).services[0].name == "Example Line"
    assert resources_for("GB", table).services[0].name == "Samaritans"  # kept
    assert resources_for(None, table).services == packaged_table().fallback.services
    assert resources_for("XK", table).reviewed == date(2027, 1, 15)


def test_a_whole_table(tmp_path: Path) -> None:
    fallback = {"emergency": "112", "emergency_numbers": ["112"], "services": [SERVICE]}
    path = write(
        tmp_path,
        {
            "reviewed": "2027-01-15",
            "fallback": fallback,
            "countries": {"XK": {"emergency_numbers": ["112"], "services": [SERVICE]}},
        },
    )
    table = load_table(path, extend=False)
    assert set(table.countries) == {"XK"}
    assert resources_for("GB", table).emergency == "112"


def test_a_whole_table_needs_a_fallback(tmp_path: Path) -> None:
    path = write(tmp_path, {"reviewed": "2027-01-15", "countries": {}})
    with pytest.raises(ResourceTableError, match="fallback: a whole table needs a fallback"):
        load_table(path, extend=False)


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ResourceTableError, match="cannot be read"):
        load_table(tmp_path / "nope.json")


def test_a_file_that_is_not_json(tmp_path: Path) -> None:
    with pytest.raises(ResourceTableError, match=r"not JSON \(line 1, column 2"):
        load_table(write(tmp_path, "{oops"))


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ({"countries": {}}, "reviewed: Field required"),
        ({"reviewed": "soon"}, "reviewed: Input should be a valid date"),
        (
            {
                "reviewed": "2027-01-01",
                "countries": {"gb": {"emergency_numbers": ["999"], "services": [SERVICE]}},
            },
            "countries.gb.[key]",
        ),
        (
            {
                "reviewed": "2027-01-01",
                "countries": {"GB": {"emergency_numbers": [], "services": [SERVICE]}},
            },
            "countries.GB.emergency_numbers",
        ),
        (
            {
                "reviewed": "2027-01-01",
                "countries": {"GB": {"emergency_numbers": ["999"], "services": []}},
            },
            "countries.GB.services",
        ),
        (
            {
                "reviewed": "2027-01-01",
                "countries": {"GB": {"emergency_numbers": ["call us"], "services": [SERVICE]}},
            },
            "countries.GB.emergency_numbers.0",
        ),
        (
            {
                "reviewed": "2027-01-01",
                "countries": {
                    "GB": {
                        "emergency_numbers": ["999"],
                        "services": [{"name": "No way to reach", "availability": "24/7"}],
                    }
                },
            },
            "a service needs a phone, sms or url",
        ),
        (
            {
                "reviewed": "2027-01-01",
                "countries": {
                    "GB": {
                        "emergency_numbers": ["999"],
                        "services": [{**SERVICE, "url": "http://insecure.example"}],
                    }
                },
            },
            "countries.GB.services.0.url",
        ),
        ({"reviewed": "2027-01-01", "extra": 1}, "extra: Extra inputs are not permitted"),
    ],
)
def test_a_bad_file_is_a_clear_error(tmp_path: Path, content: Any, problem: str) -> None:
    path = write(tmp_path, content)
    with pytest.raises(ResourceTableError) as info:
        load_table(path)
    message = str(info.value)
    assert message.startswith(f"crisis resources file {path}: ")
    assert problem in message
