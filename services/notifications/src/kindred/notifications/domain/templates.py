"""Message templates: per event type, audience, channel and locale, rendered with Jinja2.

Files live in this package under `templates/<event type>/<audience>/`:

    <channel>.<locale>.j2        blocks `subject` (title) and `body` (SMS: `body` only)
    email.<locale>.html.j2       the email's HTML part (autoescaped), optional
    text.<locale>.j2             the plain-text fallback for a channel with no template

Lookup for a locale such as `fr-CA`: `fr-ca`, then `fr`, then `en`; in each, the channel's
template before the plain-text one. So a French member gets French text before English, and
every channel has something to say as long as `text.en.j2` exists. Undefined variables are
errors (StrictUndefined), never blanks.

What a template may see is an allow-list per event type and audience (`SPECS`):
`preview_fields` for the channels that show on a lock screen or a phone's notification list
(SMS, push, the inbox), `detail_fields` on top of those for email and webhooks. Anything else
in the context (check-in answers, free text, scores, rule names) is dropped before rendering,
so a preview cannot leak it whatever a template says; a name that can never be shown in a
preview cannot even be declared as a preview field. `action_fields` are the ids an inbox entry
carries for the app or the staff console to act on (a match to accept, an alert to
acknowledge); they are never rendered into text.

Rendering is pure: the templates are files packaged with the service, read once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum, StrEnum
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import jinja2

from kindred.events.casework import ModerationAction
from kindred.events.matching import MatchProposed, SupportRequestWaiting
from kindred.events.notifications import DEFAULT_LOCALE, Channel, MessageUrgency
from kindred.events.safety import SafetyAlertRaised, SafetyReviewRequested
from kindred.events.schedules import CheckinMissed, CheckinReminderDue
from kindred.events.topics import (
    CHECKIN_MISSED,
    CHECKIN_REMINDER_DUE,
    MATCH_PROPOSED,
    SAFETY_ALERT_RAISED,
    SAFETY_REVIEW_REQUESTED,
    SUPPORT_REQUEST_WAITING,
)
from kindred.safety.resources import CrisisResources

# A safety alert's first page is rendered from the alert itself.
ALERT_RAISED = SAFETY_ALERT_RAISED
# The escalation of an unacknowledged safety alert to the next person on call. Made by the
# notifications service itself; named like the event types in `kindred.events.topics`.
SAFETY_ESCALATED = "safety.escalated"
# Non-urgent messages gathered during quiet hours or a burst, sent as one.
DIGEST = "notification.digest"
# A member's own notice of a safety alert raised about them: crisis resources for their country.
CRISIS_RESOURCES = "safety.crisis-resources"
# A check-in the rules could not clear, for staff to review (never a page).
REVIEW_REQUESTED = SAFETY_REVIEW_REQUESTED
# What a member is told of a moderator's action on them: one message kind per action (a hidden
# item or a dismissed report tells them nothing). Never the note or the report's text.
MODERATION_NOTICES: dict[ModerationAction, str] = {
    action: f"member.moderated.{action.value}"
    for action in (
        ModerationAction.WARN,
        ModerationAction.SUSPEND_MATCHING,
        ModerationAction.SUSPEND_SUPPORTING,
        ModerationAction.RESTORE,
    )
}
# A request that waited long: its seeker is told where it stands. Not for a request held out
# because of a safety episode: nobody looks for a peer supporter then (staff are with them), and
# a preview must not hint at it.
REQUEST_WAITING = SUPPORT_REQUEST_WAITING
UNTOLD_WAIT_REASONS = frozenset({"safety-episode"})
# The inbox kinds only a staff role reads (the gateway asks for them with `include_pages`).
STAFF_KINDS = frozenset({ALERT_RAISED, SAFETY_ESCALATED, REVIEW_REQUESTED})

TEXT_TEMPLATE = "text"


class Audience(StrEnum):
    SEEKER = "seeker"
    SUPPORTER = "supporter"
    MEMBER = "member"
    STAFF = "staff"


# Channels whose text shows outside the app, on a lock screen or in a notification list.
PREVIEW_CHANNELS = frozenset({Channel.SMS, Channel.PUSH, Channel.INBOX})

# Never in a preview, whatever a spec says: what a member answered or wrote, their scores,
# the rules their answers fired, and what they seek support for.
NEVER_IN_PREVIEWS = frozenset(
    {
        "answers",
        "free_text",
        "note",
        "whats_going_on",
        "scores",
        "score",
        "mood",
        "who5",
        "phq2",
        "phq9",
        "item9",
        "diagnosis",
        "rules",
        "triggers",
        "severity",
        "shared_topics",
        "topics",
        "member_id",
    }
)


class TemplateError(Exception):
    """No template for an event and audience, or one that could not render (a missing
    variable, a syntax error). The message names the template, never a context value."""


@dataclass(frozen=True)
class TemplateSpec:
    event_type: str
    audience: Audience
    preview_fields: frozenset[str] = frozenset()
    detail_fields: frozenset[str] = frozenset()
    action_fields: frozenset[str] = frozenset()
    urgency: MessageUrgency = MessageUrgency.NORMAL
    # Locales every channel of this spec must have (tests check them all).
    locales: tuple[str, ...] = (DEFAULT_LOCALE,)

    def __post_init__(self) -> None:
        leaked = self.preview_fields & NEVER_IN_PREVIEWS
        if leaked:
            raise ValueError(f"never in previews: {sorted(leaked)}")

    def allowed(self, channel: Channel) -> frozenset[str]:
        if channel in PREVIEW_CHANNELS:
            return self.preview_fields
        return self.preview_fields | self.detail_fields


_STAFF_DETAILS = frozenset({"alert_id", "member_id", "severity", "rules", "raised_at"})
# Every page says how to acknowledge it from wherever it is read: its signed one-time link and
# its short code (ids only, never what the member wrote).
_PAGE_ACK = frozenset({"alert_short_id", "ack_url", "ack_code"})
# What the staff console acts on: the alert, whom it is about, how far it went, where to
# acknowledge it (staff may see which member an alert is about; previews never show it).
_STAFF_ACTIONS = frozenset({"alert_id", "member_id", "level", "ack", "ack_url", "ack_code"})
_CRISIS_FIELDS = frozenset({"emergency", "emergency_numbers", "services", "alert_id"})
_MATCH_ACTIONS = frozenset({"match_id", "request_id"})

SPECS: dict[tuple[str, Audience], TemplateSpec] = {
    (spec.event_type, spec.audience): spec
    for spec in (
        TemplateSpec(
            MATCH_PROPOSED,
            Audience.SEEKER,
            detail_fields=frozenset({"match_id", "shared_topics"}),
            action_fields=_MATCH_ACTIONS,
            locales=("en", "fr"),
        ),
        TemplateSpec(
            MATCH_PROPOSED,
            Audience.SUPPORTER,
            detail_fields=frozenset({"match_id", "shared_topics"}),
            action_fields=_MATCH_ACTIONS,
            locales=("en", "fr"),
        ),
        TemplateSpec(
            CHECKIN_REMINDER_DUE,
            Audience.MEMBER,
            preview_fields=frozenset({"local_time"}),
            detail_fields=frozenset({"occurrence_id", "local_date", "window_ends_local"}),
            locales=("en", "fr"),
        ),
        TemplateSpec(
            CHECKIN_MISSED,
            Audience.MEMBER,
            detail_fields=frozenset({"occurrence_id", "local_date"}),
            urgency=MessageUrgency.LOW,
            locales=("en", "fr"),
        ),
        TemplateSpec(
            DIGEST,
            Audience.MEMBER,
            preview_fields=frozenset({"count"}),
            urgency=MessageUrgency.LOW,
            locales=("en", "fr"),
        ),
        TemplateSpec(
            SAFETY_ALERT_RAISED,
            Audience.STAFF,
            preview_fields=_PAGE_ACK,
            detail_fields=_STAFF_DETAILS,
            action_fields=_STAFF_ACTIONS,
            urgency=MessageUrgency.URGENT,
        ),
        TemplateSpec(
            SAFETY_ESCALATED,
            Audience.STAFF,
            preview_fields=_PAGE_ACK,
            detail_fields=_STAFF_DETAILS | {"level"},
            action_fields=_STAFF_ACTIONS,
            urgency=MessageUrgency.URGENT,
        ),
        TemplateSpec(
            REVIEW_REQUESTED,
            Audience.STAFF,
            preview_fields=frozenset({"priority", "review_short_id"}),
            detail_fields=frozenset({"review_id", "member_id", "checkin_id", "reasons"}),
            action_fields=frozenset({"review_id", "member_id", "checkin_id", "priority"}),
        ),
        TemplateSpec(
            REQUEST_WAITING,
            Audience.SEEKER,
            # Where the request stands and why, as figures and codes: never its topics or text.
            preview_fields=frozenset({"stage", "reason", "ahead", "waited_days"}),
            detail_fields=frozenset({"request_id"}),
            action_fields=frozenset({"request_id"}),
            locales=("en", "fr"),
        ),
        *(
            TemplateSpec(notice, Audience.MEMBER, locales=("en", "fr"))
            for notice in MODERATION_NOTICES.values()
        ),
        TemplateSpec(
            CRISIS_RESOURCES,
            Audience.MEMBER,
            # The member's own inbox and push: where to get help now, nothing of what fired.
            preview_fields=_CRISIS_FIELDS,
            action_fields=frozenset({"alert_id"}),
            urgency=MessageUrgency.URGENT,
            locales=("en", "fr"),
        ),
    )
}

TOPIC_LABELS: dict[str, dict[str, str]] = {
    "en": {
        "grief": "grief",
        "new-parenthood": "new parenthood",
        "addiction-recovery": "addiction recovery",
        "chronic-illness": "chronic illness",
        "loneliness": "loneliness",
        "anxiety": "anxiety",
        "depression": "depression",
        "caregiving": "caregiving",
        "divorce": "divorce",
        "job-loss": "job loss",
    },
    "fr": {
        "grief": "deuil",
        "new-parenthood": "devenir parent",
        "addiction-recovery": "rétablissement d'une addiction",
        "chronic-illness": "maladie chronique",
        "loneliness": "solitude",
        "anxiety": "anxiété",
        "depression": "dépression",
        "caregiving": "aidant",
        "divorce": "divorce",
        "job-loss": "perte d'emploi",
    },
}


def _topic_label(topic: str, locale: str) -> str:
    labels = TOPIC_LABELS.get(locale.split("-")[0], TOPIC_LABELS[DEFAULT_LOCALE])
    return labels.get(topic, topic.replace("-", " "))


def locale_chain(locale: str | None) -> list[str]:
    """`fr_CA` → `["fr-ca", "fr", "en"]`."""
    chain: list[str] = []
    if locale:
        full = locale.strip().lower().replace("_", "-")
        chain = [full, full.split("-")[0]]
    chain.append(DEFAULT_LOCALE)
    return list(dict.fromkeys(c for c in chain if c))


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    return value


@dataclass(frozen=True)
class Rendered:
    event_type: str
    audience: Audience
    channel: Channel
    # The locale of the template used (after fallback) and its name.
    locale: str
    template: str
    subject: str
    text: str
    html: str | None = None
    urgency: MessageUrgency = MessageUrgency.NORMAL
    # The allowed context for this channel, as JSON values: the webhook payload's and the
    # inbox entry's `data`.
    data: dict[str, Any] = field(default_factory=dict)
    # The spec's action fields found in the context, as JSON values (see `TemplateSpec`).
    actions: dict[str, Any] = field(default_factory=dict)


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("kindred.notifications", "templates"),
        autoescape=lambda name: name is not None and name.endswith(".html.j2"),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters["topic_label"] = _topic_label
    return env


def _clean_text(text: str) -> str:
    """Trailing spaces off each line, at most one blank line in a row, no blank ends."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


