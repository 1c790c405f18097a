"""Each member's recent scores and open safety episode, per owned partition: the working set
the safety rules and trends read. One document per member in `members`, written only by the
owner of the member's partition (a put per check-in)."""

from __future__ import annotations

from pymongo.asynchronous.database import AsyncDatabase

from kindred.checkins.domain.safety import MemberState
from kindred.observability.metrics import safety_episodes_open
from kindred.partitions.processor import Changes
from kindred.storage.mongo import Document, Index

MEMBERS = "members"
INDEXES = [Index(MEMBERS, [("partition", 1)])]


class Members:
    def __init__(self, db: AsyncDatabase[Document] | None) -> None:
        self.db = db
        self.by_partition: dict[int, dict[str, MemberState]] = {}
        # Members with an open episode, per partition: the gauge without a scan per check-in.
        self.in_episode: dict[int, set[str]] = {}

    async def load(self, partition: int) -> None:
        members: dict[str, MemberState] = {}
        if self.db is not None:
            async for doc in self.db[MEMBERS].find({"partition": partition}):
                state = MemberState.from_doc(doc)
                members[state.member_id] = state
        self.by_partition[partition] = members
        self.in_episode[partition] = {m for m, s in members.items() if s.episode is not None}
        self.count_episodes()

    def drop(self, partition: int) -> None:
        self.by_partition.pop(partition, None)
        self.in_episode.pop(partition, None)
        self.count_episodes()

    def get(self, partition: int, member_id: str) -> MemberState:
        members = self.by_partition.setdefault(partition, {})
        if member_id not in members:
            members[member_id] = MemberState(member_id, partition)
        return members[member_id]

    def save(self, state: MemberState, changes: Changes) -> None:
        changes.put(MEMBERS, state.to_doc())
        in_episode = self.in_episode.setdefault(state.partition, set())
        if (state.episode is not None) != (state.member_id in in_episode):
            if state.episode is None:
                in_episode.discard(state.member_id)
            else:
                in_episode.add(state.member_id)
            changes.then(self.count_episodes)

    def count_episodes(self) -> None:
        safety_episodes_open.set(sum(len(members) for members in self.in_episode.values()))
