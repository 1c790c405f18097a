"""The storage contract: exactly what Kindred relies on from a MongoDB-protocol server.

Runs against whatever server the test session provides (`tests.support.infra`: MongoDB in
production and under testcontainers, FerretDB v1 on PostgreSQL or SQLite locally and in CI).
FerretDB v1 applies every update as read, change in Go, write back, outside a transaction (so
concurrent updates of one document are lost) and scans the collection for every query. Kindred's
storage model therefore uses only the subset below; each guarantee has a test named after it.

Kindred relies on:

1. Inserting a known `_id` that exists raises a duplicate key error (11000): `insert_one`, and
   `insert_many(ordered=False)` (every other document of the batch is inserted, `nInserted`
   is right); `insert_many(ordered=True)` stops at the first duplicate, so a batch that starts
   with a fencing record is written whole or not at all by whoever loses the fence.
2. Concurrent inserts of one `_id` from separate connections are atomic: exactly one wins, the
   others get 11000. The partition-ownership fence is built on this.
3. A unique secondary index rejects a second document with the same value (11000 on insert).
   Whether several documents lacking the field are admitted differs (FerretDB admits them):
   not relied on either way.
4. `replace_one(upsert=True)` by `_id` inserts when missing and replaces the whole document when
   present; with a version guard (`{_id, _v: {$lt: v}}`) it misses a newer document and its
   upsert collides (11000), so a former owner's late write leaves newer state alone. The guard
   is a read-then-write on FerretDB v1: it narrows a late writer's window to that of FerretDB's
   own update, which nothing else writes concurrently under the one-writer rule.
5. `bulk_write(ordered=False)` of InsertOne / ReplaceOne(upsert) / DeleteOne / DeleteMany
   reports the right counts, and a duplicate InsertOne fails only that operation.
6. `delete_many` with `$in` (on `_id` or a field), `find` with a filter, projection and sort,
   `count_documents` with a filter, and `$match` + `$group` with `$sum` return exactly what
   they should.
7. `create_index` is idempotent for the same keys and name, `list_indexes` shows the indexes,
   and every index the services declare (`INDEXES` lists) can be created.
8. Datetimes round-trip at millisecond precision (`tz_aware=True`), `bytes` as `bytes`, nested
   dicts and lists as they were.
9. `kindred.storage.writes.apply_writes` on top of these: idempotent, and a late write never
   undoes a newer one.

Kindred does NOT rely on (and must not start to):

- atomic read-modify-write of one document under concurrency: `$inc`, `$push`, `$pull`,
  `$addToSet`, conditional `update_one` / `update_many` / `find_one_and_update` filters such as
  `{"n": {"$lt": cap}}` (FerretDB v1 loses concurrent updates); enforced on the code by
  `test_the_code_makes_no_read_modify_write_update`;
- multi-document transactions;
- change streams;
- TTL indexes;
- partial indexes;
- `arrayFilters`;
- collation;
- `$expr`;
- `$pull` with a condition;
- indexes serving filters (performance): on FerretDB v1 every query scans the collection, `_id`
  included, so growing collections are only ever inserted into and read by the owner of a
  small working set;
- which operation an upserted `_id` belongs to (`BulkWriteResult.upserted_ids` keys, `index` in
  an `update` reply's `upserted`): FerretDB v1 numbers the upserts (0, 1, ...), not the
  statements, so only `upserted_count` and the set of upserted ids are portable;
- a `bulk_write` whose upserting `ReplaceOne` collides (11000): FerretDB v1 answers without
  `nModified` and pymongo raises `KeyError` reading the reply; versioned puts go one by one;
- documents FerretDB v1 rejects or alters (https://docs.ferretdb.io/v1.24/diff): an array
  directly inside an array (`[[topic, offset]]`: the insert fails, code 2, "nested arrays are
  not supported"; store `[{"t": topic, "o": offset}]`), keys containing `.` or starting with
  `$`, NUL characters in strings, NaN or infinite doubles, and `-0.0` (stored as `0.0`).
"""

from __future__ import annotations

import asyncio
import importlib
import random
import re
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from pymongo import AsyncMongoClient, DeleteMany, DeleteOne, InsertOne, ReplaceOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError

from kindred.storage.mongo import Index, ensure_indexes
from kindred.storage.writes import Delete, Insert, Put, apply_writes
from tests.support.infra import Infra