class Templates:
    def __init__(self, env: jinja2.Environment | None = None) -> None:
        self.env = env or _environment()

    def _find(self, prefix: str, names: Iterable[str]) -> jinja2.Template | None:
        for name in names:
            try:
                return self.env.get_template(f"{prefix}/{name}")
            except jinja2.TemplateNotFound:
                continue
        return None

    def resolve(
        self, event_type: str, audience: Audience, channel: Channel, locale: str | None
    ) -> tuple[jinja2.Template, str]:
        """The template a render would use, and its locale."""
        prefix = f"{event_type}/{audience.value}"
        for candidate in locale_chain(locale):
            for kind in (channel.value, TEXT_TEMPLATE):
                found = self._find(prefix, [f"{kind}.{candidate}.j2"])
                if found is not None:
                    return found, candidate
        raise TemplateError(f"no template for {prefix} ({channel.value})")

    def render(
        self,
        event_type: str,
        audience: Audience,
        channel: Channel,
        locale: str | None,
        context: Mapping[str, Any],
    ) -> Rendered:
        spec = SPECS.get((event_type, audience))
        if spec is None:
            raise TemplateError(f"no templates for {event_type}/{audience.value}")
        allowed = spec.allowed(channel)
        safe = {key: value for key, value in context.items() if key in allowed}
        template, used_locale = self.resolve(event_type, audience, channel, locale)
        variables = {**safe, "locale": used_locale}
        try:
            ctx = template.new_context(variables)
            subject = (
                " ".join("".join(template.blocks["subject"](ctx)).split())
                if "subject" in template.blocks
                else ""
            )
            if "body" not in template.blocks:
                raise TemplateError(f"{template.name} has no body block")
            text = _clean_text("".join(template.blocks["body"](ctx)))
            html = None
            if channel is Channel.EMAIL and template.name == (
                f"{event_type}/{audience.value}/email.{used_locale}.j2"
            ):
                html_template = self._find(
                    f"{event_type}/{audience.value}", [f"email.{used_locale}.html.j2"]
                )
                if html_template is not None:
                    html = html_template.render(variables)
        except jinja2.TemplateError as exc:
            # The exception's class and the template, not its message: that can quote values.
            raise TemplateError(
                f"{template.name} failed to render ({type(exc).__name__})"
            ) from None
        return Rendered(
            event_type=event_type,
            audience=audience,
            channel=channel,
            locale=used_locale,
            template=template.name or "",
            subject=subject,
            text=text,
            html=html,
            urgency=spec.urgency,
            data={key: _jsonable(value) for key, value in sorted(safe.items())},
            actions={
                key: _jsonable(value)
                for key, value in sorted(context.items())
                if key in spec.action_fields
            },
        )


