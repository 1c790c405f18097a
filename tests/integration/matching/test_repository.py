"""Slot reservation on the MongoDB-protocol server: single-document atomic updates only."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from pymongo import AsyncMongoClient

from kindred.events.vocabulary import Topic
from kindred.matching.domain import Candidate
from kindred.matching.repository import INDEXES, MatchingRepository
from kindred.storage.mongo import ensure_indexes
from tests.support.factories import profile_submitted
from tests.support.infra import Infra


@pytest.fixture
async def repo(infra: Infra, namespace: str) -> AsyncIterator[MatchingRepository]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(infra.mongodb_url)
    db = client[f"{namespace}_matching"]
    await ensure_indexes(db, INDEXES)
    yield MatchingRepository(db)
    await client.drop_database(db.name)
    await client.close()


def supporter(capacity: int) -> Candidate:
    return Candidate(
        "sam", frozenset({Topic.GRIEF}), frozenset(), frozenset({"en"}), capacity=capacity, load=0
    )


async def test_a_slot_is_reserved_once_per_request_and_capacity_holds(
    repo: MatchingRepository,
) -> None:
    assert await repo.save_profile(profile_submitted("sam", capacity=2))
    sam = supporter(capacity=2)
    assert await repo.reserve(sam, "r1")
    assert not await repo.reserve(sam, "r1")  # the same request again: no second slot
    assert await repo.reserve(sam, "r2")
    assert not await repo.reserve(sam, "r3")  # full
    held = await repo.reservation_of("r2")
    assert held is not None and held.member_id == "sam" and held.load == 2

    await repo.release("sam", "r1")
    await repo.release("sam", "r1")  # releasing twice frees one slot only
    assert await repo.reserve(sam, "r3")
    stored = await repo.profiles.find_one({"_id": "sam"})
    assert stored is not None
    assert sorted(stored["load"]) == ["r2", "r3"] and stored["load_count"] == 2


async def test_a_replayed_profile_is_skipped(repo: MatchingRepository) -> None:
    event = profile_submitted("sam")
    assert await repo.save_profile(event)
    assert not await repo.save_profile(event)
