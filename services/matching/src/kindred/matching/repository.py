"""The matching service's collections. Nothing else touches them.

Working sets (rebuilt when a partition is assigned) live in small collections written by the
partition's owner: `open_requests` (a seeker's side: each open request and the supporters it
asked or who declined, all deleted together once it is matched) and `directory` (one document
per partition: its supporters with their loads, for every replica to read). Histories only grow
and only get inserts: `requests`, `holds`. `profiles` gets a put per profile change. Every
document carries the `partition` its key falls in, the one whose owner writes it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import bson
from pymongo.asynchronous.database import AsyncDatabase

from kindred.events.matching import SupportRequested
from kindred.events.members import ProfileSubmitted
from kindred.events.vocabulary import Role, Topic
from kindred.matching.domain import (
    Ask,
    Candidate,
    OpenRequest,
    Pending,
    Requests,
    Supporter,
    Supporters,
)
from kindred.storage.mongo import Document, Index

PROFILES = "profiles"
DIRECTORY = "directory"
REQUESTS = "requests"
OPEN_REQUESTS = "open_requests"
HOLDS = "holds"

# On MongoDB these serve the rebuild of a partition and the reads below; FerretDB v1 scans.
INDEXES = [
    Index(PROFILES, [("partition", 1)]),
    Index(REQUESTS, [("seeker_id", 1)]),
    Index(OPEN_REQUESTS, [("partition", 1)]),
    Index(OPEN_REQUESTS, [("request_id", 1)]),
    Index(HOLDS, [("partition", 1)]),
    Index(HOLDS, [("supporter_id", 1)]),
]

OPEN, ASKED, DECLINED = "open", "asked", "declined"


# ---------------------------------------------------------------- documents


def profile_doc(event: ProfileSubmitted, partition: int) -> Document:
    data = event.data
    return {
        "_id": data.member_id,
        "partition": partition,
        **data.model_dump(mode="json", exclude={"member_id"}),
        "profile_time": event.time,
        "profile_event_id": event.id,
    }


def supporter_profile(event: ProfileSubmitted) -> Candidate | None:
    data = event.data
    if Role.SUPPORTER not in data.roles:
        return None
    return Candidate(
        member_id=data.member_id,
        topics=frozenset(data.topics),
        opted_out_topics=frozenset(data.opted_out_topics),
        languages=frozenset(data.languages),
        capacity=data.capacity,
        load=0,
    )


def request_doc(event: SupportRequested, partition: int, received_at: datetime) -> Document:
    data = event.data
    return {
        "_id": data.request_id,
        "partition": partition,
        "seeker_id": data.seeker_id,
        "topics": [t.value for t in data.topics],
        "language": data.language,
        "urgency": data.urgency.value,
        "whats_going_on": data.whats_going_on,
        "event_id": event.id,
        "correlation_id": event.correlationid,
        "received_at": received_at,
    }


def open_request_doc(pending: Pending, partition: int) -> Document:
    request = pending.request
    return {
        "_id": request.request_id,
        "request_id": request.request_id,
        "kind": OPEN,
        "partition": partition,
        "seeker_id": request.seeker_id,
        "topics": sorted(request.topics),
        "language": request.language,
        "event_id": pending.event_id,
        "correlation_id": pending.correlation_id,
        "received_at": pending.received_at,
    }


def step_doc(ask: Ask, kind: str, partition: int, at: datetime) -> Document:
    return {
        "_id": f"{ask.request_id}:{ask.attempt}:{kind}",
        "partition": partition,
        "request_id": ask.request_id,
        "attempt": ask.attempt,
        "supporter_id": ask.supporter_id,
        "kind": kind,
        "at": at,
    }


def hold_doc(
    request_id: str, supporter_id: str, seeker_id: str, match_id: str, partition: int, at: datetime
) -> Document:
    return {
        "_id": request_id,
        "partition": partition,
        "supporter_id": supporter_id,
        "seeker_id": seeker_id,
        "match_id": match_id,
        "at": at,
    }


def directory_doc(partition: int, supporters: Supporters, at: datetime) -> Document:
    """A partition's supporters and the slots they hold, as one opaque BSON value: every
    replica reads all partitions' documents each few seconds, and the server never has to look
    inside them."""
    entries = [
        {
            "_id": member_id,
            "topics": sorted(s.profile.topics),
            "opted_out_topics": sorted(s.profile.opted_out_topics),
            "languages": sorted(s.profile.languages),
            "capacity": s.profile.capacity,
            "holds": len(s.holds),
        }
        for member_id, s in sorted(supporters.members.items())
        if s.profile is not None
    ]
    return {"_id": partition, "at": at, "supporters": bson.encode({"entries": entries})}


# ---------------------------------------------------------------- reads


def _candidate(doc: Document, load: int = 0) -> Candidate:
    return Candidate(
        member_id=doc["_id"],
        topics=frozenset(Topic(t) for t in doc.get("topics", [])),
        opted_out_topics=frozenset(Topic(t) for t in doc.get("opted_out_topics", [])),
        languages=frozenset(doc.get("languages", [])),
        capacity=int(doc.get("capacity", 0)),
        load=load,
    )


class MatchingRepository:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.db = db

    async def _find(self, name: str, query: Document, **kw: Any) -> list[Document]:
        return [d async for d in self.db[name].find(query, **kw)]

    async def load_requests(self, partition: int) -> Requests:
        """A partition's open requests with whom they asked and who declined."""
        requests = Requests()
        docs = await self._find(OPEN_REQUESTS, {"partition": partition})
        for doc in sorted((d for d in docs if d["kind"] == OPEN), key=lambda d: d["received_at"]):
            request = OpenRequest(
                doc["_id"],
                doc["seeker_id"],
                frozenset(Topic(t) for t in doc["topics"]),
                doc["language"],
            )
            requests.add(
                Pending(request, doc["received_at"], doc["correlation_id"], doc["event_id"])
            )
        steps = (d for d in docs if d["kind"] != OPEN)
        for step in sorted(steps, key=lambda d: (d["attempt"], d["kind"] == DECLINED)):
            pending = requests.open.get(step["request_id"])
            if pending is None:
                continue
            pending.attempt = max(pending.attempt, step["attempt"])
            if step["kind"] == ASKED:
                pending.asking = step["supporter_id"]
            else:
                pending.declined_by.add(step["supporter_id"])
                if pending.asking == step["supporter_id"]:
                    pending.asking = None
        return requests

    async def load_supporters(self, partition: int) -> tuple[Supporters, dict[str, datetime]]:
        """A partition's supporters with the slots held, and every member's profile time."""
        supporters = Supporters()
        times: dict[str, datetime] = {}
        for doc in await self._find(PROFILES, {"partition": partition}):
            times[doc["_id"]] = doc["profile_time"]
            if Role.SUPPORTER.value in doc["roles"]:
                supporters.update_profile(doc["_id"], _candidate(doc))
        for doc in await self._find(
            HOLDS, {"partition": partition}, projection={"supporter_id": 1}
        ):
            # A member who stopped supporting still holds the slots of their matches.
            supporter = supporters.members.setdefault(doc["supporter_id"], Supporter(None))
            supporter.holds.add(doc["_id"])
        return supporters, times

    async def directory(self) -> list[Candidate]:
        """Every supporter, with the load their partition last published."""
        return [
            _candidate(entry, entry["holds"])
            for doc in await self._find(DIRECTORY, {})
            for entry in bson.decode(doc["supporters"])["entries"]
        ]