pytestmark = pytest.mark.contract

Doc = dict[str, Any]

ROOT = Path(__file__).resolve().parents[2]
DUPLICATE_KEY = 11000


@pytest.fixture
async def db(infra: Infra, namespace: str) -> AsyncIterator[AsyncDatabase[Doc]]:
    client: AsyncMongoClient[Doc] = AsyncMongoClient(infra.mongodb_url, tz_aware=True)
    database = client[f"{namespace}_contract"]
    yield database
    await client.drop_database(database.name)
    await client.close()


async def ids_in(collection: AsyncCollection[Doc]) -> set[Any]:
    return {d["_id"] async for d in collection.find({}, projection={"_id": 1})}


def write_error_codes(exc: BulkWriteError) -> list[int]:
    return [e["code"] for e in exc.details["writeErrors"]]


# ------------------------------------------------------------------ 1. duplicate `_id` on insert


async def test_insert_one_of_an_existing_id_raises_duplicate_key(db: AsyncDatabase[Doc]) -> None:
    docs = db["docs"]
    await docs.insert_one({"_id": "a", "v": 1})
    with pytest.raises(DuplicateKeyError) as raised:
        await docs.insert_one({"_id": "a", "v": 2})
    assert raised.value.code == DUPLICATE_KEY
    assert await docs.find_one({"_id": "a"}) == {"_id": "a", "v": 1}


async def test_unordered_insert_many_inserts_all_but_the_duplicates(
    db: AsyncDatabase[Doc],
) -> None:
    docs = db["docs"]
    await docs.insert_many([{"_id": 2, "v": "old"}, {"_id": 5, "v": "old"}])
    with pytest.raises(BulkWriteError) as raised:
        await docs.insert_many([{"_id": i, "v": "new"} for i in range(1, 8)], ordered=False)
    details = raised.value.details
    assert write_error_codes(raised.value) == [DUPLICATE_KEY, DUPLICATE_KEY]
    assert sorted(e["index"] for e in details["writeErrors"]) == [1, 4]
    assert details["nInserted"] == 5
    stored = {d["_id"]: d["v"] async for d in docs.find({})}
    assert stored == {1: "new", 2: "old", 3: "new", 4: "new", 5: "old", 6: "new", 7: "new"}


async def test_ordered_insert_many_stops_at_the_first_duplicate(db: AsyncDatabase[Doc]) -> None:
    docs = db["docs"]
    await docs.insert_one({"_id": 3, "v": "old"})
    with pytest.raises(BulkWriteError) as raised:
        await docs.insert_many([{"_id": i, "v": "new"} for i in range(1, 6)], ordered=True)
    details = raised.value.details
    assert write_error_codes(raised.value) == [DUPLICATE_KEY]
    assert details["writeErrors"][0]["index"] == 2
    assert details["nInserted"] == 2
    stored = {d["_id"]: d["v"] async for d in docs.find({})}
    assert stored == {1: "new", 2: "new", 3: "old"}  # 4 and 5 come after the duplicate


async def test_an_ordered_batch_whose_fence_exists_writes_nothing(db: AsyncDatabase[Doc]) -> None:
    docs = db["docs"]
    await docs.insert_one({"_id": "p0:000002", "owner": "new"})
    batch = [{"_id": f"p0:00000{i}", "owner": "old"} for i in range(2, 6)]
    with pytest.raises(BulkWriteError) as raised:
        await docs.insert_many(batch, ordered=True)
    assert write_error_codes(raised.value) == [DUPLICATE_KEY]
    assert raised.value.details["nInserted"] == 0
    assert [d async for d in docs.find({})] == [{"_id": "p0:000002", "owner": "new"}]


# ------------------------------------------------------------------ 2. concurrent inserts

WRITERS = 8
IDS = [f"p0:{n:06d}" for n in range(1, 201)]


@pytest.fixture
async def writers(
    infra: Infra, db: AsyncDatabase[Doc]
) -> AsyncIterator[list[AsyncCollection[Doc]]]:
    """The same collection through separate clients: one connection each."""
    clients: list[AsyncMongoClient[Doc]] = [
        AsyncMongoClient(infra.mongodb_url, tz_aware=True) for _ in range(WRITERS)
    ]
    # Connect every client before the race, so connection setup does not stagger the writers.
    await asyncio.gather(*(c.admin.command("ping") for c in clients))
    yield [c[db.name]["partition_log"] for c in clients]
    await asyncio.gather(*(c.close() for c in clients))


