"""What matching does with each event of the partitions it owns: decode is done by the
runtime; here each event goes to the domain, and what the domain decided becomes writes and
events. Business rules live in `domain`; documents and reads in `repository`.

Two sides meet here. A seeker's partition keeps the open requests and asks one supporter at a
time (`SlotRequested`, keyed by the supporter). The supporter's partition, the only writer of
that supporter's capacity, holds a slot or declines (`SlotAnswered`, keyed by the seeker) and
proposes the match (`MatchProposed`).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from kindred.events.envelope import Envelope
from kindred.events.matching import SlotAnswered, SlotRequested, SupportRequested
from kindred.events.members import ProfileSubmitted
from kindred.matching import repository as store
from kindred.matching.domain import (
    Ask,
    Candidate,
    Directory,
    OpenRequest,
    Pending,
    Requests,
    Supporters,
    match_id_for,
    match_proposed,
    slot_answered,
    slot_requested,
)
from kindred.matching.repository import MatchingRepository
from kindred.matching.settings import MatchingSettings
from kindred.observability.metrics import (
    directory_supporters,
    matches_proposed,
    open_requests,
    requests_waiting,
)
from kindred.partitions.processor import Changes

log = logging.getLogger(__name__)


class Matching:
    """The matching processor: working sets per owned partition, one directory per replica."""

    events = (ProfileSubmitted, SupportRequested, SlotRequested, SlotAnswered)

    def __init__(self, settings: MatchingSettings, repo: MatchingRepository) -> None:
        self.settings = settings
        self.repo = repo
        self.source = f"kindred/{settings.service_name}"
        self.directory = Directory(window=settings.candidate_limit)
        self.requests: dict[int, Requests] = {}
        self.supporters: dict[int, Supporters] = {}
        self.profile_times: dict[int, dict[str, datetime]] = {}
        # Partitions whose supporters or loads changed since their directory document was put.
        self.changed: set[int] = set()
        self.rematched_at: dict[int, datetime] = {}

    # ---------------------------------------------------------------- ownership

    async def load(self, partition: int) -> None:
        requests = await self.repo.load_requests(partition)
        supporters, times = await self.repo.load_supporters(partition)
        self.requests[partition] = requests
        self.supporters[partition] = supporters
        self.profile_times[partition] = times
        self.changed.add(partition)
        self._gauge()

    def drop(self, partition: int) -> None:
        for held in (self.requests, self.supporters, self.profile_times, self.rematched_at):
            held.pop(partition, None)
        self.changed.discard(partition)
        self._gauge()

    def handle(self, partition: int, event: Envelope[Any], changes: Changes) -> None:
        match event:
            case ProfileSubmitted():
                self._profile_submitted(partition, event, changes)
            case SupportRequested():
                self._support_requested(partition, event, changes)
            case SlotRequested():
                self._slot_requested(partition, event, changes)
            case SlotAnswered():
                self._slot_answered(partition, event, changes)

    def tick(self, partition: int, changes: Changes) -> None:
        """Ask again for requests that wait, every `REMATCH_INTERVAL_SECONDS`; publish the
        partition's supporters and loads for the other replicas when they changed."""
        last = self.rematched_at.get(partition)
        due = timedelta(seconds=self.settings.rematch_interval_seconds)
        if last is None or changes.now - last >= due:
            self.rematched_at[partition] = changes.now
            waiting = self.requests[partition].to_retry()
            for pending in waiting[: self.settings.rematch_batch_size]:
                self._ask(partition, pending, changes)
        if partition in self.changed:
            doc = store.directory_doc(partition, self.supporters[partition], changes.now)
            changes.put(store.DIRECTORY, doc)
            changes.then(lambda: self.changed.discard(partition))

    async def refresh_directory(self) -> None:
        """Reload every supporter (other replicas' partitions too); exact loads for our own."""
        stored = await self.repo.directory()
        own = {
            member_id: _with_load(s.profile, len(s.holds))
            for supporters in self.supporters.values()
            for member_id, s in supporters.members.items()
            if s.profile is not None
        }
        self.directory.refresh([*own.values(), *(c for c in stored if c.member_id not in own)])
        self._gauge()

    # ---------------------------------------------------------------- a member's side

    def _profile_submitted(self, partition: int, event: ProfileSubmitted, changes: Changes) -> None:
        member_id = event.data.member_id
        times = self.profile_times[partition]
        if member_id in times and times[member_id] >= event.time:
            return  # an older profile never overwrites a newer one
        times[member_id] = event.time
        changes.put(store.PROFILES, store.profile_doc(event, partition))
        profile = store.supporter_profile(event)
        supporters = self.supporters[partition]
        was_supporting = member_id in supporters.members
        supporters.update_profile(member_id, profile)
        if profile is None:
            self.directory.forget(member_id)
        else:
            held = len(supporters.members[member_id].holds)
            self.directory.learn(_with_load(profile, held))
        if profile is not None or was_supporting:
            self.changed.add(partition)

    # ---------------------------------------------------------------- a seeker's side

    def _support_requested(self, partition: int, event: SupportRequested, changes: Changes) -> None:
        data = event.data
        request = OpenRequest(
            data.request_id, data.seeker_id, frozenset(data.topics), data.language
        )
        pending = Pending(request, changes.now, event.correlationid, event.id)
        if not self.requests[partition].add(pending):
            return  # already open
        changes.insert(store.REQUESTS, store.request_doc(event, partition, changes.now))
        changes.insert(store.OPEN_REQUESTS, store.open_request_doc(pending, partition))
        self._ask(partition, pending, changes)

    def _ask(self, partition: int, pending: Pending, changes: Changes) -> None:
        was_waiting = pending.waiting
        ask = self.requests[partition].ask_next(pending, self.directory)
        if ask is None:
            if not was_waiting:
                changes.then(requests_waiting.inc)
            return
        changes.insert(
            store.OPEN_REQUESTS, store.step_doc(ask, store.ASKED, partition, changes.now)
        )
        changes.emit(slot_requested(pending, ask, self.source))

    def _slot_answered(self, partition: int, event: SlotAnswered, changes: Changes) -> None:
        answer = event.data
        requests = self.requests[partition]
        pending = requests.open.get(answer.request_id)
        outcome = requests.answered(answer)
        if outcome == "granted":
            changes.delete(store.OPEN_REQUESTS, answer.request_id, field="request_id")
            changes.then(self._gauge)
        elif outcome == "declined" and pending is not None:
            ask = Ask(answer.request_id, answer.supporter_id, answer.attempt)
            changes.insert(
                store.OPEN_REQUESTS, store.step_doc(ask, store.DECLINED, partition, changes.now)
            )
            if answer.reason == "full":
                self.directory.full(answer.supporter_id)
            self._ask(partition, pending, changes)

    # ---------------------------------------------------------------- a supporter's side

    def _slot_requested(self, partition: int, event: SlotRequested, changes: Changes) -> None:
        slot = event.data
        supporters = self.supporters[partition]
        decision = supporters.decide(event)
        if decision in ("granted", "held-already"):
            profile = supporters.members[slot.supporter_id].profile
            proposed = match_proposed(event, profile, self.source)
            if decision == "granted":
                changes.insert(
                    store.HOLDS,
                    store.hold_doc(
                        slot.request_id,
                        slot.supporter_id,
                        slot.seeker_id,
                        match_id_for(slot.request_id),
                        partition,
                        changes.now,
                    ),
                )
                self.changed.add(partition)
                changes.then(matches_proposed.inc)
                changes.then(
                    lambda: log.info(
                        "match proposed",
                        extra={"request_id": slot.request_id, "match_id": proposed.subject},
                    )
                )
            changes.emit(proposed)
        changes.emit(slot_answered(event, decision, self.source))

    def _gauge(self) -> None:
        directory_supporters.set(len(self.directory.supporters))
        open_requests.set(sum(len(r.open) for r in self.requests.values()))


def _with_load(profile: Candidate, load: int) -> Candidate:
    return replace(profile, load=load)
