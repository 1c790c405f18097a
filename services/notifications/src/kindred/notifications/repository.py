"""The notifications service's collections, each a store of the partition store
(`kindred.partitions.store`), their codecs, and the one query the internal API makes; nothing
else names them. Every document is written only by the owner of its member's partition (an
alert's partition is its member's).

- `escalations`: each safety alert's escalation along the on-call chain, the chain included
  (timers: the next deadline).
- `pages`: a safety page's deliveries, one per channel of the person paged (timers: the next
  attempt); kept in memory until sent or cancelled.
- `deliveries`: a member notification's deliveries beyond the inbox (timers: the next
  attempt); kept in memory until finished.
- `preferences`: each member's notification preferences and contacts.
- `histories`: what pacing remembers of each member: recent sends, dedupe keys, the digest
  waiting (timers: the digest's flush).
- `inbox`: every inbox entry, members' and staff consoles'; inserted once, never changed.
- `inbox_reads`: entries marked read, one insert each, keyed by the reader and the entry (a
  member's mark never marks another member's entry).
- `alerts`: what is kept of an alert once its escalation is forgotten (an hour after its
  acknowledgement, by default); inserted once.
- `early_acks`: acknowledgements that came before their alert, until it comes (or they
  expire; timers: the expiry).

The internal API reads `escalations` and `alerts` by `_id` (`AlertQueries.alert`), `pages` by
its indexed `ack_code` (`AlertQueries.page_by_code`) and `inbox` by its (member, created_at)
index (`InboxQueries`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from kindred.events.envelope import deterministic_id
from kindred.events.notifications import Category, Channel, QuietHours
from kindred.notifications.domain.deliveries import Delivery, DeliveryState, Dispatch
from kindred.notifications.domain.escalations import (
    DEFAULT_KEEP_DONE,
    AlertSummary,
    Chain,
    Contact,
    EarlyAck,
    Escalation,
    EscalationStatus,
    OnCall,
)
from kindred.notifications.domain.inbox import InboxEntry, InboxRead
from kindred.notifications.domain.instants import utc_ms
from kindred.notifications.domain.pacing import DigestItem, History, Seen, SeenState
from kindred.notifications.domain.preferences import Preferences
from kindred.notifications.domain.templates import STAFF_KINDS
from kindred.partitions.store import Kind, Store
from kindred.safety.rules import Severity
from kindred.storage.mongo import Document


def _ms(value: Any) -> Any:
    return None if value is None else utc_ms(value)


# ---------------------------------------------------------------- escalations


def _on_call_doc(person: OnCall) -> Document:
    return {
        "id": person.id,
        "contacts": [{"channel": c.channel.value, "address": c.address} for c in person.contacts],
        "ack_seconds": person.ack_seconds,
    }


def _on_call(doc: Mapping[str, Any]) -> OnCall:
    return OnCall(
        id=doc["id"],
        contacts=tuple(Contact(Channel(c["channel"]), c["address"]) for c in doc["contacts"]),
        ack_seconds=doc.get("ack_seconds"),
    )


def chain_doc(chain: Chain) -> Document:
    return {
        "levels": [_on_call_doc(level) for level in chain.levels],
        "fallback": _on_call_doc(chain.fallback),
        "ack_seconds": chain.ack_seconds,
        "urgent_ack_seconds": chain.urgent_ack_seconds,
        "repage_seconds": chain.repage_seconds,
    }


def chain_from(doc: Mapping[str, Any]) -> Chain:
    return Chain(
        levels=tuple(_on_call(level) for level in doc["levels"]),
        fallback=_on_call(doc["fallback"]),
        ack_seconds=doc["ack_seconds"],
        urgent_ack_seconds=doc["urgent_ack_seconds"],
        repage_seconds=doc["repage_seconds"],
    )


def escalation_doc(e: Escalation) -> Document:
    return {
        "_id": e.alert_id,
        "member_id": e.member_id,
        "severity": e.severity.value,
        "raised_at": e.raised_at,
        "started_at": e.started_at,
        "chain": chain_doc(e.chain),
        "level": e.level,
        "repeat": e.repeat,
        "due_at": e.due_at,
        "deadline": e.deadline,
        "status": e.status.value,
        "pages_sent": e.pages_sent,
        "acknowledged_by": e.acknowledged_by,
        "acknowledged_at": e.acknowledged_at,
        "context": dict(e.context),
        "accepted_at": e.accepted_at,
        "links_used": list(e.links_used),
        "forget_at": e.forget_at,
        "failed": e.failed,
    }


def escalation_from(doc: Document) -> Escalation:
    return Escalation(
        alert_id=doc["_id"],
        member_id=doc["member_id"],
        severity=Severity(doc["severity"]),
        raised_at=utc_ms(doc["raised_at"]),
        started_at=utc_ms(doc["started_at"]),
        chain=chain_from(doc["chain"]),
        level=doc["level"],
        repeat=doc["repeat"],
        due_at=utc_ms(doc["due_at"]),
        deadline=utc_ms(doc["deadline"]),
        status=EscalationStatus(doc["status"]),
        pages_sent=doc.get("pages_sent", 1),
        acknowledged_by=doc.get("acknowledged_by"),
        acknowledged_at=_ms(doc.get("acknowledged_at")),
        context=dict(doc.get("context", {})),
        accepted_at=_ms(doc.get("accepted_at")),
        links_used=tuple(doc.get("links_used", ())),
        forget_at=_forget_at(doc),
        failed=doc.get("failed", False),
    )


def _forget_at(doc: Document) -> Any:
    """When an acknowledged escalation may be forgotten; one stored before that was kept
    gets the default from its acknowledgement."""
    if doc.get("forget_at") is not None:
        return utc_ms(doc["forget_at"])
    if doc.get("status") == EscalationStatus.ACKNOWLEDGED.value and doc.get("acknowledged_at"):
        return utc_ms(doc["acknowledged_at"]) + DEFAULT_KEEP_DONE
    return None


def alert_doc(a: AlertSummary) -> Document:
    return {
        "_id": a.alert_id,
        "member_id": a.member_id,
        "severity": a.severity.value,
        "raised_at": a.raised_at,
        "acknowledged_at": a.acknowledged_at,
        "acknowledged_by": a.acknowledged_by,
        "level": a.level,
    }


def early_ack_doc(a: EarlyAck) -> Document:
    return {
        "_id": a.alert_id,
        "member_id": a.member_id,
        "staff_id": a.staff_id,
        "at": a.at,
        "expires_at": a.expires_at,
        "via": a.via,
        "token_id": a.token_id,
    }


def early_ack_from(doc: Document) -> EarlyAck:
    return EarlyAck(
        alert_id=doc["_id"],
        member_id=doc["member_id"],
        staff_id=doc["staff_id"],
        at=utc_ms(doc["at"]),
        expires_at=utc_ms(doc["expires_at"]),
        via=doc.get("via", "api"),
        token_id=doc.get("token_id"),
    )


# ---------------------------------------------------------------- deliveries


def delivery_doc(d: Delivery) -> Document:
    return {
        "_id": d.delivery_id,
        "source_event_id": d.source_event_id,
        "recipient": d.recipient,
        "channel": d.channel.value,
        "category": d.category.value,
        "created_at": d.created_at,
        "updated_at": d.updated_at,
        "urgent": d.urgent,
        "status": d.status.value,
        "attempts": d.attempts,
        "next_attempt_at": d.next_attempt_at,
        "last_error": d.last_error,
        "fallbacks": [c.value for c in d.fallbacks],
        "fallback_from": None if d.fallback_from is None else d.fallback_from.value,
    }


def delivery_from(doc: Mapping[str, Any]) -> Delivery:
    fallback_from = doc.get("fallback_from")
    return Delivery(
        delivery_id=doc["_id"],
        source_event_id=doc["source_event_id"],
        recipient=doc["recipient"],
        channel=Channel(doc["channel"]),
        category=Category(doc["category"]),
        created_at=utc_ms(doc["created_at"]),
        updated_at=utc_ms(doc["updated_at"]),
        urgent=doc.get("urgent", False),
        status=DeliveryState(doc["status"]),
        attempts=doc.get("attempts", 0),
        next_attempt_at=_ms(doc.get("next_attempt_at")),
        last_error=doc.get("last_error"),
        fallbacks=tuple(Channel(c) for c in doc.get("fallbacks", [])),
        fallback_from=None if fallback_from is None else Channel(fallback_from),
    )


def dispatch_doc(d: Dispatch) -> Document:
    return {
        **delivery_doc(d.delivery),
        "member_id": d.member_id,
        "address": d.address,
        "template": d.template,
        "context": dict(d.context),
        "accepted_at": d.accepted_at,
        "audience": d.audience,
        "locale": d.locale,
        # A page's short code, indexed: the gateway finds the page a typed code belongs to.
        **({"ack_code": d.context["ack_code"]} if "ack_code" in d.context else {}),
    }


def dispatch_from(doc: Document) -> Dispatch:
    return Dispatch(
        delivery=delivery_from(doc),
        member_id=doc["member_id"],
        address=doc["address"],
        template=doc["template"],
        context=dict(doc["context"]),
        accepted_at=doc["accepted_at"],
        audience=doc.get("audience", "staff"),
        locale=doc.get("locale", "en"),
    )


# ---------------------------------------------------------------- members


def preferences_doc(p: Preferences) -> Document:
    return {
        "_id": p.member_id,
        "channels": {c.value: [ch.value for ch in chosen] for c, chosen in p.channels.items()},
        "consents": sorted(c.value for c in p.consents),
        "contacts": {c.value: address for c, address in p.contacts.items()},
        "locale": p.locale,
        "time_zone": p.time_zone,
        "quiet_hours": None if p.quiet_hours is None else p.quiet_hours.model_dump(),
        "rate_limit_per_hour": p.rate_limit_per_hour,
        "digest_bursts": p.digest_bursts,
        "explicit": p.explicit,
        "set_by_event_id": p.set_by_event_id,
        "set_at": p.set_at,
    }


def preferences_from(doc: Document) -> Preferences:
    quiet = doc.get("quiet_hours")
    defaults = Preferences(doc["_id"])
    return Preferences(
        member_id=doc["_id"],
        channels={
            Category(c): tuple(Channel(ch) for ch in chosen)
            for c, chosen in doc.get("channels", {}).items()
        },
        consents=frozenset(Channel(c) for c in doc.get("consents", [])),
        contacts={Channel(c): address for c, address in doc.get("contacts", {}).items()},
        locale=doc.get("locale", defaults.locale),
        time_zone=doc.get("time_zone", defaults.time_zone),
        quiet_hours=None if quiet is None else QuietHours.model_validate(quiet),
        rate_limit_per_hour=doc.get("rate_limit_per_hour", defaults.rate_limit_per_hour),
        digest_bursts=doc.get("digest_bursts", True),
        explicit=doc.get("explicit", False),
        set_by_event_id=doc.get("set_by_event_id"),
        set_at=_ms(doc.get("set_at")),
    )


def history_doc(h: History) -> Document:
    return {
        "_id": h.member_id,
        "sent": list(h.sent),
        "seen": [
            {"key": key, "at": s.at, "state": s.state.value, "until": s.until}
            for key, s in h.seen.items()
        ],
        "digest": [
            {
                "source_event_id": i.source_event_id,
                "category": i.category.value,
                "event_type": i.event_type,
                "added_at": i.added_at,
            }
            for i in h.digest
        ],
        "digest_flush_at": h.digest_flush_at,
    }


def history_from(doc: Document) -> History:
    return History(
        member_id=doc["_id"],
        sent=tuple(utc_ms(t) for t in doc.get("sent", [])),
        seen={
            s["key"]: Seen(utc_ms(s["at"]), SeenState(s["state"]), _ms(s.get("until")))
            for s in doc.get("seen", [])
        },
        digest=tuple(
            DigestItem(
                i["source_event_id"],
                Category(i["category"]),
                i["event_type"],
                utc_ms(i["added_at"]),
            )
            for i in doc.get("digest", [])
        ),
        digest_flush_at=_ms(doc.get("digest_flush_at")),
    )


# ---------------------------------------------------------------- the inbox


def inbox_doc(entry: InboxEntry) -> Document:
    return {
        "_id": entry.entry_id,
        "member_id": entry.member_id,
        "kind": entry.kind,
        "title": entry.title,
        "body": entry.body,
        "data": dict(entry.data),
        "source_event_id": entry.source_event_id,
        "urgency": entry.urgency.value,
        "created_at": entry.created_at,
        "read": False,
    }


def read_id(member_id: str, entry_id: str) -> str:
    """A read mark's id: the reader and the entry (one member's mark is theirs alone)."""
    return deterministic_id("inbox-read", member_id, entry_id)


def read_doc(read: InboxRead) -> Document:
    return {
        "_id": read_id(read.member_id, read.entry_id),
        "entry_id": read.entry_id,
        "member_id": read.member_id,
        "read_at": read.read_at,
    }


def _waiting(d: Dispatch) -> bool:
    """An attempt is still to come (a delivery sent, cancelled, given up or fallen back to
    another channel is done with)."""
    return d.due_at is not None


ESCALATIONS = Store(
    "escalations",
    escalation_doc,
    member_fields=("member_id",),
    decode=escalation_from,
    due=lambda e: e.next_due,
)
PAGES = Store(
    "pages",
    dispatch_doc,
    member_fields=("member_id",),
    decode=dispatch_from,
    keep=_waiting,
    due=lambda d: d.due_at,
    indexes=((("ack_code", 1),),),
)
DELIVERIES = Store(
    "deliveries",
    dispatch_doc,
    member_fields=("member_id", "recipient"),
    decode=dispatch_from,
    keep=_waiting,
    due=lambda d: d.due_at,
)
PREFERENCES = Store("preferences", preferences_doc, member_fields=("_id",), decode=preferences_from)
HISTORIES = Store(
    "histories",
    history_doc,
    member_fields=("_id",),
    decode=history_from,
    # Kept in memory while it remembers something; due when its digest is or when the oldest
    # thing it remembers expires (never walked whole by a tick).
    keep=lambda h: not h.empty,
    due=lambda h: h.next_due,
)
INBOX = Store(
    "inbox",
    inbox_doc,
    # A staff console's entry names the member an alert is about.
    member_fields=("member_id", "data.member_id"),
    kind=Kind.HISTORY,
    indexes=((("member_id", 1), ("created_at", -1)),),
)
INBOX_READS = Store("inbox_reads", read_doc, member_fields=("member_id",), kind=Kind.HISTORY)
ALERTS = Store("alerts", alert_doc, member_fields=("member_id",), kind=Kind.HISTORY)
EARLY_ACKS = Store(
    "early_acks",
    early_ack_doc,
    member_fields=("member_id",),
    decode=early_ack_from,
    due=lambda a: a.expires_at,
)
STORES = (
    ESCALATIONS,
    PAGES,
    DELIVERIES,
    PREFERENCES,
    HISTORIES,
    INBOX,
    INBOX_READS,
    ALERTS,
    EARLY_ACKS,
)


class InboxQueries:
    """The internal API's reads of the inbox. Reads only; the partition's owner writes."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.inbox = db[INBOX.collection]
        self.reads = db[INBOX_READS.collection]

    async def inbox_of(
        self, member_id: str, limit: int, include_pages: bool = False
    ) -> list[dict[str, Any]]:
        """The newest entries, each `read` once the member marked it (`inbox_reads`: one
        insert per member and entry, by the member's partition; entries themselves are never
        updated). Staff pages and reviews only with `include_pages` (a staff role's read)."""
        query: dict[str, Any] = {"member_id": member_id}
        if not include_pages:
            query["kind"] = {"$nin": sorted(STAFF_KINDS)}
        cursor = self.inbox.find(query, sort=[("created_at", -1)], limit=limit)
        entries = [doc async for doc in cursor]
        ids = [doc["_id"] for doc in entries]
        read: set[str] = set()
        if ids:
            marks = {read_id(member_id, entry): entry for entry in ids}
            # Marks written before they were keyed by the reader count only when the reader
            # was this member.
            legacy = {"_id": {"$in": ids}, "member_id": member_id}
            async for mark in self.reads.find({"$or": [{"_id": {"$in": list(marks)}}, legacy]}):
                read.add(str(marks.get(mark["_id"], mark["_id"])))
        return [{**doc, "read": doc.get("read", False) or doc["_id"] in read} for doc in entries]


