"""What a member notification becomes, in the member's own partition: an entry in their inbox
(always), and a delivery on their first usable channel beyond it, paced by their quiet hours,
rate limit and dedupe (`pacing`); or a place in their next digest. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kindred.events.notifications import Category, Channel, NotificationRequestedData
from kindred.notifications.domain.deliveries import Delivery, Dispatch, delivery_id
from kindred.notifications.domain.inbox import InboxEntry, inbox_entry
from kindred.notifications.domain.pacing import (
    AddToDigest,
    Duplicate,
    History,
    Hold,
    Message,
    decide,
    flush_digest,
    record,
)
from kindred.notifications.domain.preferences import Preferences
from kindred.notifications.domain.templates import DIGEST, Audience


@dataclass(frozen=True)
class Notified:
    entry: InboxEntry
    history: History | None = None  # the member's pacing history, when it changed
    dispatch: Dispatch | None = None  # a delivery beyond the inbox, to make when it is due


def notify(
    request: NotificationRequestedData, prefs: Preferences, history: History, now: datetime
) -> Notified:
    """The inbox entry, and the delivery on the member's first channel they consented to and
    gave an address for (the others are its fallbacks), unless pacing holds it for a digest or
    it went already."""
    recipient = request.recipient
    entry = inbox_entry(
        request.event_type,
        Audience(request.audience),
        prefs.locale,
        request.context,
        recipient=recipient,
        entry_id=delivery_id(request.source_event_id, recipient, Channel.INBOX),
        source_event_id=request.source_event_id,
        now=now,
    )
    category = Category(request.category.value)
    usable = prefs.reachable(category)
    if not usable:
        return Notified(entry)
    channel, fallbacks = usable[0], usable[1:]
    message = Message(request.source_event_id, recipient, channel, category)
    decision = decide(message, prefs, history, now)
    if isinstance(decision, Duplicate):
        return Notified(entry)
    history = record(history, message, decision, now)
    if isinstance(decision, AddToDigest):
        return Notified(entry, history)  # sent with the member's digest, at its flush
    delivery = Delivery.new(
        request.source_event_id,
        recipient,
        channel,
        category,
        now,
        fallbacks=fallbacks,
        not_before=decision.until if isinstance(decision, Hold) else None,
    )
    dispatch = Dispatch(
        delivery,
        recipient,
        prefs.contacts[channel],
        request.event_type,
        dict(request.context),
        request.source_time,
        audience=request.audience,
        locale=prefs.locale,
    )
    return Notified(entry, history, dispatch)


def flush(history: History, prefs: Preferences, now: datetime) -> tuple[History, Dispatch | None]:
    """The member's history once their digest due at `now` is sent, and its delivery: one
    message for what quiet hours or a burst gathered, on their first usable digest channel
    (the inbox has every item already)."""
    batch, rest = flush_digest(history, now)
    usable = prefs.reachable(Category.DIGEST)
    if batch is None or not usable:
        return rest, None
    delivery = Delivery.new(
        batch.digest_id, history.member_id, usable[0], Category.DIGEST, now, fallbacks=usable[1:]
    )
    dispatch = Dispatch(
        delivery,
        history.member_id,
        prefs.contacts[usable[0]],
        DIGEST,
        {"count": len(batch.items)},
        batch.flush_at,
        audience=Audience.MEMBER.value,
        locale=prefs.locale,
    )
    return rest, dispatch
