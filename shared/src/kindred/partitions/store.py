"""The partition store: a service's collections, held per owned partition, changed only by
the batch.

Each collection is declared once, in its service's `repository.py`, as a `Store`: its name,
how an item becomes a document and back (the codec), the fields of a document that hold a
member id (what erasure goes through), its indexes, and how it is written:

- `STATE`: one document per key, replaced whole (`Put`) when the item changes; every document
  of the partition is loaded into memory when the partition is taken over.
- `VERSIONS`: a change inserts the next version (`_id` `<key>#<n>`, with `key` and `ver`);
  nothing is replaced or deleted, so a batch costs one `insert_many` per collection at any size
  (FerretDB v1 answers any filter, `_id` included, by a scan). Loading keeps each key's newest.
- `HISTORY`: inserted once, never changed, never loaded (check-ins, the inbox).

Every document written carries `partition`: only the replica owning that partition writes it.

In memory, per owned partition, a `Table` holds a store's items (those its `keep` admits: the
unfinished deliveries, the live matches) and a timer index: when each item next has something
due, from the store's `due` or set by the processor (`Changes.wake`, `Table.wake`; timers set
that way are planned again by `Processor.load` after a rebuild), so that background work takes
what is due without passing over everything. The runtime (`kindred.partitions.consumer`) loads a
partition's `Tables` on assignment, hands them to every batch through `Changes`, and drops them
with the partition (or keeps them, on a clean revocation, should it come back untouched).
"""

from __future__ import annotations

import asyncio
import heapq
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Generic, NamedTuple, TypeVar

from pymongo.asynchronous.database import AsyncDatabase

from kindred.storage.mongo import Document, Index

T = TypeVar("T")

# Superseded timers a table tolerates before it rebuilds its heap from the planned ones.
_STALE_TIMERS = 1024


class Kind(StrEnum):
    STATE = "state"
    VERSIONS = "versions"
    HISTORY = "history"


@dataclass(frozen=True)
class Store(Generic[T]):
    """One collection of a service, and how the partition store handles it."""

    collection: str
    encode: Callable[[T], Document]
    # Fields of a stored document that hold a member id (a string, or a list of them; a dotted
    # path for a nested one): what an erasure goes through. Every member a document mentions
    # is in one of them (tests/contract/test_stores.py holds every store to that).
    member_fields: tuple[str, ...]
    decode: Callable[[Document], T] | None = None  # every kind but HISTORY needs one
    kind: Kind = Kind.STATE
    # Which items stay in memory (None: all); the others are written, then forgotten.
    keep: Callable[[T], bool] | None = None
    # When an item next has something due (None: nothing until it changes).
    due: Callable[[T], datetime | None] | None = None
    # Indexes besides those the kind needs (`partition` to load; `key` for versions).
    indexes: tuple[tuple[tuple[str, int], ...], ...] = ()

    def __post_init__(self) -> None:
        if not self.member_fields:
            raise ValueError(f"{self.collection}: a store declares what it holds about a member")
        if self.kind is not Kind.HISTORY and self.decode is None:
            raise ValueError(f"{self.collection}: a loaded store needs `decode`")

    @property
    def loaded(self) -> bool:
        return self.kind is not Kind.HISTORY

    def index_list(self) -> list[Index]:
        indexes = [Index(self.collection, [("partition", 1)])] if self.loaded else []
        if self.kind is Kind.VERSIONS:
            indexes.append(Index(self.collection, [("key", 1)]))
        indexes += [Index(self.collection, list(keys)) for keys in self.indexes]
        return indexes

    def document(self, item: T, partition: int) -> Document:
        return {**self.encode(item), "partition": partition}


def version_id(key: str, version: int) -> str:
    return f"{key}#{version}"


def versioned(doc: Document, version: int) -> Document:
    """The document of one version of the thing `doc["_id"]` names."""
    key = doc["_id"]
    return {**doc, "_id": version_id(key, version), "key": key, "ver": version}


def newest(docs: Iterable[Document]) -> dict[str, Document]:
    """Each key's highest stored version, by key: what a thing is now."""
    out: dict[str, Document] = {}
    for doc in docs:
        current = out.get(doc["key"])
        if current is None or current["ver"] < doc["ver"]:
            out[doc["key"]] = doc
    return out


def indexes(stores: Iterable[Store[Any]]) -> list[Index]:
    return [index for store in stores for index in store.index_list()]


