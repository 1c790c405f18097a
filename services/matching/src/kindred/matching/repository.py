"""The matching service's collections. Nothing else touches them.

Every document belongs to one pool and carries the `partition` the pool's key falls in: only
the replica owning that partition writes it, so no two writers ever meet on one document, on
MongoDB or on FerretDB.

A thing that changes (a member, a request, a match, a block, a group) is stored as versions:
`_id` is `<key>#<version>`, and a change inserts the next version; nothing is updated or
deleted. A batch costs one `insert_many` per collection whatever its size, at any collection
size: FerretDB v1 answers any filter by scanning the collection (`_id` included), so a
`replace_one` per changed document, or a `delete_many` of the versions replaced, would scan it
once per change or per batch (measured: with 60,000 requests stored, deleting each batch's
replaced versions took matching from under 1 s to about 15 s a batch of 1,000 proposals). A
rebuild keeps the highest version of each key; the versions before it are the thing's history.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from kindred.events.vocabulary import AgeBand, Topic, Urgency
from kindred.matching.domain.pool import LIVE, Group, Match, Member, Pool, Request, pair
from kindred.storage.mongo import Document, Index

MEMBERS = "members"
REQUESTS = "requests"
MATCHES = "matches"
BLOCKS = "blocks"
GROUPS = "groups"

# On MongoDB these serve the rebuild of a pool and the lookups of people and tests;
# FerretDB v1 scans either way (the rebuild reads a partition's documents once).
INDEXES = [
    *(Index(c, [("key", 1)]) for c in (MEMBERS, REQUESTS, MATCHES, BLOCKS, GROUPS)),
    Index(MEMBERS, [("partition", 1)]),
    Index(REQUESTS, [("partition", 1)]),
    Index(REQUESTS, [("seeker_id", 1)]),
    Index(MATCHES, [("partition", 1)]),
    Index(MATCHES, [("supporter_id", 1)]),
    Index(BLOCKS, [("partition", 1)]),
    Index(GROUPS, [("partition", 1)]),
]


@dataclass(frozen=True)
class Where:
    pool: str
    partition: int

    def doc(self, **fields: Any) -> Document:
        return {**fields, "pool": self.pool, "partition": self.partition}


def versioned(doc: Document, version: int) -> Document:
    """The document of one version of the thing `doc["_id"]` names."""
    key = doc["_id"]
    return {**doc, "_id": version_id(key, version), "key": key, "ver": version}


def version_id(key: str, version: int) -> str:
    return f"{key}#{version}"


def newest(docs: Iterable[Document]) -> dict[str, Document]:
    """Each key's highest stored version, by key: what a thing is now."""
    out: dict[str, Document] = {}
    for doc in docs:
        current = out.get(doc["key"])
        if current is None or current["ver"] < doc["ver"]:
            out[doc["key"]] = doc
    return out


def member_doc(m: Member, at: Where) -> Document:
    return at.doc(
        _id=m.member_id,
        profile_time=m.profile_time,
        languages=sorted(m.languages),
        topics=sorted(m.topics),
        opted_out=sorted(m.opted_out),
        age_band=m.age_band.value if m.age_band else None,
        availability=format(m.availability, "x"),  # 168 bits: more than a BSON integer holds
        text=m.text,
        capacity=m.capacity,
        offers_support=m.offers_support,
        granted=m.granted,
        minors_cleared=m.minors_cleared,
        role_time=m.role_time,
        episodes=sorted(m.episodes),
        cooldown_until=m.cooldown_until,
    )


def member_from(doc: Document) -> Member:
    return Member(
        member_id=doc["key"],
        profile_time=doc["profile_time"],
        languages=frozenset(doc["languages"]),
        topics=frozenset(Topic(t) for t in doc["topics"]),
        opted_out=frozenset(Topic(t) for t in doc["opted_out"]),
        age_band=AgeBand(doc["age_band"]) if doc["age_band"] else None,
        availability=int(doc["availability"], 16),
        text=doc["text"],
        capacity=doc["capacity"],
        offers_support=doc["offers_support"],
        granted=doc["granted"],
        minors_cleared=doc["minors_cleared"],
        role_time=doc["role_time"],
        episodes=set(doc["episodes"]),
        cooldown_until=doc["cooldown_until"],
    )


def request_doc(r: Request, at: Where) -> Document:
    return at.doc(
        _id=r.request_id,
        seeker_id=r.seeker_id,
        topics=sorted(r.topics),
        language=r.language,
        urgency=r.urgency.value,
        whats_going_on=r.text,
        received_at=r.received_at,
        event_id=r.event_id,
        correlation_id=r.correlation_id,
        status=r.status,
        excluded=sorted(r.excluded),
        attempts=r.attempts,
        match_id=r.match_id,
        reason=r.reason,
    )


