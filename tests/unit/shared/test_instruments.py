"""Check-in instruments: strict validation, truthful schema, scoring by code."""

import json
from typing import Any

import pytest
from pydantic import ValidationError

from kindred.instruments import (
    Asq,
    CheckinAnswers,
    Instrument,
    Phq9Severity,
    Scores,
    phq9_severity,
    score,
    who5_followup,
)

ASQ_NO = {"q1": False, "q2": False, "q3": False, "q4": False}


def errors(body: dict[str, Any]) -> list[dict[str, Any]]:
    with pytest.raises(ValidationError) as info:
        CheckinAnswers.model_validate_json(json.dumps(body))
    return info.value.errors(include_input=False)


def only_error(body: dict[str, Any]) -> tuple[str, str]:
    found = errors(body)
    assert len(found) == 1, found
    return ".".join(map(str, found[0]["loc"])), found[0]["msg"]


# --- validation ----------------------------------------------------------------------------


@pytest.mark.parametrize("value", [True, False, "3", 3.0, 3.5, [3], {"v": 3}])
@pytest.mark.parametrize(
    ("field", "body"),
    [
        ("mood", lambda v: {"mood": v}),
        ("who5.2", lambda v: {"who5": [1, 1, v, 1, 1]}),
        ("phq2.0", lambda v: {"phq2": [v, 1]}),
        ("phq9.8", lambda v: {"phq9": [0] * 8 + [v]}),
    ],
)
def test_a_score_must_be_a_json_integer(field: str, body: Any, value: Any) -> None:
    loc, message = only_error(body(value))
    assert loc == field
    assert "integer" in message


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"mood": 0}, "mood", "greater than or equal to 1"),
        ({"mood": 11}, "mood", "less than or equal to 10"),
        ({"who5": [0, 0, 0, 0, -1]}, "who5.4", "greater than or equal to 0"),
        ({"who5": [6, 0, 0, 0, 0]}, "who5.0", "less than or equal to 5"),
        ({"phq2": [4, 0]}, "phq2.0", "less than or equal to 3"),
        ({"phq9": [0] * 8 + [4]}, "phq9.8", "less than or equal to 3"),
        ({"phq9": [-1] + [0] * 8}, "phq9.0", "greater than or equal to 0"),
    ],
)
def test_out_of_range_names_the_item(body: dict[str, Any], field: str, words: str) -> None:
    assert only_error(body) == (field, f"Input should be {words}")


@pytest.mark.parametrize(
    ("field", "count", "sent"),
    [
        ("who5", 5, 4),
        ("who5", 5, 6),
        ("who5", 5, 0),
        ("phq2", 2, 1),
        ("phq2", 2, 3),
        ("phq9", 9, 8),
        ("phq9", 9, 10),
    ],
)
def test_wrong_item_count_is_refused_with_a_clear_message(
    field: str, count: int, sent: int
) -> None:
    loc, message = only_error({field: [0] * sent})
    assert loc == field
    assert message == (
        f"{field} needs exactly {count} answers, one per item in the published order; "
        f"{sent} were sent"
    )


@pytest.mark.parametrize("body", [{"who5": [1, 1, None, 1, 1]}, {"phq9": [None] + [0] * 8}])
def test_an_item_cannot_be_null(body: dict[str, Any]) -> None:
    errors(body)


@pytest.mark.parametrize("field", ["who5", "phq2", "phq9"])
def test_items_must_be_a_list(field: str) -> None:
    loc, _ = only_error({field: "00000"})
    assert loc == field


@pytest.mark.parametrize("value", [1, 0, "yes", "true", None])
def test_asq_answers_must_be_json_booleans(value: Any) -> None:
    loc, message = only_error({"asq": {**ASQ_NO, "q2": value}})
    assert loc == "asq.q2"
    assert "boolean" in message


@pytest.mark.parametrize("missing", ["q1", "q2", "q3", "q4"])
def test_asq_questions_1_to_4_are_required(missing: str) -> None:
    asq = {k: v for k, v in ASQ_NO.items() if k != missing}
    assert only_error({"asq": asq}) == (f"asq.{missing}", "Field required")


def test_asq_q5_yes_is_refused_when_1_to_4_are_no() -> None:
    loc, message = only_error({"asq": {**ASQ_NO, "q5": True}})
    assert loc == "asq"
    assert "q5" in message and "q1-q4" in message


@pytest.mark.parametrize("q5", [False, None])
def test_asq_q5_may_be_absent_or_no_when_1_to_4_are_no(q5: bool | None) -> None:
    body = {**ASQ_NO} if q5 is None else {**ASQ_NO, "q5": q5}
    asq = CheckinAnswers.model_validate({"asq": body}).asq
    assert isinstance(asq, Asq)
    assert (asq.positive, asq.acute, asq.q5) == (False, False, q5)