class Timer(NamedTuple):
    at: datetime
    key: str


class Table(Generic[T]):
    """A store's items in one partition, by key, and when each one is due."""

    def __init__(self, store: Store[T]) -> None:
        self.store = store
        self.items: dict[str, T] = {}
        self.versions: dict[str, int] = {}  # VERSIONS: the newest version of every key
        self._timers: list[Timer] = []
        self._planned: dict[str, datetime] = {}

    def get(self, key: str) -> T | None:
        return self.items.get(key)

    def __iter__(self) -> Iterator[T]:
        return iter(list(self.items.values()))

    def __len__(self) -> int:
        return len(self.items)

    def hold(self, key: str, item: T) -> None:
        """Keep the item in memory, if its store keeps it, and plan its timer."""
        if self.store.keep is not None and not self.store.keep(item):
            self.items.pop(key, None)
            self.wake(key, None)
            return
        self.items[key] = item
        if self.store.due is not None:
            self.wake(key, self.store.due(item))

    def settle(self) -> None:
        """Forget what the store does not keep (after a load, which sees everything)."""
        if self.store.keep is not None:
            for key, item in list(self.items.items()):
                if not self.store.keep(item):
                    del self.items[key]
                    self.wake(key, None)

    def wake(self, key: str, at: datetime | None) -> None:
        """The item is due at `at` (None: not at all); replaces its earlier timer."""
        if at is None:
            self._planned.pop(key, None)
            return
        if self._planned.get(key) == at:
            return
        self._planned[key] = at
        heapq.heappush(self._timers, Timer(at, key))
        if len(self._timers) > 2 * len(self._planned) + _STALE_TIMERS:
            self._timers = [Timer(when, k) for k, when in self._planned.items()]
            heapq.heapify(self._timers)

    def due(self, now: datetime, limit: int | None = None) -> list[T]:
        """The items due by `now`, soonest first (at most `limit`); their timers are spent:
        a change (or `wake`) plans the next one."""
        out: list[T] = []
        while self._timers and self._timers[0].at <= now:
            if limit is not None and len(out) >= limit:
                break
            at, key = heapq.heappop(self._timers)
            if self._planned.get(key) != at:
                continue  # superseded by a later plan
            del self._planned[key]
            item = self.items.get(key)
            if item is not None:
                out.append(item)
        return out


class Tables:
    """Every store of a service, in one partition."""

    def __init__(self, stores: Sequence[Store[Any]] = (), partition: int = 0) -> None:
        self.partition = partition
        self.tables: dict[str, Table[Any]] = {s.collection: Table(s) for s in stores}

    def __getitem__(self, store: Store[T]) -> Table[T]:
        self.check(store)
        return self.tables[store.collection]

    def check(self, store: Store[Any]) -> None:
        if store.collection not in self.tables:
            raise KeyError(f"{store.collection} is not a store of this service")

    @classmethod
    def from_docs(
        cls,
        stores: Sequence[Store[Any]],
        partition: int,
        docs: Mapping[str, Iterable[Document]],
    ) -> Tables:
        """The tables of a partition from its stored documents (by collection): every item,
        until `settle` forgets what the stores do not keep."""
        tables = cls(stores, partition)
        for store in stores:
            if not store.loaded:
                continue
            assert store.decode is not None
            table = tables[store]
            found = docs.get(store.collection, ())
            if store.kind is Kind.VERSIONS:
                for key, doc in newest(found).items():
                    table.versions[key] = doc["ver"]
                    table.items[key] = store.decode(doc)
            else:
                for doc in found:
                    table.items[doc["_id"]] = store.decode(doc)
            if store.due is not None:
                for key, item in table.items.items():
                    table.wake(key, store.due(item))
        return tables

    @classmethod
    async def load(
        cls, db: AsyncDatabase[Document], stores: Sequence[Store[Any]], partition: int
    ) -> Tables:
        """Read the partition's documents of every loaded store (one query per store)."""
        loaded = [store for store in stores if store.loaded]

        async def read(store: Store[Any]) -> list[Document]:
            return [d async for d in db[store.collection].find({"partition": partition})]

        found = await asyncio.gather(*(read(store) for store in loaded))
        return cls.from_docs(
            stores, partition, dict(zip((s.collection for s in loaded), found, strict=True))
        )

    def settle(self) -> None:
        for table in self.tables.values():
            table.settle()