def request_from(doc: Document) -> Request:
    return Request(
        request_id=doc["key"],
        seeker_id=doc["seeker_id"],
        topics=frozenset(Topic(t) for t in doc["topics"]),
        language=doc["language"],
        urgency=Urgency(doc["urgency"]),
        text=doc["whats_going_on"],
        received_at=doc["received_at"],
        event_id=doc["event_id"],
        correlation_id=doc["correlation_id"],
        status=doc["status"],
        excluded=set(doc["excluded"]),
        attempts=doc["attempts"],
        match_id=doc["match_id"],
        reason=doc["reason"],
    )


def match_doc(m: Match, at: Where) -> Document:
    return at.doc(
        _id=m.match_id,
        request_id=m.request_id,
        seeker_id=m.seeker_id,
        supporter_id=m.supporter_id,
        attempt=m.attempt,
        language=m.language,
        shared_topics=list(m.shared_topics),
        score=m.score,
        breakdown=m.breakdown,
        proposed_at=m.proposed_at,
        expires_at=m.expires_at,
        requested_at=m.requested_at,
        state=m.state,
        changed_at=m.changed_at,
        by=m.by,
        reason=m.reason,
        rating=m.rating,
        feedback=m.feedback,
        reported=m.reported,
    )


def match_from(doc: Document) -> Match:
    return Match(
        match_id=doc["key"],
        request_id=doc["request_id"],
        seeker_id=doc["seeker_id"],
        supporter_id=doc["supporter_id"],
        attempt=doc["attempt"],
        language=doc["language"],
        shared_topics=[Topic(t) for t in doc["shared_topics"]],
        score=doc["score"],
        breakdown=doc["breakdown"],
        proposed_at=doc["proposed_at"],
        expires_at=doc["expires_at"],
        requested_at=doc["requested_at"],
        state=doc["state"],
        changed_at=doc["changed_at"],
        by=doc["by"],
        reason=doc["reason"],
        rating=doc["rating"],
        feedback=doc["feedback"],
        reported=doc["reported"],
    )


def block_doc(key: tuple[str, str], until: datetime | None, at: Where) -> Document:
    return at.doc(_id=f"{key[0]}|{key[1]}", a=key[0], b=key[1], until=until)


def group_doc(g: Group, at: Where) -> Document:
    return at.doc(
        _id=g.group_id,
        topic=g.topic.value,
        language=g.language,
        minors=g.minors,
        created_at=g.created_at,
        members=list(g.members),
    )


def group_from(doc: Document) -> Group:
    return Group(
        group_id=doc["key"],
        topic=Topic(doc["topic"]),
        language=doc["language"],
        minors=doc["minors"],
        created_at=doc["created_at"],
        members=list(doc["members"]),
    )


class MatchingRepository:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.db = db

    async def _find(self, collection: str, partition: int) -> list[Document]:
        return [doc async for doc in self.db[collection].find({"partition": partition})]

    async def load_pools(self, partition: int, make: Callable[[str], Pool]) -> dict[str, Pool]:
        """The pools whose key falls in `partition`, rebuilt from the newest version of each of
        their documents; `make(pool id)` gives an empty pool."""
        by_pool: dict[str, dict[str, list[Document]]] = {}
        versions: dict[str, dict[tuple[str, str], int]] = {}
        for collection in (MEMBERS, REQUESTS, MATCHES, BLOCKS, GROUPS):
            for key, doc in newest(await self._find(collection, partition)).items():
                by_pool.setdefault(doc["pool"], {}).setdefault(collection, []).append(doc)
                versions.setdefault(doc["pool"], {})[(collection, key)] = doc["ver"]
        pools: dict[str, Pool] = {}
        for pool_id, docs in by_pool.items():
            pool = make(pool_id)
            requests = [request_from(d) for d in docs.get(REQUESTS, [])]
            matches = [match_from(d) for d in docs.get(MATCHES, [])]
            pool.restore(
                members=[member_from(d) for d in docs.get(MEMBERS, [])],
                requests=[r for r in requests if r.status in ("open", "proposed")],
                seen=[r.request_id for r in requests],
                matches=[m for m in matches if m.state in LIVE],
                blocks={(d["a"], d["b"]): d["until"] for d in docs.get(BLOCKS, [])},
                reported=_reported(matches),
                groups=[group_from(d) for d in docs.get(GROUPS, [])],
                proposed=[(m.supporter_id, m.proposed_at) for m in matches],
            )
            pool.versions = versions[pool_id]
            pool.fill_vectors()
            pools[pool_id] = pool
        return pools


def _reported(matches: Iterable[Match]) -> list[tuple[str, str]]:
    return [pair(m.seeker_id, m.supporter_id) for m in matches if m.reported]