def test_asq_q5_may_be_absent_after_a_yes() -> None:
    answers = CheckinAnswers.model_validate({"asq": {**ASQ_NO, "q4": True}})
    assert answers.asq is not None and answers.asq.q5 is None


def test_note_length_limits() -> None:
    assert CheckinAnswers(note="x" * 2000).note == "x" * 2000
    loc, message = only_error({"note": "x" * 2001})
    assert loc == "note"
    assert "2000" in message


@pytest.mark.parametrize("note", [3, None, ["a"], True])
def test_note_must_be_a_string(note: Any) -> None:
    loc, _ = only_error({"mood": 5, "note": note})
    assert loc == "note"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"note": ""},
        {"note": " \n\t "},
        {"country": "GB"},
        {"mood": None, "who5": None, "note": ""},
    ],
)
def test_at_least_one_instrument_or_a_note(body: dict[str, Any]) -> None:
    loc, message = only_error(body)
    assert loc == ""
    assert message == (
        "a check-in needs at least one instrument (mood, who5, phq2, phq9, asq) or a non-empty note"
    )


@pytest.mark.parametrize(
    "body",
    [
        {"mood": 5},
        {"who5": [0] * 5},
        {"phq2": [0, 0]},
        {"phq9": [0] * 9},
        {"asq": ASQ_NO},
        {"note": "hello"},
    ],
)
def test_any_one_is_enough(body: dict[str, Any]) -> None:
    CheckinAnswers.model_validate_json(json.dumps(body))


@pytest.mark.parametrize("country", ["gb", "GBR", "G", "", "1A", "G1", 44, "Gb"])
def test_country_must_be_an_upper_case_alpha_2_code(country: Any) -> None:
    loc, _ = only_error({"mood": 5, "country": country})
    assert loc == "country"


def test_country_message_is_clear() -> None:
    assert only_error({"mood": 5, "country": "gb"}) == (
        "country",
        "country must be an ISO 3166-1 alpha-2 code in upper case, e.g. 'GB'",
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"mood": 5, "score": 25}, "score"),
        ({"mood": 5, "who5_raw": 25}, "who5_raw"),
        ({"asq": {**ASQ_NO, "q6": True}}, "asq.q6"),
    ],
)
def test_extra_fields_are_refused(body: dict[str, Any], field: str) -> None:
    assert only_error(body) == (field, "Extra inputs are not permitted")


def test_errors_never_echo_the_input() -> None:
    secret = "my very private words"
    with pytest.raises(ValidationError) as info:
        CheckinAnswers.model_validate({"note": secret * 200, "mood": "7", "country": "zz"})
    assert secret not in str(info.value)
    assert "private" not in json.dumps([e["msg"] for e in info.value.errors()])


def test_answers_are_frozen() -> None:
    answers = CheckinAnswers(mood=5)
    with pytest.raises(ValidationError):
        answers.mood = 6  # type: ignore[misc]


# --- schema --------------------------------------------------------------------------------


def test_schema_states_the_real_rules() -> None:
    schema = CheckinAnswers.model_json_schema()
    props = schema["properties"]
    assert schema["additionalProperties"] is False

    def variant(name: str) -> dict[str, Any]:
        return next(v for v in props[name]["anyOf"] if v.get("type") != "null")

    assert (variant("mood")["minimum"], variant("mood")["maximum"]) == (1, 10)
    for name, count, top in (("who5", 5, 5), ("phq2", 2, 3), ("phq9", 9, 3)):
        array = variant(name)
        assert (array["minItems"], array["maxItems"]) == (count, count)
        assert array["items"] == {"type": "integer", "minimum": 0, "maximum": top}
    assert props["note"]["maxLength"] == 2000
    assert variant("country")["pattern"] == "^[A-Z]{2}$"
    required = [v["required"] for v in schema["anyOf"]]
    assert required == [["mood"], ["who5"], ["phq2"], ["phq9"], ["asq"], ["note"]]
    assert schema["anyOf"][-1]["properties"]["note"]["pattern"] == "\\S"
    asq = schema["$defs"]["Asq"]
    assert asq["required"] == ["q1", "q2", "q3", "q4"]
    assert all(asq["properties"][q]["type"] == "boolean" for q in ("q1", "q2", "q3", "q4"))
    assert asq["anyOf"][0] == {"properties": {"q5": {"not": {"const": True}}}}


# --- scoring -------------------------------------------------------------------------------


def test_scores_of_an_empty_instrument_set_are_none() -> None:
    scores = score(CheckinAnswers(note="just a note"))
    assert scores == Scores(has_note=True)
    assert scores.instruments == ()