PAGE_TEMPLATES = frozenset({ALERT_RAISED, SAFETY_ESCALATED})


def default_page(event_type: str, channel: Channel, context: Mapping[str, Any]) -> Rendered:
    """A page's plain text when its template cannot render: the alert, its severity and how to
    acknowledge it (link and code), from the context's ids alone; never fails."""

    def field(name: str) -> str:
        value = context.get(name)
        return str(value) if value not in (None, "") else "unknown"

    alert, severity = field("alert_id"), field("severity")
    text = (
        f"Safety alert {alert} (severity {severity}). Acknowledge: {field('ack_url')} "
        f"or code {field('ack_code')}."
    )
    actions = {key: _jsonable(context[key]) for key in sorted(_STAFF_ACTIONS) if key in context}
    return Rendered(
        event_type=event_type,
        audience=Audience.STAFF,
        channel=channel,
        locale=DEFAULT_LOCALE,
        template="default-page",
        subject=f"Safety alert ({severity})",
        text=text,
        urgency=MessageUrgency.URGENT,
        data={
            key: _jsonable(context[key])
            for key in ("alert_id", "severity", "ack_url", "ack_code")
            if key in context
        },
        actions=actions,
    )


def render_page_or_default(
    event_type: str,
    audience: Audience,
    channel: Channel,
    locale: str | None,
    context: Mapping[str, Any],
) -> tuple[Rendered, str | None]:
    """Render a message; a staff page whose template fails is sent as `default_page` instead
    (a page always goes out): the rendering and, when the default was used, why (the error's
    class, never a value). Anything else that fails raises `TemplateError`."""
    try:
        return render(event_type, audience, channel, locale, context), None
    except Exception as exc:
        if audience is not Audience.STAFF or event_type not in PAGE_TEMPLATES:
            if isinstance(exc, TemplateError):
                raise
            raise TemplateError(f"{event_type} failed to render ({type(exc).__name__})") from None
        return default_page(event_type, channel, context), type(exc).__name__


