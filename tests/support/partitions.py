"""A processor driving one partition in memory, as the runtime does, for unit tests: batches
and ticks at chosen instants (each followed by the processor's due solves, on this thread),
commits into a dictionary standing in for MongoDB, and a new owner rebuilt from what was
committed (a crash, a rebalance)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from kindred.events.envelope import Envelope
from kindred.partitions.processor import Changes, Processor, solve_now
from kindred.partitions.store import Tables
from kindred.storage.mongo import Document
from kindred.storage.writes import Delete, Insert, Put

NAMESPACE = "kindred"


class Partition:
    def __init__(
        self,
        processor: Processor,
        number: int = 0,
        stored: dict[str, dict[str, Document]] | None = None,
    ) -> None:
        self.processor = processor
        self.number = number
        # What committed batches wrote: collection → _id → document.
        self.stored: dict[str, dict[str, Document]] = stored if stored is not None else {}
        self.tables = self._load()

    def _load(self) -> Tables:
        docs = {c: list(d.values()) for c, d in self.stored.items()}
        tables = Tables.from_docs(self.processor.stores, self.number, docs)
        self.processor.load(self.number, tables)
        tables.settle()
        return tables

    def changes(self, now: datetime) -> Changes:
        return Changes(NAMESPACE, now=now, tables=self.tables)

    def handle(self, now: datetime, *events: Envelope[Any], commit: bool = True) -> Changes:
        changes = self.changes(now)
        for event in events:
            self.processor.handle(self.number, event, changes)
        solve_now(self.processor, self.number, changes)
        return self.commit(changes) if commit else changes

    def tick(self, now: datetime, *, commit: bool = True) -> Changes:
        changes = self.changes(now)
        self.processor.tick(self.number, changes)
        solve_now(self.processor, self.number, changes)
        return self.commit(changes) if commit else changes

    def commit(self, changes: Changes) -> Changes:
        """What the runtime does once the batch is in the log: the writes, then callbacks."""
        for write in changes.writes:
            docs = self.stored.setdefault(write.collection, {})
            match write:
                case Insert(_, doc):
                    docs.setdefault(doc["_id"], doc)
                case Put(_, doc):
                    docs[doc["_id"]] = doc
                case Delete(_, values, field):
                    for key in [k for k, d in docs.items() if d.get(field) in values]:
                        del docs[key]
        for callback in changes.callbacks():
            callback()
        return changes

    def new_owner(self, processor: Processor | None = None) -> Partition:
        """Another replica taking the partition over from what was committed."""
        self.processor.drop(self.number)
        return Partition(processor or self.processor, self.number, self.stored)

    def docs(self, collection: str) -> list[Document]:
        return list(self.stored.get(collection, {}).values())


class Sink(list[Any]):
    """A callback that keeps what it is handed (a sender standing in for the real one)."""

    def __call__(self, handed: list[Any]) -> None:
        self.extend(handed)

    def take(self) -> list[Any]:
        taken = list(self)
        self.clear()
        return taken


def events(changes: Changes, topic: str | None = None) -> list[dict[str, Any]]:
    """The events a batch emits, as JSON (`topic`: only those of that topic)."""
    return [
        json.loads(r.value)
        for r in changes.records
        if topic is None or r.topic == f"{NAMESPACE}.{topic}"
    ]


def written(changes: Changes, collection: str) -> list[Document]:
    """The documents a batch writes into one collection, in order."""
    return [
        w.doc for w in changes.writes if isinstance(w, Insert | Put) and w.collection == collection
    ]


def by_id(docs: Iterable[Document]) -> dict[str, Document]:
    return {d["_id"]: d for d in docs}
