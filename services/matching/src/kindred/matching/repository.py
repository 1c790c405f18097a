"""The matching service's collections, each a store of the partition store
(`kindred.partitions.store`), and their codecs; nothing else names them.

Every document belongs to one pool (`pool`) and carries the `partition` the pool's key falls
in: only the replica owning that partition writes it, so no two writers ever meet on one
document, on MongoDB or on FerretDB.

A thing that changes (a member, a request, a match, a block, a group) is stored as versions
(`Kind.VERSIONS`): `_id` is `<key>#<version>`, and a change inserts the next version; nothing is
updated or deleted. A batch costs one `insert_many` per collection whatever its size, at any
collection size: FerretDB v1 answers any filter by scanning the collection (`_id` included), so a
`replace_one` per changed document, or a `delete_many` of the versions replaced, would scan it
once per change or per batch (measured: with 60,000 requests stored, deleting each batch's
replaced versions took matching from under 1 s to about 15 s a batch of 1,000 proposals). A
rebuild keeps the highest version of each key; the versions before it are the thing's history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, NamedTuple, TypeVar

from kindred.events.matching import WaitStage
from kindred.events.vocabulary import AgeBand, Topic, Urgency
from kindred.matching.domain.pool import LIVE, Group, Match, Member, Request, Stamp
from kindred.partitions.store import Kind, Store
from kindred.storage.mongo import Document

T = TypeVar("T")


@dataclass(frozen=True)
class Pooled(Generic[T]):
    """A thing of one pool, as stored: every document names its pool."""

    pool: str
    item: T


class Block(NamedTuple):
    """A block between two members (`a` < `b`), until a time or for good (None)."""

    a: str
    b: str
    until: datetime | None


# The pool whose documents keep the plain key as their id (the default `MATCHING_POOL`). A
# member, a request or a block can be kept by two pools (a request referred to a neighbouring
# pool, with its seeker and the blocks that follow them there), and two pools may fall in two
# partitions, each numbering its own versions: in every other pool the id carries the pool.
HOME_POOL = "main"


def pool_key(key: str, pool: str) -> str:
    """The stored id (before its version) of a pool's thing with this key."""
    return key if pool == HOME_POOL else f"{key}@{pool}"


def member_doc(pooled: Pooled[Member]) -> Document:
    m = pooled.item
    return dict(
        _id=pool_key(m.member_id, pooled.pool),
        member_id=m.member_id,
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
        suspended_matching=m.suspended_matching,
        suspended_supporting=m.suspended_supporting,
        moderated_at=m.moderated_at,
        paused=m.paused,
        paused_at=m.paused_at,
        episodes=sorted(m.episodes),
        closed_episodes=list(m.closed_episodes),
        cooldown_until=m.cooldown_until,
        referred_to=sorted(m.referred_to),
        pool=pooled.pool,
    )


def member_from(doc: Document) -> Pooled[Member]:
    return Pooled(doc["pool"], _member(doc))


def _member(doc: Document) -> Member:
    return Member(
        member_id=doc.get("member_id") or doc["key"],
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
        # Versions stored before moderation existed lack these: no suspension, no pause.
        suspended_matching=doc.get("suspended_matching", False),
        suspended_supporting=doc.get("suspended_supporting", False),
        moderated_at=doc.get("moderated_at"),
        paused=doc.get("paused", False),
        paused_at=doc.get("paused_at"),
        episodes=set(doc["episodes"]),
        closed_episodes=tuple(doc.get("closed_episodes", ())),
        cooldown_until=doc["cooldown_until"],
        referred_to=set(doc.get("referred_to", ())),
    )


def request_doc(pooled: Pooled[Request]) -> Document:
    r = pooled.item
    return dict(
        _id=pool_key(r.request_id, pooled.pool),
        request_id=r.request_id,
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
        home=r.home,
        onward=list(r.onward),
        told=r.told.value if r.told else None,
        pool=pooled.pool,
    )


def request_from(doc: Document) -> Pooled[Request]:
    return Pooled(doc["pool"], _request(doc))


def _request(doc: Document) -> Request:
    return Request(
        request_id=doc.get("request_id") or doc["key"],
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
        home=doc.get("home"),
        onward=tuple(doc.get("onward", ())),
        # Versions stored before wait notices existed lack it: nothing told yet.
        told=WaitStage(doc["told"]) if doc.get("told") else None,
    )


def match_doc(pooled: Pooled[Match]) -> Document:
    m = pooled.item
    return dict(
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
        pool=pooled.pool,
    )


def match_from(doc: Document) -> Pooled[Match]:
    return Pooled(doc["pool"], _match(doc))


def _match(doc: Document) -> Match:
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


