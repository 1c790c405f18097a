"""The matching service's collections: `profiles` and `requests`. Nothing else touches them.

Every write is a single-document atomic operation. A supporter's load is the list of request
ids holding one of their slots, so reserving a slot twice for the same request is impossible.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo import ReturnDocument
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from kindred.events.matching import SupportRequested
from kindred.events.members import ProfileSubmitted
from kindred.events.vocabulary import Role, Topic
from kindred.matching.domain import Candidate, OpenRequest
from kindred.storage.mongo import Document, DuplicateKeyError, Index

INDEXES = [
    Index("profiles", [("roles", 1), ("languages", 1)]),
    Index("requests", [("seeker_id", 1)]),
    Index("requests", [("status", 1), ("received_at", 1)]),
    Index("requests", [("outbox_pending", 1), ("outbox_at", 1)]),
]

OPEN, WAITING, PROPOSED = "open", "waiting", "proposed"


class MatchingRepository:
    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.profiles: AsyncCollection[Document] = db["profiles"]
        self.requests: AsyncCollection[Document] = db["requests"]

    async def save_profile(self, event: ProfileSubmitted) -> bool:
        """Store the profile unless a newer one is already stored; False for stale or replayed."""
        data = event.data
        profile = data.model_dump(mode="json", exclude={"member_id"})
        try:
            await self.profiles.update_one(
                {
                    "_id": data.member_id,
                    "$or": [
                        {"profile_time": {"$lt": event.time}},
                        {"profile_time": {"$exists": False}},
                    ],
                },
                {
                    "$set": {**profile, "profile_time": event.time, "profile_event_id": event.id},
                    "$setOnInsert": {"load": [], "load_count": 0},
                },
                upsert=True,
            )
        except DuplicateKeyError:
            return False  # the stored profile is as new or newer
        return True

    async def open_request(self, event: SupportRequested, received_at: datetime) -> Document:
        """Insert the request, or return the one already stored by an earlier delivery."""
        data = event.data
        doc: Document = {
            "_id": data.request_id,
            "seeker_id": data.seeker_id,
            "topics": [t.value for t in data.topics],
            "language": data.language,
            "urgency": data.urgency.value,
            "whats_going_on": data.whats_going_on,
            "status": OPEN,
            "event_id": event.id,
            "correlation_id": event.correlationid,
            "received_at": received_at,
        }
        try:
            await self.requests.insert_one(doc)
        except DuplicateKeyError:
            existing = await self.requests.find_one({"_id": data.request_id})
            assert existing is not None
            return existing
        return doc

    async def candidates(self, request: OpenRequest, limit: int) -> list[Candidate]:
        cursor = self.profiles.find(
            {
                "roles": Role.SUPPORTER.value,
                "languages": request.language,
                "topics": {"$in": sorted(request.topics)},
                "_id": {"$ne": request.seeker_id},
            },
            limit=limit,
        )
        return [_candidate(doc) async for doc in cursor]

    async def reservation_of(self, request_id: str) -> Candidate | None:
        """The supporter already holding a slot for this request (an earlier, interrupted try)."""
        doc = await self.profiles.find_one({"load": request_id})
        return _candidate(doc) if doc else None

    async def reserve(self, candidate: Candidate, request_id: str) -> bool:
        result = await self.profiles.update_one(
            {
                "_id": candidate.member_id,
                "load": {"$ne": request_id},
                "load_count": {"$lt": candidate.capacity},
            },
            {"$push": {"load": request_id}, "$inc": {"load_count": 1}},
        )
        return result.modified_count == 1

    async def record_proposal(
        self, request_id: str, supporter_id: str, match_id: str, outbox: Document
    ) -> Document | None:
        return await self.requests.find_one_and_update(
            {"_id": request_id, "status": {"$in": [OPEN, WAITING]}},
            {
                "$set": {
                    "status": PROPOSED,
                    "supporter_id": supporter_id,
                    "match_id": match_id,
                    **outbox,
                }
            },
            return_document=ReturnDocument.AFTER,
        )

    async def release(self, supporter_id: str, request_id: str) -> None:
        await self.profiles.update_one(
            {"_id": supporter_id, "load": request_id},
            {"$pull": {"load": request_id}, "$inc": {"load_count": -1}},
        )

    async def waiting_requests(self, limit: int) -> list[Document]:
        cursor = self.requests.find({"status": WAITING}, sort=[("received_at", 1)], limit=limit)
        return [doc async for doc in cursor]

    async def mark_waiting(self, request_id: str) -> None:
        await self.requests.update_one(
            {"_id": request_id, "status": OPEN}, {"$set": {"status": WAITING}}
        )


def open_request_of(doc: Document) -> OpenRequest:
    return OpenRequest(
        request_id=doc["_id"],
        seeker_id=doc["seeker_id"],
        topics=frozenset(Topic(t) for t in doc["topics"]),
        language=doc["language"],
    )


def _candidate(doc: dict[str, Any]) -> Candidate:
    return Candidate(
        member_id=doc["_id"],
        topics=frozenset(Topic(t) for t in doc.get("topics", [])),
        opted_out_topics=frozenset(Topic(t) for t in doc.get("opted_out_topics", [])),
        languages=frozenset(doc.get("languages", [])),
        capacity=int(doc.get("capacity", 0)),
        load=int(doc.get("load_count", 0)),
    )