class AlertQueries:
    """The internal API's reads of alerts and pages, by `_id` or an indexed field only."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.escalations = db[ESCALATIONS.collection]
        self.alerts = db[ALERTS.collection]
        self.pages = db[PAGES.collection]

    async def alert(self, alert_id: str) -> dict[str, Any] | None:
        """An alert as it stands (its escalation, or what is kept of it once forgotten)."""
        doc = await self.escalations.find_one({"_id": alert_id})
        if doc is None:
            doc = await self.alerts.find_one({"_id": alert_id})
        if doc is None:
            return None
        return {
            "alert_id": doc["_id"],
            "member_id": doc["member_id"],
            "severity": doc["severity"],
            "raised_at": doc["raised_at"],
            "acknowledged_at": doc.get("acknowledged_at"),
            "acknowledged_by": doc.get("acknowledged_by"),
            "level": doc.get("level", 0),
        }

    async def page_by_code(self, code: str) -> dict[str, Any] | None:
        """The page a short code belongs to (any of its deliveries says it)."""
        doc = await self.pages.find_one({"ack_code": code})
        if doc is None:
            return None
        return {
            "alert_id": doc["context"]["alert_id"],
            "member_id": doc["member_id"],
            "staff_id": doc["recipient"],
            "page_id": doc["source_event_id"],
        }
