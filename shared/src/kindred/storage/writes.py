"""The three writes a service may make, and how a batch of them reaches MongoDB.

Every write is idempotent, so a batch can be applied again after a crash (the partition log
replays it) and change nothing the second time. Each document carries `_v`, the sequence number
of the partition-log entry that wrote it, and a put or delete only touches a document older than
its entry: a former owner that wakes late and applies an entry already replayed by its successor
cannot undo the successor's newer writes.

- `Insert`: a document with a known `_id`; a duplicate key means it is already there. The only
  write a collection that grows (histories, inboxes) ever gets: on FerretDB an insert costs the
  same at any size, while anything with a filter scans the whole collection.
- `Put`: replace the whole document by `_id` (upsert). For small working-set collections.
- `Delete`: remove documents whose `field` is one of `values` (default `_id`).

`apply_writes` groups a batch per collection and kind: one `insert_many` and one `delete_many`
per collection whatever the batch size, and one `replace_one` per document put.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from kindred.observability.metrics import documents_written
from kindred.storage.mongo import Document, only_duplicate_keys


@dataclass(frozen=True)
class Insert:
    collection: str
    doc: Document


@dataclass(frozen=True)
class Put:
    collection: str
    doc: Document


@dataclass(frozen=True)
class Delete:
    collection: str
    values: tuple[Any, ...]
    field: str = "_id"


Write = Insert | Put | Delete


def write_to_doc(write: Write) -> Document:
    """A write as stored in a partition-log entry."""
    match write:
        case Insert(collection, doc):
            return {"op": "insert", "c": collection, "doc": doc}
        case Put(collection, doc):
            return {"op": "put", "c": collection, "doc": doc}
        case Delete(collection, values, key):
            return {"op": "delete", "c": collection, "field": key, "values": list(values)}
    raise TypeError(f"not a write: {write!r}")


def write_from_doc(doc: Document) -> Write:
    match doc["op"]:
        case "insert":
            return Insert(doc["c"], doc["doc"])
        case "put":
            return Put(doc["c"], doc["doc"])
        case "delete":
            return Delete(doc["c"], tuple(doc["values"]), doc["field"])
    raise ValueError(f"unknown write op {doc['op']!r}")


@dataclass
class _Grouped:
    inserts: list[Document] = field(default_factory=list)
    puts: dict[Any, Document] = field(default_factory=dict)
    deletes: dict[str, list[Any]] = field(default_factory=lambda: defaultdict(list))
    version: int = 0  # of the newest batch among those grouped


def _grouped(batches: list[tuple[int, list[Write]]]) -> dict[str, _Grouped]:
    """Writes of consecutive batches, per collection; every document stamped `_v` with the
    sequence number of the batch that wrote it."""
    groups: dict[str, _Grouped] = defaultdict(_Grouped)
    for version, writes in batches:
        for write in writes:
            group = groups[write.collection]
            group.version = max(group.version, version)
            match write:
                case Insert(_, doc):
                    group.inserts.append({**doc, "_v": version})
                case Put(_, doc):
                    group.puts[doc["_id"]] = {**doc, "_v": version}  # the last put wins
                case Delete(_, values, key):
                    group.deletes[key].extend(values)
    return groups


async def apply_writes(db: AsyncDatabase[Document], batches: list[tuple[int, list[Write]]]) -> None:
    """Apply the writes of one or more consecutive batches, each given with the sequence number
    of its log entry: collections in parallel; in each one inserts, then puts, then deletes.

    A service never deletes a document and then writes it again, so the order between kinds
    does not matter; of several puts of one document the last one wins.
    """
    await asyncio.gather(*(_apply(db[name], group) for name, group in _grouped(batches).items()))


async def _apply(collection: Any, group: _Grouped) -> None:
    if group.inserts:
        await insert_new(collection, group.inserts)
    # One at a time: FerretDB v1 answers a bulk update whose upsert collides without
    # `nModified`, which pymongo cannot read. Puts go to small, rarely written documents.
    for i, doc in group.puts.items():
        # A newer document makes the filter miss and the upsert collide: it is kept.
        with contextlib.suppress(DuplicateKeyError):
            await collection.replace_one({"_id": i, "_v": {"$lt": doc["_v"]}}, doc, upsert=True)
    for key, values in group.deletes.items():
        await collection.delete_many({key: {"$in": values}, "_v": {"$lt": group.version}})
    documents_written.labels(collection=collection.name).inc(len(group.inserts) + len(group.puts))


async def insert_new(collection: Any, docs: list[Document]) -> int:
    """Insert documents; those already stored (same `_id`) stay as they are. Returns new ones."""
    try:
        result = await collection.insert_many(docs, ordered=False)
    except BulkWriteError as exc:
        if not only_duplicate_keys(exc):
            raise
        return int(exc.details.get("nInserted", 0))
    return len(result.inserted_ids)