@pytest.mark.parametrize("round_", range(3))
async def test_concurrent_inserts_of_one_id_have_exactly_one_winner(
    db: AsyncDatabase[Doc], writers: list[AsyncCollection[Doc]], round_: int
) -> None:
    barrier = asyncio.Barrier(WRITERS)

    async def writer(w: int) -> tuple[set[str], int]:
        won: set[str] = set()
        lost = 0
        for id_ in IDS:
            await barrier.wait()  # every writer tries each id at the same moment
            try:
                await writers[w].insert_one({"_id": id_, "writer": w})
                won.add(id_)
            except DuplicateKeyError:
                lost += 1
        return won, lost

    async with asyncio.TaskGroup() as group:
        tasks = [group.create_task(writer(w)) for w in range(WRITERS)]
    results = [task.result() for task in tasks]

    claimed = Counter(id_ for won, _ in results for id_ in won)
    assert set(claimed) == set(IDS)
    assert [id_ for id_, n in claimed.items() if n != 1] == []  # no id won twice
    assert sum(lost for _, lost in results) == (WRITERS - 1) * len(IDS)
    stored = {d["_id"]: d["writer"] async for d in db["partition_log"].find({})}
    assert stored == {id_: w for w, (won, _) in enumerate(results) for id_ in won}


@pytest.mark.parametrize("round_", range(3))
async def test_concurrent_ordered_batches_behind_one_fence_have_one_writer(
    db: AsyncDatabase[Doc], writers: list[AsyncCollection[Doc]], round_: int
) -> None:
    """Batches of 10 ids, the first a fence: whoever inserts the fence writes the whole batch."""
    batches = [IDS[i : i + 10] for i in range(0, len(IDS), 10)]
    barrier = asyncio.Barrier(WRITERS)

    async def writer(w: int) -> int:
        won = 0
        for batch in batches:
            await barrier.wait()
            try:
                await writers[w].insert_many(
                    [{"_id": id_, "writer": w} for id_ in batch], ordered=True
                )
                won += 1
            except BulkWriteError as exc:
                assert write_error_codes(exc) == [DUPLICATE_KEY]
                assert exc.details["writeErrors"][0]["index"] == 0
                assert exc.details["nInserted"] == 0
        return won

    async with asyncio.TaskGroup() as group:
        tasks = [group.create_task(writer(w)) for w in range(WRITERS)]

    assert sum(task.result() for task in tasks) == len(batches)
    stored = {d["_id"]: d["writer"] async for d in db["partition_log"].find({})}
    assert set(stored) == set(IDS)
    for batch in batches:
        assert len({stored[id_] for id_ in batch}) == 1, batch[0]


# ------------------------------------------------------------------ 3. unique secondary index


async def test_a_unique_index_rejects_a_second_document_with_the_same_value(
    db: AsyncDatabase[Doc],
) -> None:
    members = db["members"]
    await members.create_index([("email", 1)], name="email_1_unique", unique=True)
    await members.insert_one({"_id": "a", "email": "sam@example.org"})
    with pytest.raises(DuplicateKeyError) as raised:
        await members.insert_one({"_id": "b", "email": "sam@example.org"})
    assert raised.value.code == DUPLICATE_KEY
    with pytest.raises(BulkWriteError) as bulk:
        await members.insert_many(
            [{"_id": "c", "email": "sam@example.org"}, {"_id": "d", "email": "kim@example.org"}],
            ordered=False,
        )
    assert write_error_codes(bulk.value) == [DUPLICATE_KEY]
    assert await ids_in(members) == {"a", "d"}


# ------------------------------------------------------------------ 4. upserts


async def test_replace_one_upsert_inserts_when_missing_and_replaces_whole_when_present(
    db: AsyncDatabase[Doc],
) -> None:
    docs = db["docs"]
    inserted = await docs.replace_one({"_id": "x"}, {"a": 1, "b": 2}, upsert=True)
    assert inserted.upserted_id == "x" and inserted.matched_count == 0
    assert await docs.find_one({"_id": "x"}) == {"_id": "x", "a": 1, "b": 2}

    replaced = await docs.replace_one({"_id": "x"}, {"c": 3}, upsert=True)
    assert replaced.upserted_id is None and replaced.matched_count == 1
    assert replaced.modified_count == 1
    assert await docs.find_one({"_id": "x"}) == {"_id": "x", "c": 3}  # a and b are gone
    assert await docs.count_documents({}) == 1


