"""The partition store without I/O: what each kind of store writes, what a table keeps in
memory, how it is rebuilt from the documents, and its timers."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from kindred.partitions.processor import Changes
from kindred.partitions.store import Kind, Store, Tables, newest, versioned
from kindred.storage.writes import Insert, Put

pytestmark = pytest.mark.unit

T0 = datetime(2026, 12, 1, 12, tzinfo=UTC)


@dataclass(frozen=True)
class Item:
    key: str
    member: str
    done: bool = False
    due_at: datetime | None = None


def item_doc(item: Item) -> dict[str, Any]:
    return {"_id": item.key, "member": item.member, "done": item.done, "due_at": item.due_at}


def item_from(doc: dict[str, Any]) -> Item:
    return Item(doc.get("key", doc["_id"]), doc["member"], doc["done"], doc["due_at"])


STATE = Store(
    "state",
    item_doc,
    member_fields=("member",),
    decode=item_from,
    keep=lambda i: not i.done,
    due=lambda i: i.due_at,
)
VERSIONS = Store(
    "versions", item_doc, member_fields=("member",), decode=item_from, kind=Kind.VERSIONS
)
HISTORY = Store("history", item_doc, member_fields=("member",), kind=Kind.HISTORY)
STORES = (STATE, VERSIONS, HISTORY)


def changes(tables: Tables, now: datetime = T0) -> Changes:
    return Changes("t", now=now, tables=tables)


def documents(c: Changes) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for write in c.writes:
        assert isinstance(write, Insert | Put)
        out.setdefault(write.collection, []).append(write.doc)
    return out


def test_each_kind_writes_its_way_and_stamps_the_partition() -> None:
    c = changes(Tables(STORES, partition=4))
    c.put(STATE, Item("a", "m1"))
    c.put(VERSIONS, Item("b", "m2"))
    c.put(VERSIONS, Item("b", "m2", done=True))
    c.insert(HISTORY, Item("c", "m3"))
    assert [type(w).__name__ for w in c.writes] == ["Put", "Insert", "Insert", "Insert"]
    docs = documents(c)
    assert docs["state"] == [{**item_doc(Item("a", "m1")), "partition": 4}]
    assert [(d["_id"], d["key"], d["ver"], d["done"]) for d in docs["versions"]] == [
        ("b#1", "b", 1, False),
        ("b#2", "b", 2, True),
    ]
    assert all(d["partition"] == 4 for d in docs["versions"] + docs["history"])
    assert c.get(STATE, "a") == Item("a", "m1")
    assert c.get(VERSIONS, "b") == Item("b", "m2", done=True)


def test_a_store_is_written_only_its_own_way_and_only_by_its_service() -> None:
    c = changes(Tables((STATE, HISTORY)))
    with pytest.raises(TypeError):
        c.put(HISTORY, Item("a", "m1"))
    with pytest.raises(TypeError):
        c.insert(STATE, Item("a", "m1"))
    with pytest.raises(KeyError):
        c.put(VERSIONS, Item("a", "m1"))
    assert c.writes == []


def test_a_store_declares_its_member_fields_and_a_loaded_one_its_decoder() -> None:
    with pytest.raises(ValueError, match="member"):
        Store("x", item_doc, member_fields=())
    with pytest.raises(ValueError, match="decode"):
        Store("x", item_doc, member_fields=("member",))
    names = [i.name for s in STORES for i in s.index_list()]
    assert names == ["partition_1", "partition_1", "key_1"]


def test_what_a_store_does_not_keep_is_written_then_forgotten() -> None:
    c = changes(Tables(STORES))
    c.put(STATE, Item("a", "m1"))
    c.put(STATE, Item("a", "m1", done=True))
    assert c.get(STATE, "a") is None
    assert [w.doc["done"] for w in c.writes] == [False, True]


def test_tables_rebuilt_from_documents_hold_everything_until_settled() -> None:
    c = changes(Tables(STORES, partition=1))
    c.put(STATE, Item("live", "m1"))
    c.put(STATE, Item("finished", "m1", done=True))
    for done in (False, False, True):
        c.put(VERSIONS, Item("v", "m2", done=done))
    docs = documents(c)
    rebuilt = Tables.from_docs(STORES, 1, docs)
    # Everything stored, newest version of each key: what a processor's `load` sees.
    assert sorted(i.key for i in rebuilt[STATE]) == ["finished", "live"]
    assert rebuilt[VERSIONS].get("v") == Item("v", "m2", done=True)
    rebuilt.settle()
    assert [i.key for i in rebuilt[STATE]] == ["live"]
    # A version after a rebuild follows the newest stored one.
    again = changes(rebuilt)
    again.put(VERSIONS, Item("v", "m2"))
    assert [w.doc["_id"] for w in again.writes] == ["v#4"]


def test_newest_keeps_the_highest_version_of_each_key() -> None:
    docs = [versioned({"_id": "k", "n": n}, n) for n in (2, 3, 1)] + [
        versioned({"_id": "j", "n": 9}, 1)
    ]
    assert {k: d["n"] for k, d in newest(docs).items()} == {"k": 3, "j": 9}


def test_due_items_come_soonest_first_and_a_change_moves_their_timer() -> None:
    c = changes(Tables(STORES))
    for key, minutes in (("late", 30), ("soon", 5), ("sooner", 1), ("never", None)):
        due_at = None if minutes is None else T0 + timedelta(minutes=minutes)
        c.put(STATE, Item(key, "m1", due_at=due_at))
    c.put(STATE, Item("soon", "m1", due_at=T0 + timedelta(minutes=60)))  # moved later
    table = c.items(STATE)
    assert table.due(T0) == []
    at = T0 + timedelta(minutes=45)
    assert [i.key for i in table.due(at)] == ["sooner", "late"]
    assert table.due(at) == []  # spent: the next change plans the next one
    assert [i.key for i in table.due(T0 + timedelta(hours=2))] == ["soon"]


def test_due_takes_at_most_the_limit_and_leaves_the_rest_due() -> None:
    c = changes(Tables(STORES))
    for n in range(5):
        c.put(STATE, Item(f"k{n}", "m1", due_at=T0 + timedelta(seconds=n)))
    later = changes(c.tables, now=T0 + timedelta(minutes=1))
    assert [i.key for i in later.due(STATE, limit=2)] == ["k0", "k1"]
    assert [i.key for i in later.due(STATE)] == ["k2", "k3", "k4"]


def test_a_handler_can_set_a_timer_of_its_own_and_cancel_it() -> None:
    c = changes(Tables(STORES))
    c.put(STATE, Item("a", "m1"))
    c.put(STATE, Item("b", "m1"))
    c.wake(STATE, "a", T0 + timedelta(seconds=10))
    c.wake(STATE, "b", T0 + timedelta(seconds=10))
    c.wake(STATE, "b", None)
    assert [i.key for i in c.items(STATE).due(T0 + timedelta(seconds=10))] == ["a"]


def test_a_forgotten_item_is_never_due() -> None:
    c = changes(Tables(STORES))
    c.put(STATE, Item("a", "m1", due_at=T0))
    c.put(STATE, replace(Item("a", "m1", due_at=T0), done=True))
    assert c.due(STATE) == []


def test_timers_survive_many_changes_of_the_same_items() -> None:
    c = changes(Tables(STORES))
    for round_ in range(3000):
        for key in ("a", "b"):
            c.put(STATE, Item(key, "m1", due_at=T0 + timedelta(seconds=round_)))
    table = c.items(STATE)
    assert len(table._timers) < 2 * 2 + 1100  # superseded timers are compacted away
    assert table.due(T0 + timedelta(seconds=2998)) == []
    assert [i.key for i in table.due(T0 + timedelta(seconds=2999))] == ["a", "b"]


def test_rebuilt_tables_plan_every_timer() -> None:
    c = changes(Tables(STORES))
    c.put(STATE, Item("a", "m1", due_at=T0))
    c.put(STATE, Item("b", "m1", due_at=T0 + timedelta(hours=1)))
    rebuilt = Tables.from_docs(STORES, 0, documents(c))
    assert [i.key for i in rebuilt[STATE].due(T0)] == ["a"]
