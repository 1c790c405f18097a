"""In-app inbox entries: every member notification is one, and so is a safety page to a staff
console. One builder for all of them: the text comes from the templates, in the reader's
locale, and the data is what a preview may show plus the ids the reader acts on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kindred.events.notifications import Channel, MessageUrgency
from kindred.notifications.domain.templates import (
    Audience,
    Rendered,
    render,
    render_page_or_default,
)


@dataclass(frozen=True)
class InboxEntry:
    """One entry of a member's (or a staff console's) inbox; never changed once written."""

    entry_id: str  # the inbox delivery's id: a replay makes the same entry
    member_id: str  # whose inbox: a member id, or a staff console's
    kind: str  # the event type it is about
    title: str
    body: str
    source_event_id: str
    created_at: datetime
    urgency: MessageUrgency = MessageUrgency.NORMAL
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class InboxRead:
    """A member marked an entry read (entries themselves are never updated)."""

    entry_id: str
    member_id: str
    read_at: datetime


def inbox_entry(
    event_type: str,
    audience: Audience,
    locale: str | None,
    context: Mapping[str, Any],
    *,
    recipient: str,
    entry_id: str,
    source_event_id: str,
    now: datetime,
) -> InboxEntry:
    """The entry `event_type` makes in `recipient`'s inbox, rendered in `locale`."""
    rendered = render(event_type, audience, Channel.INBOX, locale, context)
    return _entry(rendered, event_type, recipient, entry_id, source_event_id, now)


def entry_or_default(
    event_type: str,
    audience: Audience,
    locale: str | None,
    context: Mapping[str, Any],
    default: tuple[str, str],
    *,
    recipient: str,
    entry_id: str,
    source_event_id: str,
    now: datetime,
) -> tuple[InboxEntry, str | None]:
    """The entry, or, when its template cannot render, one with the `default` title and body
    (for what must reach its reader whatever a template says: safety); and why, if so."""
    try:
        entry = inbox_entry(
            event_type,
            audience,
            locale,
            context,
            recipient=recipient,
            entry_id=entry_id,
            source_event_id=source_event_id,
            now=now,
        )
        return entry, None
    except Exception as exc:
        title, body = default
        entry = InboxEntry(
            entry_id=entry_id,
            member_id=recipient,
            kind=event_type,
            title=title,
            body=body,
            source_event_id=source_event_id,
            created_at=now,
            urgency=MessageUrgency.URGENT,
            data={},
        )
        return entry, type(exc).__name__


def page_entry(
    event_type: str,
    locale: str | None,
    context: Mapping[str, Any],
    *,
    recipient: str,
    entry_id: str,
    source_event_id: str,
    now: datetime,
) -> tuple[InboxEntry, str | None]:
    """A staff page's entry in a staff console's inbox; never fails: a template that cannot
    render gives the default page text (and why, the second value)."""
    rendered, failed = render_page_or_default(
        event_type, Audience.STAFF, Channel.INBOX, locale, context
    )
    return _entry(rendered, event_type, recipient, entry_id, source_event_id, now), failed


def _entry(
    rendered: Rendered,
    event_type: str,
    recipient: str,
    entry_id: str,
    source_event_id: str,
    now: datetime,
) -> InboxEntry:
    return InboxEntry(
        entry_id=entry_id,
        member_id=recipient,
        kind=event_type,
        title=rendered.subject,
        body=rendered.text,
        source_event_id=source_event_id,
        created_at=now,
        urgency=rendered.urgency,
        data={**rendered.data, **rendered.actions},
    )
