"""Templates: every event, audience, channel and locale renders from the packaged files; the
locale and plain-text fallbacks; HTML escaping; and no sensitive text in SMS, push or inbox."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from importlib.resources import files
from typing import Any

import pytest

from kindred.events.matching import MatchProposed, MatchProposedData
from kindred.events.notifications import Channel
from kindred.events.safety import SafetyAlertRaised, SafetyAlertRaisedData, TriggerFired
from kindred.events.schedules import (
    CheckinMissed,
    CheckinMissedData,
    CheckinReminderDue,
    CheckinReminderDueData,
)
from kindred.events.vocabulary import Topic
from kindred.notifications.channels import OutgoingMessage
from kindred.notifications.channels.sms import SMS_MAX_CHARS, sms_payload
from kindred.notifications.domain.templates import (
    NEVER_IN_PREVIEWS,
    PREVIEW_CHANNELS,
    SAFETY_ESCALATED,
    SPECS,
    Audience,
    TemplateError,
    Templates,
    TemplateSpec,
    alert_raised_context,
    escalated_context,
    locale_chain,
    match_proposed_context,
    missed_context,
    reminder_due_context,
    render,
)
from kindred.safety.rules import Rule, Severity

# Ordinary values for every field a spec allows.
CONTEXT: dict[str, Any] = {
    "match_id": "match-42",
    "shared_topics": ["grief", "new-parenthood"],
    "occurrence_id": "alex:2026-03-02",
    "local_time": "09:30",
    "local_date": "2026-03-02",
    "window_ends_local": "11:30",
    "alert_id": "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
    "alert_short_id": "0f1e2d3c",
    "member_id": "alex",
    "severity": "urgent",
    "rules": ["phq9_item9", "free_text_plan"],
    "raised_at": "2026-03-02T09:41:00+00:00",
    "level": 2,
    "count": 3,
    # A page's link as long as a real one (a JWT naming four ids) and its code.
    "ack_url": "https://kindred.example/v1/pages/" + "T" * 360,
    "ack_code": "3RQE28F8",
    "review_id": "9a8b7c6d-0000-4000-8000-000000000001",
    "review_short_id": "9a8b7c6d",
    "checkin_id": "c-1",
    "priority": "high",
    "reasons": ["third_party"],
    "request_id": "req-42",
    "stage": "overdue",
    "reason": "no-capacity",
    "ahead": 3,
    "waited_days": 3,
    "emergency": "911",
    "emergency_numbers": ["911"],
    "services": [
        {
            "name": "988 Suicide & Crisis Lifeline",
            "phone": "988",
            "sms": "988",
            "url": "https://988lifeline.org",
            "availability": "24/7",
        }
    ],
}

CASES = [
    (spec, channel, locale)
    for spec in SPECS.values()
    for channel in Channel
    for locale in spec.locales
]


def _id(case: tuple[TemplateSpec, Channel, str]) -> str:
    spec, channel, locale = case
    return f"{spec.event_type}/{spec.audience}/{channel}.{locale}"


def test_the_required_events_have_templates() -> None:
    assert set(SPECS) >= {
        ("match.proposed", Audience.SEEKER),
        ("match.proposed", Audience.SUPPORTER),
        ("checkin.reminder-due", Audience.MEMBER),
        ("checkin.missed", Audience.MEMBER),
        ("safety.alert-raised", Audience.STAFF),
        (SAFETY_ESCALATED, Audience.STAFF),
    }
    for spec in SPECS.values():
        assert "en" in spec.locales
        if spec.audience is not Audience.STAFF:
            assert "fr" in spec.locales, spec


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_every_event_channel_and_locale_renders(
    case: tuple[TemplateSpec, Channel, str],
) -> None:
    spec, channel, locale = case
    rendered = render(spec.event_type, spec.audience, channel, locale, CONTEXT)
    assert rendered.locale == locale
    assert rendered.text.strip()
    assert "{{" not in rendered.text and "{%" not in rendered.text
    if channel is not Channel.SMS:
        assert rendered.subject.strip()
        assert "\n" not in rendered.subject
    if channel is Channel.EMAIL:
        assert rendered.html is not None and rendered.html.startswith("<!DOCTYPE html>")
        assert f'lang="{locale}"' in rendered.html
    else:
        assert rendered.html is None
    assert rendered.urgency is spec.urgency
    assert rendered.event_type == spec.event_type


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_member_facing_channels_have_their_own_template(
    case: tuple[TemplateSpec, Channel, str],
) -> None:
    """Each of SMS, push, inbox and email has a template of its own in every declared locale
    (webhooks may use the plain-text one); the plain-text template exists too."""
    spec, channel, locale = case
    template, used = Templates().resolve(spec.event_type, spec.audience, channel, locale)
    kind = "text" if channel is Channel.WEBHOOK and spec.audience is not Audience.STAFF else channel
    assert template.name == f"{spec.event_type}/{spec.audience}/{kind}.{locale}.j2"
    assert used == locale


def test_every_template_file_belongs_to_a_spec() -> None:
    root = files("kindred.notifications").joinpath("templates")
    names = []
    for event_dir in root.iterdir():
        if not event_dir.is_dir():
            continue
        for audience_dir in event_dir.iterdir():
            for template in audience_dir.iterdir():
                names.append((event_dir.name, audience_dir.name, template.name))
    assert names
    pattern = re.compile(
        r"^(email|sms|push|inbox|webhook|text)\.([a-z]{2}(-[a-z]+)?)(\.html)?\.j2$"
    )
    for event_type, audience, name in names:
        assert (event_type, Audience(audience)) in SPECS, (event_type, audience)
        assert pattern.match(name), name


def test_locale_chain() -> None:
    assert locale_chain("fr_CA") == ["fr-ca", "fr", "en"]
    assert locale_chain("EN") == ["en"]
    assert locale_chain(None) == ["en"]
    assert locale_chain("") == ["en"]


def test_a_regional_or_unknown_locale_falls_back() -> None:
    fr = render("checkin.missed", Audience.MEMBER, Channel.PUSH, "fr-CA", CONTEXT)
    assert fr.locale == "fr" and fr.template.endswith("push.fr.j2")
    de = render("checkin.missed", Audience.MEMBER, Channel.PUSH, "de", CONTEXT)
    assert de.locale == "en" and de.template.endswith("push.en.j2")
    staff = render("safety.alert-raised", Audience.STAFF, Channel.EMAIL, "fr", CONTEXT)
    assert staff.locale == "en"
    assert staff.subject.startswith("Safety alert (urgent) 0f1e2d3c")


def test_a_missing_channel_template_falls_back_to_the_plain_text_one() -> None:
    rendered = render("match.proposed", Audience.SEEKER, Channel.WEBHOOK, "fr", CONTEXT)
    assert rendered.template == "match.proposed/seeker/text.fr.j2"
    assert rendered.subject == "Nous avons trouvé quelqu'un à qui parler"
    # The webhook's structured fields: the allowed context, as JSON values.
    assert rendered.data == {"match_id": "match-42", "shared_topics": ["grief", "new-parenthood"]}
    assert rendered.html is None


def test_unknown_event_or_audience() -> None:
    with pytest.raises(TemplateError):
        render("member.profile-submitted", Audience.MEMBER, Channel.EMAIL, "en", CONTEXT)
    with pytest.raises(TemplateError):
        render("match.proposed", Audience.STAFF, Channel.EMAIL, "en", CONTEXT)


def test_a_missing_variable_is_an_error_not_a_blank() -> None:
    context = {k: v for k, v in CONTEXT.items() if k != "alert_short_id"}
    with pytest.raises(TemplateError) as caught:
        render("safety.alert-raised", Audience.STAFF, Channel.SMS, "en", context)
    assert "safety.alert-raised/staff/sms.en.j2" in str(caught.value)


def test_html_is_escaped_and_text_is_not() -> None:
    context = {**CONTEXT, "match_id": "<b>m&1</b>", "member_id": "<script>x</script>"}
    email = render("match.proposed", Audience.SUPPORTER, Channel.EMAIL, "en", context)
    assert email.html is not None
    assert "&lt;b&gt;m&amp;1&lt;/b&gt;" in email.html and "<b>m&1</b>" not in email.html
    assert "(reference <b>m&1</b>)" in email.text
    staff = render("safety.alert-raised", Audience.STAFF, Channel.EMAIL, "en", context)
    assert staff.html is not None
    assert "&lt;script&gt;" in staff.html and "<script>" not in staff.html
    # The layout's own markup is not escaped.
    assert "<h1>Safety alert (urgent)</h1>" in staff.html


def test_staff_email_and_webhook_carry_the_details() -> None:
    for channel in (Channel.EMAIL, Channel.WEBHOOK):
        rendered = render("safety.alert-raised", Audience.STAFF, channel, "en", CONTEXT)
        assert "phq9_item9, free_text_plan" in rendered.text
        assert "Severity: urgent" in rendered.text and "Member: alex" in rendered.text
    webhook = render(SAFETY_ESCALATED, Audience.STAFF, Channel.WEBHOOK, "en", CONTEXT)
    assert webhook.data["rules"] == ["phq9_item9", "free_text_plan"]
    assert webhook.data["level"] == 2


@pytest.mark.parametrize("event_type", ["safety.alert-raised", SAFETY_ESCALATED])
def test_staff_previews_say_only_that_there_is_an_alert(event_type: str) -> None:
    sms = render(event_type, Audience.STAFF, Channel.SMS, "en", CONTEXT)
    push = render(event_type, Audience.STAFF, Channel.PUSH, "en", CONTEXT)
    for text in (sms.text, push.text):
        # How to act on it from the phone: the one-time link and the short code; no console
        # that does not exist, and nothing of what fired.
        assert "safety alert for a member" in text.lower() and "staff console" not in text
        assert CONTEXT["ack_url"] in text and "3RQE28F8" in text
        assert "phq9" not in text and "alex" not in text
    assert sms.data == {
        "alert_short_id": "0f1e2d3c",
        "ack_url": CONTEXT["ack_url"],
        "ack_code": "3RQE28F8",
    }


# Canaries: a unique marker in every value that must never show in a preview.
SENSITIVE_EXTRAS = {
    "answers": {"phq9": [3, 3, 3, 3, 3, 3, 3, 3, 3]},
    "free_text": "I have a plan for tonight",
    "note": "nobody would notice",
    "whats_going_on": "lost my job and drinking again",
    "scores": {"phq9": 27, "who5": 4},
    "diagnosis": "major depressive disorder",
    "triggers": [{"rule": "free_text_plan", "detail": "plan language"}],
    "mood": 1,
    "text": "raw check-in text",
    "body": "raw body",
    "subject": "raw subject",
}


def _canary(name: str) -> str:
    return f"CANARY-{name.upper().replace('_', '-')}-7f3a"


def _canary_context(spec: TemplateSpec) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for name, value in CONTEXT.items():
        if name in spec.preview_fields:
            context[name] = value
        elif isinstance(value, list):
            context[name] = [_canary(f"{name}-{i}") for i in range(len(value))]
        else:
            context[name] = _canary(name)
    for name in SENSITIVE_EXTRAS:
        context[name] = _canary(name)
    return context


@pytest.mark.parametrize("case", CASES, ids=[_id(c) for c in CASES])
def test_no_sensitive_text_in_sms_push_or_inbox(
    case: tuple[TemplateSpec, Channel, str],
) -> None:
    spec, channel, locale = case
    rendered = render(spec.event_type, spec.audience, channel, locale, _canary_context(spec))
    everything = " ".join(
        [rendered.subject, rendered.text, rendered.html or "", repr(rendered.data)]
    )
    if channel in PREVIEW_CHANNELS:
        assert "CANARY" not in everything, (channel, everything)
    else:
        # Email and webhooks may show the details (to staff: rules, severity), never what
        # the member wrote or answered: nothing outside the allow-list reaches a template.
        for name in SENSITIVE_EXTRAS:
            assert _canary(name) not in everything


def test_the_canaries_reach_the_channels_that_may_show_details() -> None:
    """The canary test above would catch a leak: a detail does reach staff email."""
    spec = SPECS[("safety.alert-raised", Audience.STAFF)]
    email = render(spec.event_type, spec.audience, Channel.EMAIL, "en", _canary_context(spec))
    assert _canary("rules-0") in email.text and _canary("severity") in email.text


def test_a_spec_cannot_declare_a_sensitive_preview_field() -> None:
    for name in ("rules", "severity", "note", "answers", "scores", "shared_topics"):
        assert name in NEVER_IN_PREVIEWS
        with pytest.raises(ValueError, match="never in previews"):
            TemplateSpec("x.y", Audience.MEMBER, preview_fields=frozenset({name}))


def test_every_sms_fits_after_the_payload_cut() -> None:
    for spec, channel, locale in CASES:
        if channel is Channel.SMS:
            rendered = render(spec.event_type, spec.audience, channel, locale, CONTEXT)
            body = sms_payload(OutgoingMessage.of(rendered, "d-1", "+15550100"))["body"]
            assert len(body) <= SMS_MAX_CHARS
            assert body == " ".join(rendered.text.split())  # none is cut today


# Contexts built from the events themselves.

NOW = datetime(2026, 3, 2, 8, 41, tzinfo=UTC)


def test_contexts_from_events_render() -> None:
    match = MatchProposed.new(
        data=MatchProposedData(
            match_id="match-1",
            request_id="req-1",
            seeker_id="sam",
            supporter_id="pat",
            shared_topics=[Topic.GRIEF, Topic.JOB_LOSS],
            language="en",
        ),
        subject="match-1",
        source="test",
    )
    email = render(
        "match.proposed",
        Audience.SUPPORTER,
        Channel.EMAIL,
        "en",
        match_proposed_context(match),
    )
    assert "(grief, job loss)" in email.text
    reminder = CheckinReminderDue.new(
        data=CheckinReminderDueData(
            member_id="sam",
            occurrence_id="sam:2026-03-02",
            local_date=date(2026, 3, 2),
            local_time="09:30",
            time_zone="Europe/Paris",
            due_at=NOW,
            window_ends_at=datetime(2026, 3, 2, 10, 30, tzinfo=UTC),
        ),
        subject="sam",
        source="test",
    )
    context = reminder_due_context(reminder)
    assert context["window_ends_local"] == "11:30"  # Paris, UTC+1 in March
    text = render("checkin.reminder-due", Audience.MEMBER, Channel.EMAIL, "fr", context).text
    assert "jusqu'à 11:30" in text
    missed = CheckinMissed.new(
        data=CheckinMissedData(
            member_id="sam",
            occurrence_id="sam:2026-03-02",
            local_date=date(2026, 3, 2),
            due_at=NOW,
            window_ends_at=NOW,
            window_seconds=7200,
            reminded=True,
        ),
        subject="sam",
        source="test",
    )
    assert (
        "2026-03-02"
        in render(
            "checkin.missed", Audience.MEMBER, Channel.EMAIL, "en", missed_context(missed)
        ).text
    )
    alert = SafetyAlertRaised.new(
        data=SafetyAlertRaisedData(
            alert_id="0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
            member_id="sam",
            checkin_id="c-1",
            severity=Severity.URGENT,
            triggers=[TriggerFired(rule=Rule.PHQ9_ITEM9, severity=Severity.URGENT)],
            accepted_at=NOW,
            raised_at=NOW,
            episode_id="e-1",
        ),
        subject="sam",
        source="test",
    )
    context = alert_raised_context(alert)
    assert context["alert_short_id"] == "0f1e2d3c"
    # A page adds its link and code (`escalations.dispatches`).
    context |= {"ack_url": "https://k.example/v1/pages/t0k", "ack_code": "3RQE28F8"}
    sms = render("safety.alert-raised", Audience.STAFF, Channel.SMS, "en", context)
    assert "(alert 0f1e2d3c). Code 3RQE28F8." in sms.text
    assert sms.text.endswith("Acknowledge: https://k.example/v1/pages/t0k")
    escalated = render(
        SAFETY_ESCALATED,
        Audience.STAFF,
        Channel.EMAIL,
        "en",
        escalated_context(alert, level=1) | context,
    )
    assert "escalation level 1" in escalated.text and "phq9_item9" in escalated.text
    assert "Acknowledge it: https://k.example/v1/pages/t0k" in escalated.text
    assert "code 3RQE28F8" in escalated.text and "staff console" not in escalated.text
    message = OutgoingMessage.of(escalated, "delivery-1", "oncall@example.org", alert.id)
    assert message.category == SAFETY_ESCALATED and message.urgency == "urgent"
    assert message.html == escalated.html and message.event_id == alert.id