@cache
def _packaged() -> Templates:
    return Templates()


def render(
    event_type: str,
    audience: Audience,
    channel: Channel,
    locale: str | None,
    context: Mapping[str, Any],
) -> Rendered:
    """Render with the packaged templates (loaded once)."""
    return _packaged().render(event_type, audience, channel, locale, context)


# Contexts from events: what each template may use, built in one place.


def short_id(identifier: str) -> str:
    """The first 8 characters: enough for a human to find an alert in the console."""
    return identifier.replace("-", "")[:8]


def match_proposed_context(event: MatchProposed) -> dict[str, Any]:
    data = event.data
    return {
        "match_id": data.match_id,
        "request_id": data.request_id,
        "shared_topics": [t.value for t in data.shared_topics],
    }


def reminder_due_context(event: CheckinReminderDue) -> dict[str, Any]:
    data = event.data
    window_end = data.window_ends_at.astimezone(ZoneInfo(data.time_zone))
    return {
        "occurrence_id": data.occurrence_id,
        "local_time": data.local_time,
        "local_date": data.local_date.isoformat(),
        "window_ends_local": window_end.strftime("%H:%M"),
    }


def missed_context(event: CheckinMissed) -> dict[str, Any]:
    data = event.data
    return {"occurrence_id": data.occurrence_id, "local_date": data.local_date.isoformat()}