def block_doc(pooled: Pooled[Block]) -> Document:
    a, b, until = pooled.item
    return {
        "_id": pool_key(f"{a}|{b}", pooled.pool),
        "a": a,
        "b": b,
        "until": until,
        "pool": pooled.pool,
    }


def block_from(doc: Document) -> Pooled[Block]:
    return Pooled(doc["pool"], Block(doc["a"], doc["b"], doc["until"]))


def group_doc(pooled: Pooled[Group]) -> Document:
    g = pooled.item
    steps = sorted(g.steps.items())
    return dict(
        _id=g.group_id,
        topic=g.topic.value,
        language=g.language,
        minors=g.minors,
        created_at=g.created_at,
        members=list(g.members),
        # Each member's last step applied (`Group.steps`), as lists side by side: a member
        # field is a list of member ids (erasure goes through it).
        step_members=[k for k, _ in steps],
        step_times=[s.at for _, s in steps],
        step_ids=[s.event_id for _, s in steps],
        pool=pooled.pool,
    )


def group_from(doc: Document) -> Pooled[Group]:
    return Pooled(doc["pool"], _group(doc))


def _group(doc: Document) -> Group:
    return Group(
        group_id=doc["key"],
        topic=Topic(doc["topic"]),
        language=doc["language"],
        minors=doc["minors"],
        created_at=doc["created_at"],
        members=list(doc["members"]),
        # Versions stored before the steps were kept lack them: no step is refused then.
        steps={
            k: Stamp(at, event_id)
            for k, at, event_id in zip(
                doc.get("step_members", ()),
                doc.get("step_times", ()),
                doc.get("step_ids", ()),
                strict=True,
            )
        },
    )


@dataclass(frozen=True)
class Placement:
    """The pool a member is in, kept by the owner of the member's partition: set by their
    first profile, and kept (see `domain.placement`)."""

    member_id: str
    pool: str


def placement_doc(placement: Placement) -> Document:
    return {"_id": placement.member_id, "pool": placement.pool}


def placement_from(doc: Document) -> Placement:
    return Placement(doc["key"], doc["pool"])


@dataclass
class Held:
    """A member's events that came before any profile of theirs, while members are split into
    pools: they wait here, in order, until a profile places the member."""

    member_id: str
    events: list[dict[str, Any]]


# The fields of a member's events that name a member (the subject is the member).
_NAMING = ("member_id", "seeker_id", "supporter_id", "blocked_id", "staff_id")


def held_doc(held: Held) -> Document:
    named = {held.member_id}
    for event in held.events:
        data = event.get("data") or {}
        named.update(v for k in _NAMING if isinstance(v := data.get(k), str) and v)
    return {"_id": held.member_id, "events": held.events, "members": sorted(named)}


def held_from(doc: Document) -> Held:
    return Held(doc["_id"], list(doc["events"]))


def _proposal_due(pooled: Pooled[Match]) -> datetime | None:
    match = pooled.item
    return match.expires_at if match.state == "proposed" else None


# The rebuild of a pool reads a partition's documents once (`partition`, every store has it);
# `seeker_id` and `supporter_id` serve people and tests looking things up on MongoDB.
MEMBERS = Store(
    "members",
    member_doc,
    member_fields=("key", "member_id"),
    decode=member_from,
    kind=Kind.VERSIONS,
)
REQUESTS = Store(
    "requests",
    request_doc,
    member_fields=("seeker_id", "excluded"),
    decode=request_from,
    kind=Kind.VERSIONS,
    keep=lambda r: r.item.status in ("open", "proposed"),
    indexes=((("seeker_id", 1),),),
)
# Timers: each proposal's deadline (it expires unanswered).
MATCHES = Store(
    "matches",
    match_doc,
    member_fields=("seeker_id", "supporter_id", "by"),
    decode=match_from,
    kind=Kind.VERSIONS,
    keep=lambda m: m.item.state in LIVE,
    due=_proposal_due,
    indexes=((("supporter_id", 1),),),
)
BLOCKS = Store("blocks", block_doc, member_fields=("a", "b"), decode=block_from, kind=Kind.VERSIONS)
GROUPS = Store(
    "groups",
    group_doc,
    member_fields=("members", "step_members"),
    decode=group_from,
    kind=Kind.VERSIONS,
)
# Kept by the members' partitions (not a pool's): which pool each member's events go to.
PLACEMENTS = Store(
    "placements",
    placement_doc,
    member_fields=("key",),
    decode=placement_from,
    kind=Kind.VERSIONS,
)
# Kept by the members' partitions: the events of members not placed yet.
HELD = Store("held", held_doc, member_fields=("_id", "members"), decode=held_from)
STORES = (MEMBERS, REQUESTS, MATCHES, BLOCKS, GROUPS, PLACEMENTS, HELD)