def test_mood_is_carried() -> None:
    scores = score(CheckinAnswers(mood=7))
    assert scores.mood == 7
    assert scores.instruments == (Instrument.MOOD,)


@pytest.mark.parametrize(
    ("items", "raw", "percent", "followup"),
    [
        ([0, 0, 0, 0, 0], 0, 0, True),
        ([5, 5, 5, 5, 5], 25, 100, False),
        ([3, 3, 3, 2, 2], 13, 52, False),  # 13 is not below 13
        ([3, 3, 2, 2, 2], 12, 48, True),  # below 13
        ([5, 5, 5, 5, 1], 21, 84, True),  # one item at 1
        ([5, 5, 5, 0, 5], 20, 80, True),  # one item at 0
        ([2, 2, 3, 3, 3], 13, 52, False),  # items at 2 are fine
    ],
)
def test_who5(items: list[int], raw: int, percent: int, followup: bool) -> None:
    scores = score(CheckinAnswers(who5=items))
    assert (scores.who5_raw, scores.who5_percent, scores.who5_followup) == (raw, percent, followup)
    assert who5_followup(items) is followup


@pytest.mark.parametrize(
    ("items", "total", "suggests"),
    [([0, 0], 0, False), ([1, 1], 2, False), ([2, 1], 3, True), ([3, 3], 6, True)],
)
def test_phq2(items: list[int], total: int, suggests: bool) -> None:
    scores = score(CheckinAnswers(phq2=items))
    assert (scores.phq2_total, scores.phq2_suggests_phq9) == (total, suggests)


@pytest.mark.parametrize(
    ("total", "severity"),
    [
        (0, Phq9Severity.MINIMAL),
        (4, Phq9Severity.MINIMAL),
        (5, Phq9Severity.MILD),
        (9, Phq9Severity.MILD),
        (10, Phq9Severity.MODERATE),
        (14, Phq9Severity.MODERATE),
        (15, Phq9Severity.MODERATELY_SEVERE),
        (19, Phq9Severity.MODERATELY_SEVERE),
        (20, Phq9Severity.SEVERE),
        (27, Phq9Severity.SEVERE),
    ],
)
def test_phq9_severity_bands(total: int, severity: Phq9Severity) -> None:
    items = [3] * (total // 3) + ([total % 3] if total % 3 else [])
    items += [0] * (9 - len(items))
    scores = score(CheckinAnswers(phq9=items))
    assert (scores.phq9_total, scores.phq9_severity) == (total, severity)
    assert phq9_severity(total) is severity


@pytest.mark.parametrize("total", [-1, 28])
def test_phq9_severity_refuses_impossible_totals(total: int) -> None:
    with pytest.raises(ValueError, match="0-27"):
        phq9_severity(total)


def test_phq9_item9_is_the_ninth_item() -> None:
    scores = score(CheckinAnswers(phq9=[3, 3, 3, 3, 3, 3, 3, 3, 0]))
    assert scores.phq9_item9 == 0
    assert score(CheckinAnswers(phq9=[0] * 8 + [2])).phq9_item9 == 2


@pytest.mark.parametrize(
    ("asq", "positive", "acute"),
    [
        (ASQ_NO, False, False),
        ({**ASQ_NO, "q5": False}, False, False),
        ({**ASQ_NO, "q1": True}, True, False),
        ({**ASQ_NO, "q4": True, "q5": False}, True, False),
        ({**ASQ_NO, "q3": True, "q5": True}, True, True),
    ],
)
def test_asq(asq: dict[str, bool], positive: bool, acute: bool) -> None:
    scores = score(CheckinAnswers.model_validate({"asq": asq}))
    assert (scores.asq_positive, scores.asq_acute) == (positive, acute)


def test_every_instrument_together() -> None:
    answers = CheckinAnswers.model_validate(
        {
            "mood": 3,
            "who5": [1, 2, 3, 4, 5],
            "phq2": [1, 2],
            "phq9": [1] * 9,
            "asq": {**ASQ_NO, "q2": True, "q5": False},
            "note": "a private note",
            "country": "GB",
        }
    )
    scores = score(answers)
    assert scores.instruments == tuple(Instrument)
    assert scores.has_note is True
    assert "private" not in scores.model_dump_json()
    assert scores.model_dump(mode="json") == {
        "mood": 3,
        "who5_raw": 15,
        "who5_percent": 60,
        "who5_followup": True,
        "phq2_total": 3,
        "phq2_suggests_phq9": True,
        "phq9_total": 9,
        "phq9_severity": "mild",
        "phq9_item9": 1,
        "asq_positive": True,
        "asq_acute": False,
        "instruments": ["mood", "who5", "phq2", "phq9", "asq"],
        "has_note": True,
    }