def alert_raised_context(event: SafetyAlertRaised) -> dict[str, Any]:
    data = event.data
    return {
        "alert_id": data.alert_id,
        "alert_short_id": short_id(data.alert_id),
        "member_id": data.member_id,
        "severity": data.severity.value,
        "rules": [t.rule.value for t in data.triggers],
        "raised_at": data.raised_at.isoformat(),
    }


def crisis_resources_context(resources: CrisisResources, alert_id: str) -> dict[str, Any]:
    """A member's own notice of an alert: whom they can reach now (nothing of what fired)."""
    return {
        "alert_id": alert_id,
        "emergency": resources.emergency,
        "emergency_numbers": list(resources.emergency_numbers),
        "services": [
            {
                "name": s.name,
                "phone": s.phone,
                "sms": s.sms,
                "url": s.url,
                "availability": s.availability,
            }
            for s in resources.services
        ],
    }


def default_crisis_text(context: Mapping[str, Any]) -> tuple[str, str]:
    """A member's crisis notice when its template cannot render: plain English, every
    number."""
    lines = [f"If you are in danger, call {context.get('emergency', 'your emergency number')} now."]
    for s in context.get("services", []):
        reach = ", ".join(str(s[k]) for k in ("phone", "sms", "url") if s.get(k))
        lines.append(f"{s.get('name', '')}: {reach} ({s.get('availability', '')})")
    return "Support is here for you", "\n".join(lines)


def request_waiting_context(event: SupportRequestWaiting) -> dict[str, Any] | None:
    """What the seeker is told of their long wait; None: nothing (see `UNTOLD_WAIT_REASONS`)."""
    data = event.data
    if data.reason in UNTOLD_WAIT_REASONS:
        return None
    return {
        "request_id": data.request_id,
        "stage": data.stage.value,
        "reason": data.reason,
        "ahead": data.ahead,
        "waited_days": int(data.waited_seconds // 86400),
    }


def moderation_notice(action: ModerationAction) -> str | None:
    """The message kind a member is sent for a moderator's action on them; None: nothing."""
    return MODERATION_NOTICES.get(action)


def default_review_text(context: Mapping[str, Any]) -> tuple[str, str]:
    """A review request's staff entry when its template cannot render."""
    priority = context.get("priority", "unknown")
    return (
        f"Check-in to review ({priority} priority)",
        f"A check-in needs a staff review: review {context.get('review_id', 'unknown')}, "
        f"member {context.get('member_id', 'unknown')}.",
    )


def review_requested_context(event: SafetyReviewRequested) -> dict[str, Any]:
    data = event.data
    return {
        "review_id": data.review_id,
        "review_short_id": short_id(data.review_id),
        "member_id": data.member_id,
        "checkin_id": data.checkin_id,
        "priority": data.priority.value,
        "reasons": sorted({c.reason.value for c in data.concerns}),
    }


def escalated_context(alert: SafetyAlertRaised, level: int) -> dict[str, Any]:
    """An escalation's context: the alert's and the escalation level (1 = the first person
    after the one who did not answer)."""
    return {**alert_raised_context(alert), "level": level}
