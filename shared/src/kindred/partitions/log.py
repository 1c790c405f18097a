"""The partition log: each batch a partition's owner commits is one document, and a fence.

An entry holds everything a batch changed: the writes to the service's collections, the records
to publish (events, dead letters) and the input offsets it consumed. Inserting it is the commit
point: a single-document write, so a crash never splits a state change from its events. The
writes and records are applied after it; whoever owns the partition next replays whatever a
crash left unfinished, and every write and event is idempotent.

Entries are numbered per partition and the `_id` is `<partition>:<seq>`, so a sequence number
can be taken once. A new owner fences the former one by taking the next number (`take_over`);
a former owner that was paused, and wakes believing it still owns the partition, then fails on
its next insert (duplicate key) and stops. Inserting a known `_id` is atomic on MongoDB and on
FerretDB alike (the storage contract tests it); nothing here needs a conditional update.

The log stays small: once a batch's writes are applied and its records published, the entries
before it are deleted. The latest entry is always kept (it carries the sequence number and the
offsets), and so is every fence: a paused owner's next sequence number is always that of the
fence written by its successor.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass, field
from datetime import datetime

import bson
from bson.codec_options import CodecOptions
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from kindred.observability.metrics import log_entries
from kindred.storage.mongo import Document, Index
from kindred.storage.writes import Write, write_from_doc, write_to_doc

COLLECTION = "partition_log"
_TZ_AWARE: CodecOptions[Document] = CodecOptions(tz_aware=True)
INDEXES = [Index(COLLECTION, [("partition", 1), ("seq", 1)])]


class Fenced(Exception):
    """Another replica took the partition over: this one must stop writing it."""


@dataclass(frozen=True)
class Record:
    """A Kafka record to publish: an event, or a dead letter."""

    topic: str
    key: bytes | None
    value: bytes
    headers: tuple[tuple[str, str], ...] = ()

    def to_doc(self) -> Document:
        return {
            "t": self.topic,
            "k": self.key,
            "v": self.value,
            "h": [{"k": k, "v": v} for k, v in self.headers],
        }

    @classmethod
    def from_doc(cls, doc: Document) -> Record:
        return cls(doc["t"], doc["k"], doc["v"], tuple((h["k"], h["v"]) for h in doc["h"]))


@dataclass(frozen=True)
class Entry:
    partition: int
    seq: int
    owner: str
    at: datetime
    offsets: dict[str, int]  # topic -> next offset to consume
    writes: list[Write] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    fence: bool = False

    @property
    def id(self) -> str:
        return entry_id(self.partition, self.seq)

    def to_doc(self) -> Document:
        return {
            "_id": self.id,
            "partition": self.partition,
            "seq": self.seq,
            "owner": self.owner,
            "at": self.at,
            "fence": self.fence,
            # Topic names hold dots, which field names should not; FerretDB refuses arrays of
            # arrays: a list of small documents.
            "offsets": [{"topic": t, "next": o} for t, o in sorted(self.offsets.items())],
            # The work itself as one opaque BSON value: the server stores it, never looks into
            # it (FerretDB spends most of an insert converting nested documents).
            "work": bson.encode(
                {
                    "writes": [write_to_doc(w) for w in self.writes],
                    "records": [r.to_doc() for r in self.records],
                }
            ),
        }

    @classmethod
    def from_doc(cls, doc: Document) -> Entry:
        work = bson.decode(doc["work"], codec_options=_TZ_AWARE)
        return cls(
            partition=doc["partition"],
            seq=doc["seq"],
            owner=doc["owner"],
            at=doc["at"],
            fence=doc["fence"],
            offsets={o["topic"]: o["next"] for o in doc["offsets"]},
            writes=[write_from_doc(w) for w in work["writes"]],
            records=[Record.from_doc(r) for r in work["records"]],
        )


def entry_id(partition: int, seq: int) -> str:
    return f"{partition:05d}:{seq:012d}"


def new_owner() -> str:
    """A token naming one tenure of one replica over a partition."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class Head:
    """Where the owner of a partition stands: its last entry and the offsets consumed."""

    partition: int
    seq: int
    owner: str
    offsets: dict[str, int]
    fence: bool = False  # the last entry is a fence: it is kept for good


@dataclass(frozen=True)
class Takeover:
    head: Head
    # Entries a former owner committed but may not have applied or published: replay them.
    unfinished: list[Entry]
    # The latest entry before the fence: if it is this replica's own, nobody wrote in between.
    previous: Head | None


class PartitionLog:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.entries = db[COLLECTION]

    async def take_over(self, partition: int, owner: str, now: datetime) -> Takeover:
        """Fence every former owner by taking the next sequence number of the partition."""
        while True:
            docs = [d async for d in self.entries.find({"partition": partition}, sort=[("seq", 1)])]
            latest = Entry.from_doc(docs[-1]) if docs else None
            fence = Entry(
                partition=partition,
                seq=latest.seq + 1 if latest else 1,
                owner=owner,
                at=now,
                offsets=latest.offsets if latest else {},
                fence=True,
            )
            try:
                await self.entries.insert_one(fence.to_doc())
            except DuplicateKeyError:
                continue  # a former owner committed one more batch meanwhile: read again
            log_entries.labels(kind="fence").inc()
            previous = (
                Head(partition, latest.seq, latest.owner, latest.offsets, latest.fence)
                if latest
                else None
            )
            return Takeover(
                head=Head(partition, fence.seq, owner, fence.offsets, fence=True),
                unfinished=[e for d in docs if not (e := Entry.from_doc(d)).fence],
                previous=previous,
            )

    async def append(self, entry: Entry) -> None:
        """Commit a batch; raises `Fenced` if another owner took that sequence number."""
        try:
            await self.entries.insert_one(entry.to_doc())
        except DuplicateKeyError:
            stored = await self.entries.find_one({"_id": entry.id}, projection={"owner": 1})
            if stored is None or stored["owner"] != entry.owner:
                raise Fenced(
                    f"partition {entry.partition}: sequence {entry.seq} was taken by "
                    f"{stored['owner'] if stored else 'another owner'}"
                ) from None
            # An earlier attempt of this very insert landed (its answer was lost): committed.
        log_entries.labels(kind="batch").inc()

    async def prune(self, partition: int, below: int) -> None:
        """Delete the partition's entries before sequence number `below` (applied, published,
        not the latest); fences stay."""
        await self.entries.delete_many(
            {"partition": partition, "fence": False, "seq": {"$lt": below}}
        )
