"""The casework service's collections, each a store of the partition store
(`kindred.partitions.store`); nothing else names them. Written only by the owner of the member's
partition; read by the internal API (`CaseQueries`), on any replica.

- `alerts`: the alert read model, one document per alert (replaced at each page, acknowledgement,
  episode step or staff step).
- `items`: review items and the reports they carry, one document per item.
- `members`: each member's streak of missed check-ins, standing and episodes closed lately.
- `supporters`: the roster, one document per supporter.
- `queue`: the live queue's lines, one small document per case that may still be shown (deleted
  when the case leaves the queue for good), so reading the queue costs the open cases, not every
  case ever kept (FerretDB scans a collection for any query).
- `audit`: what staff saw and did (`staff.audit-recorded`), inserted once, never changed; ids,
  names and times only, no free text.

Codecs: a domain object's fields as they are (`TypeAdapter`), plus the top-level fields the
queries filter and sort on and the member ids erasure goes through.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from typing import Any, Generic, TypeVar

from pydantic import TypeAdapter
from pymongo import ASCENDING, DESCENDING
from pymongo.asynchronous.database import AsyncDatabase

from kindred.casework.domain.alerts import Alert
from kindred.casework.domain.items import Item, MemberState
from kindred.casework.domain.roster import Supporter
from kindred.casework.domain.views import Queued
from kindred.events.casework import StaffAuditRecordedData
from kindred.partitions.store import Kind, Store
from kindred.staff_views import AuditEntry, Queue, QueueEntry
from kindred.storage.mongo import Document

T = TypeVar("T")
_STORED = ("_id", "partition", "_v")


def _plain(value: Any) -> Any:
    """Enums as their values and tuples as lists: what BSON and a reader expect."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


class _Codec(Generic[T]):
    def __init__(self, cls: type[T]) -> None:
        self.adapter = TypeAdapter(cls)

    def fields(self, item: T) -> Document:
        plain: Document = _plain(self.adapter.dump_python(item, mode="python"))
        return plain

    def decode(self, doc: Document) -> T:
        return self.adapter.validate_python({k: v for k, v in doc.items() if k not in _STORED})


_ALERT = _Codec(Alert)
_ITEM = _Codec(Item)
_MEMBER = _Codec(MemberState)
_SUPPORTER = _Codec(Supporter)
_ALERT_EXTRA = ("rank",)
_ITEM_EXTRA = ("rank", "reporter_id", "open")
_SUPPORTER_EXTRA = ("seeker_ids",)


def alert_doc(alert: Alert) -> Document:
    return {"_id": alert.alert_id, **_ALERT.fields(alert), "rank": alert.rank}


def alert_from(doc: Document) -> Alert:
    return _ALERT.decode({k: v for k, v in doc.items() if k not in _ALERT_EXTRA})


def item_doc(item: Item) -> Document:
    report = item.report
    return {
        "_id": item.item_id,
        **_ITEM.fields(item),
        "rank": item.rank,
        "open": item.open,
        # The reporter is a member too: found by erasure at the top level.
        "reporter_id": None if report is None else report.reporter_id,
    }


def item_from(doc: Document) -> Item:
    return _ITEM.decode({k: v for k, v in doc.items() if k not in _ITEM_EXTRA})


def member_doc(member: MemberState) -> Document:
    return {"_id": member.member_id, **_MEMBER.fields(member)}


def member_from(doc: Document) -> MemberState:
    return _MEMBER.decode(doc)


def supporter_doc(supporter: Supporter) -> Document:
    return {
        "_id": supporter.member_id,
        **_SUPPORTER.fields(supporter),
        # The seekers of the supporter's matches: members erasure must find here too.
        "seeker_ids": supporter.seeker_ids,
    }


def supporter_from(doc: Document) -> Supporter:
    return _SUPPORTER.decode({k: v for k, v in doc.items() if k not in _SUPPORTER_EXTRA})


def audit_doc(record: StaffAuditRecordedData) -> Document:
    return {"_id": record.audit_id, **record.model_dump(mode="python", exclude={"audit_id"})}


def queue_doc(line: Queued) -> Document:
    entry = line.entry
    return {
        "_id": entry.id,
        **entry.model_dump(mode="python", exclude={"queue", "priority"}),
        "queue": str(entry.queue),
        "priority": str(entry.priority),
        "rank": line.rank,
        "acknowledged_at": line.acknowledged_at,
        "episode_open": line.episode_open,
    }


def queue_from(doc: Document) -> Queued:
    fields = {k: v for k, v in doc.items() if k not in _STORED}
    return Queued(
        entry=QueueEntry.model_validate(fields),
        rank=fields["rank"],
        acknowledged_at=fields.get("acknowledged_at"),
        episode_open=fields.get("episode_open", True),
    )