async def test_a_put_guarded_by_version_misses_a_newer_document_and_collides(
    db: AsyncDatabase[Doc],
) -> None:
    """The version guard `apply_writes` puts with: `{_id, _v: {$lt: v}}`, upsert."""
    docs = db["docs"]
    await docs.insert_one({"_id": "x", "_v": 7})
    with pytest.raises(DuplicateKeyError):
        await docs.replace_one({"_id": "x", "_v": {"$lt": 5}}, {"_v": 5}, upsert=True)
    assert await docs.find_one({"_id": "x"}) == {"_id": "x", "_v": 7}
    result = await docs.replace_one({"_id": "x", "_v": {"$lt": 9}}, {"_v": 9}, upsert=True)
    assert result.matched_count == 1
    assert await docs.find_one({"_id": "x"}) == {"_id": "x", "_v": 9}


# ------------------------------------------------------------------ 5. bulk_write


async def seed_for_bulk(docs: AsyncCollection[Doc]) -> None:
    await docs.insert_many(
        [
            {"_id": "keep", "v": 0},
            {"_id": "put", "v": 0, "extra": True},
            {"_id": "gone", "v": 0},
            {"_id": "old1", "tag": "old"},
            {"_id": "old2", "tag": "old"},
        ]
    )


def mixed_ops(*, duplicate: bool) -> list[Any]:
    ops: list[Any] = [InsertOne({"_id": "new", "v": 1})]
    if duplicate:
        ops.append(InsertOne({"_id": "keep", "v": 1}))
    ops += [
        ReplaceOne({"_id": "put"}, {"v": 1}, upsert=True),
        ReplaceOne({"_id": "fresh"}, {"v": 1}, upsert=True),
        DeleteOne({"_id": "gone"}),
        DeleteMany({"tag": "old"}),
    ]
    return ops


EXPECTED_AFTER_BULK = {
    "keep": {"_id": "keep", "v": 0},
    "put": {"_id": "put", "v": 1},
    "fresh": {"_id": "fresh", "v": 1},
    "new": {"_id": "new", "v": 1},
}


async def test_unordered_bulk_write_reports_the_right_counts(db: AsyncDatabase[Doc]) -> None:
    docs = db["docs"]
    await seed_for_bulk(docs)
    result = await docs.bulk_write(mixed_ops(duplicate=False), ordered=False)
    assert result.inserted_count == 1
    assert result.upserted_count == 1
    assert list((result.upserted_ids or {}).values()) == ["fresh"]  # not which op: see above
    assert result.matched_count == 1 and result.modified_count == 1
    assert result.deleted_count == 3
    assert {d["_id"]: d async for d in docs.find({})} == EXPECTED_AFTER_BULK


async def test_a_duplicate_insert_fails_only_that_op_of_an_unordered_bulk_write(
    db: AsyncDatabase[Doc],
) -> None:
    docs = db["docs"]
    await seed_for_bulk(docs)
    with pytest.raises(BulkWriteError) as raised:
        await docs.bulk_write(mixed_ops(duplicate=True), ordered=False)
    details = raised.value.details
    assert [(e["index"], e["code"]) for e in details["writeErrors"]] == [(1, DUPLICATE_KEY)]
    assert details["nInserted"] == 1 and details["nUpserted"] == 1
    assert details["nMatched"] == 1 and details["nModified"] == 1
    assert details["nRemoved"] == 3
    assert {d["_id"]: d async for d in docs.find({})} == EXPECTED_AFTER_BULK


# ------------------------------------------------------------------ 6. queries and deletes


def sample() -> list[Doc]:
    docs = [
        {"_id": f"d{i:02d}", "partition": i % 3, "seq": i, "k": "abcd"[i % 4], "body": {"i": i}}
        for i in range(30)
    ]
    random.Random(7).shuffle(docs)  # stored order differs from seq order
    return docs