ALERTS = Store(
    "alerts",
    alert_doc,
    member_fields=("member_id",),
    decode=alert_from,
    indexes=((("member_id", ASCENDING), ("raised_at", DESCENDING)),),
)
ITEMS = Store(
    "items",
    item_doc,
    member_fields=("member_id", "reporter_id"),
    decode=item_from,
    indexes=(
        (("open", ASCENDING), ("rank", ASCENDING), ("created_at", ASCENDING)),
        (("member_id", ASCENDING), ("created_at", DESCENDING)),
    ),
)
MEMBERS = Store("members", member_doc, member_fields=("_id", "member_id"), decode=member_from)
SUPPORTERS = Store(
    "supporters",
    supporter_doc,
    member_fields=("_id", "member_id", "seeker_ids"),
    decode=supporter_from,
)
AUDIT = Store(
    "audit",
    audit_doc,
    member_fields=("member_id",),
    kind=Kind.HISTORY,
    indexes=(
        (("at", DESCENDING),),
        (("member_id", ASCENDING), ("at", DESCENDING)),
        (("staff_id", ASCENDING), ("at", DESCENDING)),
    ),
)
QUEUE = Store("queue", queue_doc, member_fields=("member_id",), decode=queue_from)
STORES = (ALERTS, ITEMS, MEMBERS, SUPPORTERS, QUEUE, AUDIT)


class CaseQueries:
    """What the internal API reads. Reads only: the owner of each member's partition writes (a
    read may trail its last batch by up to WRITE_BEHIND_SECONDS)."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.alerts = db[ALERTS.collection]
        self.items = db[ITEMS.collection]
        self.supporters = db[SUPPORTERS.collection]
        self.audit = db[AUDIT.collection]
        self.queue = db[QUEUE.collection]

    async def _alerts(self, query: Document, limit: int, sort: Any) -> list[Alert]:
        cursor = self.alerts.find({"known": True, **query}).sort(sort).limit(limit)
        return [alert_from(doc) async for doc in cursor]

    async def _items(self, query: Document, limit: int, sort: Any) -> list[Item]:
        cursor = self.items.find(query).sort(sort).limit(limit)
        return [item_from(doc) async for doc in cursor]

    async def queue_lines(self, queues: Sequence[Queue]) -> list[Queued]:
        """The queue's lines of `queues` (the caller orders them and applies the time rules)."""
        cursor = self.queue.find({"queue": {"$in": [str(q) for q in queues]}})
        return [queue_from(doc) async for doc in cursor]

    async def alerts_list(self, state: str, limit: int) -> list[Alert]:
        """`open`: not yet acknowledged or its episode open; `recent`: every alert, newest first."""
        query: Document = {}
        if state == "open":
            query = {"$or": [{"acknowledged_at": None}, {"episode_open": True}]}
        return await self._alerts(query, limit, [("raised_at", -1)])

    async def alert(self, alert_id: str) -> Alert | None:
        doc = await self.alerts.find_one({"_id": alert_id, "known": True})
        return None if doc is None else alert_from(doc)

    async def items_list(self, queue: Queue | None, status: str, limit: int) -> list[Item]:
        query: Document = {"open": status == "open"}
        if queue is not None:
            query["queue"] = str(queue)
        if status == "open":
            return await self._items(query, limit, [("rank", 1), ("created_at", 1)])
        return await self._items(query, limit, [("resolved_at", -1)])

    async def item(self, item_id: str) -> Item | None:
        doc = await self.items.find_one({"_id": item_id})
        return None if doc is None else item_from(doc)

    async def member_cases(self, member_id: str, limit: int) -> tuple[list[Alert], list[Item]]:
        alerts = await self._alerts({"member_id": member_id}, limit, [("raised_at", -1)])
        items = await self._items({"member_id": member_id}, limit, [("created_at", -1)])
        return alerts, items

    async def supporters_list(self, limit: int) -> list[Supporter]:
        cursor = self.supporters.find({}).sort([("_id", 1)]).limit(limit)
        return [supporter_from(doc) async for doc in cursor]

    async def supporter(self, member_id: str) -> Supporter | None:
        doc = await self.supporters.find_one({"_id": member_id})
        return None if doc is None else supporter_from(doc)

    async def audit_trail(
        self, member_id: str | None, staff_id: str | None, action: str | None, limit: int
    ) -> list[AuditEntry]:
        query = {
            k: v
            for k, v in (("member_id", member_id), ("staff_id", staff_id), ("action", action))
            if v is not None
        }
        cursor = self.audit.find(query).sort([("at", -1), ("_id", -1)]).limit(limit)
        return [AuditEntry.model_validate({**d, "audit_id": d["_id"]}) async for d in cursor]