async def test_delete_many_with_in_deletes_exactly_those(db: AsyncDatabase[Doc]) -> None:
    docs = db["docs"]
    await docs.insert_many(sample())
    by_id = await docs.delete_many({"_id": {"$in": ["d01", "d02", "d29", "missing"]}})
    assert by_id.deleted_count == 3
    by_field = await docs.delete_many({"seq": {"$in": [3, 4, 1]}})  # 1 is already gone
    assert by_field.deleted_count == 2
    gone = {"d01", "d02", "d03", "d04", "d29"}
    assert await ids_in(docs) == {f"d{i:02d}" for i in range(30)} - gone


async def test_find_filters_projects_and_sorts(db: AsyncDatabase[Doc]) -> None:
    docs = db["docs"]
    await docs.insert_many(sample())
    found = [d async for d in docs.find({"partition": 2}, projection={"seq": 1}, sort=[("seq", 1)])]
    assert found == [{"_id": f"d{i:02d}", "seq": i} for i in range(2, 30, 3)]
    newest = [
        d
        async for d in docs.find({"partition": 0}, projection={"_id": 0, "seq": 1}).sort("seq", -1)
    ]
    assert newest == [{"seq": i} for i in range(27, -1, -3)]


async def test_count_documents_and_group_count_right(db: AsyncDatabase[Doc]) -> None:
    docs = db["docs"]
    stored = sample()
    await docs.insert_many(stored)
    assert await docs.count_documents({"partition": 1}) == 10
    assert await docs.count_documents({"partition": 1, "seq": {"$gte": 20}}) == 3
    assert await docs.count_documents({"partition": 9}) == 0

    pipeline: list[Doc] = [
        {"$match": {"partition": {"$in": [0, 1]}}},
        {"$group": {"_id": "$k", "n": {"$sum": 1}}},
    ]
    grouped = {g["_id"]: g["n"] async for g in await docs.aggregate(pipeline)}
    assert grouped == Counter(d["k"] for d in stored if d["partition"] in (0, 1))


# ------------------------------------------------------------------ 7. indexes


async def listed_indexes(collection: AsyncCollection[Doc]) -> dict[str, Doc]:
    return {ix["name"]: dict(ix) async for ix in await collection.list_indexes()}


async def test_create_index_is_idempotent_and_listed(db: AsyncDatabase[Doc]) -> None:
    inbox = db["inbox"]
    keys = [("member_id", 1), ("created_at", -1)]
    assert await inbox.create_index(keys, name="member_id_1_created_at_-1") == (
        "member_id_1_created_at_-1"
    )
    assert await inbox.create_index(keys, name="member_id_1_created_at_-1") == (
        "member_id_1_created_at_-1"
    )
    await inbox.create_index([("key", 1)], name="key_1_unique", unique=True)
    await inbox.create_index([("key", 1)], name="key_1_unique", unique=True)

    listed = await listed_indexes(inbox)
    assert set(listed) == {"_id_", "member_id_1_created_at_-1", "key_1_unique"}
    assert list(listed["member_id_1_created_at_-1"]["key"].items()) == keys
    assert listed["key_1_unique"].get("unique") is True
    assert not listed["member_id_1_created_at_-1"].get("unique", False)


INDEX_MODULES = [
    "kindred.matching.repository",
    "kindred.checkins.repository",
    "kindred.notifications.repository",
    "kindred.casework.repository",
]
SOURCE_ROOTS = [*sorted(ROOT.glob("services/*/src")), ROOT / "shared" / "src"]


def declared_indexes() -> list[tuple[str, Index]]:
    """Every module-level `INDEXES` list: in the service repositories and wherever else it is."""
    modules = set(INDEX_MODULES)
    for src in SOURCE_ROOTS:
        for path in src.rglob("*.py"):
            if re.search(r"^INDEXES\b[^=\n]*=", path.read_text(encoding="utf-8"), re.MULTILINE):
                modules.add(".".join(path.relative_to(src).with_suffix("").parts))
    found = []
    for name in sorted(modules):
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue  # renamed away: its successor, if it declares indexes, was found above
        found += [(name, index) for index in getattr(module, "INDEXES", [])]
    return found


async def test_every_declared_index_can_be_created_and_is_listed(
    db: AsyncDatabase[Doc],
) -> None:
    declared = declared_indexes()
    assert declared, "no module declares INDEXES"
    indexes = [index for _, index in declared]
    assert all(isinstance(index, Index) for index in indexes)
    await ensure_indexes(db, indexes)
    await ensure_indexes(db, indexes)  # every service start applies them again
    for module, index in declared:
        listed = await listed_indexes(db[index.collection])
        assert index.name in listed, f"{module}: {index} not listed (got {sorted(listed)})"
        assert list(listed[index.name]["key"].items()) == list(index.keys), module
        assert bool(listed[index.name].get("unique", False)) == index.unique, module


# ------------------------------------------------------------------ 8. round trips


async def test_values_round_trip(db: AsyncDatabase[Doc]) -> None:
    docs = db["docs"]
    at = datetime(2024, 2, 29, 23, 59, 58, 123456, tzinfo=UTC)
    elsewhere = datetime(2024, 3, 1, 1, 0, 0, 987654, tzinfo=timezone(timedelta(hours=2)))
    raw = bytes(range(256))
    # Lists in dicts and dicts in lists; never a list directly in a list (not on FerretDB v1).
    nested = {"a": {"b": [1, {"c": [None, True, 1.5, "s"]}], "d": {}, "e": []}, "o": [{"t": "t.x"}]}
    await docs.insert_one(
        {"_id": "x", "at": at, "elsewhere": elsewhere, "raw": raw, "nested": nested, "big": 2**53}
    )
    got = await docs.find_one({"_id": "x"})
    assert got is not None
    assert got["at"] == at.replace(microsecond=123000) and got["at"].tzinfo is not None
    assert got["at"].utcoffset() == timedelta(0)
    assert got["elsewhere"] == elsewhere.replace(microsecond=987000)
    assert type(got["raw"]) is bytes and got["raw"] == raw
    assert got["nested"] == nested and got["big"] == 2**53


# ------------------------------------------------------------------ what Kindred must not use

FORBIDDEN = re.compile(
    r"\.(update_one|update_many|find_one_and_update)\(|[\"'](\$inc|\$push|\$pull|\$addToSet)[\"']"
)


def test_the_code_makes_no_read_modify_write_update() -> None:
    """Concurrent updates of one document are lost on FerretDB v1: the code must not update."""
    offending = []
    for src in SOURCE_ROOTS:
        for path in sorted(src.rglob("*.py")):
            lines = path.read_text(encoding="utf-8").splitlines()
            for number, line in enumerate(lines, start=1):
                if not line.lstrip().startswith("#") and FORBIDDEN.search(line):
                    offending.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offending, "read-modify-write updates in the code:\n" + "\n".join(offending)


async def test_a_late_write_never_undoes_a_newer_one(db: AsyncDatabase[Doc]) -> None:
    """Each write carries the log sequence number of its entry (`_v`); a put or delete from an
    older entry, applied late by a former owner, leaves a newer document alone."""
    await apply_writes(db, [(7, [Put("w", {"_id": "x", "state": "newer"})])])
    await apply_writes(db, [(5, [Put("w", {"_id": "x", "state": "older"})])])
    await apply_writes(db, [(6, [Delete("w", ("x",))])])
    assert await db["w"].find_one({"_id": "x"}) == {"_id": "x", "state": "newer", "_v": 7}
    await apply_writes(db, [(7, [Put("w", {"_id": "x", "state": "newer"})])])  # a replay
    await apply_writes(db, [(9, [Put("w", {"_id": "x", "state": "newest"})])])
    assert (await db["w"].find_one({"_id": "x"}) or {})["state"] == "newest"
    # Several batches at once (write-behind): each document carries its own batch's number.
    await apply_writes(
        db,
        [
            (10, [Insert("w", {"_id": "y", "k": 1}), Insert("w", {"_id": "y"})]),
            (11, [Insert("w", {"_id": "z", "k": 2}), Put("w", {"_id": "x", "state": "last"})]),
        ],
    )
    assert (await db["w"].find_one({"_id": "y"}) or {})["_v"] == 10
    assert (await db["w"].find_one({"_id": "x"}) or {}) == {"_id": "x", "state": "last", "_v": 11}
    await apply_writes(db, [(12, [Delete("w", (1, 2), field="k")]), (13, [Delete("w", ("x",))])])
    assert [d async for d in db["w"].find({})] == []
