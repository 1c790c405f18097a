"""The check-ins service's collections, each a store of the partition store
(`kindred.partitions.store`); nothing else names them. Written only by the owner of the
member's partition.

- `members`: each member's recent scores, open safety episode (with its alert ids), the
  episodes closed lately and the country of their profile (one document per member, replaced
  at each check-in, profile or close): what the safety and trend rules read, and what the
  internal API serves (`SafetyQueries`).
- `schedules`: each member's check-in schedule and where it stands (one document per member).
- `checkins`: every check-in with the member's answers, the note, the scores and the rules it
  fired; inserted once, never read back by the processor. Private: no event copies the answers
  or the note; only the internal API serves them to staff (`CheckinQueries`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from kindred.checkins.domain.safety import CheckinRecord, Episode, MemberState
from kindred.checkins.domain.schedules import MemberSchedule, Occurrence, Open, Schedule
from kindred.events.vocabulary import Weekday, parse_hhmm
from kindred.partitions.store import Kind, Store
from kindred.staff_views import CheckinView, EpisodeView, MemberCheckins
from kindred.storage.mongo import Document

_DAYS = list(Weekday)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def member_doc(state: MemberState) -> Document:
    episode = state.episode
    return {
        "_id": state.member_id,
        "moods": list(state.moods),
        "who5": list(state.who5),
        "episode": None
        if episode is None
        else {
            "id": episode.episode_id,
            "opened_at": episode.opened_at,
            "alerts": episode.alerts,
            "alert_ids": list(episode.alert_ids),
        },
        "closed_episodes": list(state.closed),
        "country": state.country,
        "profile_at": state.profile_at,
    }


def member_from(doc: Document) -> MemberState:
    # Documents written before a field existed lack it: its default.
    episode = doc.get("episode")
    profile_at = doc.get("profile_at")
    return MemberState(
        member_id=doc["_id"],
        moods=tuple(doc.get("moods", ())),
        who5=tuple(doc.get("who5", ())),
        episode=None
        if episode is None
        else Episode(
            episode["id"],
            _utc(episode["opened_at"]),
            episode["alerts"],
            tuple(episode.get("alert_ids", ())),
        ),
        country=doc.get("country"),
        profile_at=None if profile_at is None else _utc(profile_at),
        closed=tuple(doc.get("closed_episodes", ())),
    )


def schedule_doc(state: MemberSchedule) -> Document:
    s = state.schedule
    return {
        "_id": state.member_id,
        "member_id": state.member_id,
        "time_zone": s.time_zone,
        "local_time": s.hhmm,
        "days": [_DAYS[n].value for n in sorted(s.days)],
        "enabled": s.enabled,
        "set_at": state.set_at,
        "set_event_id": state.set_event_id,
        "set_correlation_id": state.set_correlation_id,
        "next_date": state.next.local_date.isoformat() if state.next else None,
        "next_due": state.next.due_at if state.next else None,
        "last_date": state.last_date.isoformat() if state.last_date else None,
        "open": [
            {
                "occurrence_id": o.occurrence_id,
                "local_date": o.local_date.isoformat(),
                "due_at": o.due_at,
                "window_ends_at": o.window_ends_at,
                "reminded": o.reminded,
            }
            for o in state.open
        ],
    }


def schedule_from_doc(doc: Document) -> MemberSchedule:
    next_due = doc.get("next_due")
    return MemberSchedule(
        member_id=doc["member_id"],
        schedule=Schedule(
            time_zone=doc["time_zone"],
            local_time=parse_hhmm(doc["local_time"]),
            days=frozenset(Weekday(d).number for d in doc["days"]),
            enabled=doc["enabled"],
        ),
        set_at=_utc(doc["set_at"]),
        set_event_id=doc["set_event_id"],
        set_correlation_id=doc["set_correlation_id"],
        next=(
            Occurrence(date.fromisoformat(doc["next_date"]), _utc(next_due))
            if next_due is not None
            else None
        ),
        last_date=date.fromisoformat(doc["last_date"]) if doc.get("last_date") else None,
        open=[
            Open(
                o["occurrence_id"],
                date.fromisoformat(o["local_date"]),
                _utc(o["due_at"]),
                _utc(o["window_ends_at"]),
                o["reminded"],
            )
            for o in doc.get("open", [])
        ],
    )


def checkin_doc(record: CheckinRecord) -> Document:
    scores: Any = None if record.scores is None else record.scores.model_dump(mode="json")
    return {
        "_id": record.checkin_id,
        "member_id": record.member_id,
        "answers": record.answers,
        "scores": scores,
        "safety_rules": [str(rule) for rule in record.rules],
        "review": [str(reason) for reason in record.review],
        "accepted_at": record.accepted_at,
        "recorded_at": record.recorded_at,
        "event_id": record.event_id,
    }


MEMBERS = Store("members", member_doc, member_fields=("_id",), decode=member_from)
# Timers: the processor plans each schedule's next reminder or missed check-in itself, after
# every change and again on every load (they depend on the partition's take-over time).
SCHEDULES = Store(
    "schedules", schedule_doc, member_fields=("_id", "member_id"), decode=schedule_from_doc
)
CHECKINS = Store(
    "checkins",
    checkin_doc,
    member_fields=("member_id",),
    kind=Kind.HISTORY,
    indexes=((("member_id", 1), ("recorded_at", -1)),),
)
STORES = (MEMBERS, SCHEDULES, CHECKINS)


class SafetyQueries:
    """The internal API's one read: a member's country and open safety episode. Reads only;
    the owner of the member's partition writes (a read may trail its last batch by up to
    WRITE_BEHIND_SECONDS)."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.members = db[MEMBERS.collection]

    async def member(self, member_id: str) -> MemberState | None:
        """The member's state as stored; None for a member this service has not seen (no
        check-in, no profile yet)."""
        doc = await self.members.find_one({"_id": member_id})
        return None if doc is None else member_from(doc)


def checkin_view(doc: Document) -> CheckinView:
    accepted_at = doc.get("accepted_at")
    return CheckinView(
        checkin_id=doc["_id"],
        recorded_at=_utc(doc["recorded_at"]),
        accepted_at=None if accepted_at is None else _utc(accepted_at),
        answers=doc.get("answers") or {},
        scores=doc.get("scores"),
        safety_rules=list(doc.get("safety_rules", ())),
        review=list(doc.get("review", ())),
    )


class CheckinQueries:
    """What staff read of a member's check-ins (answers and note included): reads only, like
    `SafetyQueries`; a read may trail the owner's last batch."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self.members = db[MEMBERS.collection]
        self.checkins = db[CHECKINS.collection]

    async def checkin(self, member_id: str, checkin_id: str) -> CheckinView | None:
        """One of the member's check-ins (None: not theirs, or not stored yet)."""
        doc = await self.checkins.find_one({"_id": checkin_id, "member_id": member_id})
        return None if doc is None else checkin_view(doc)

    async def member_checkins(self, member_id: str, limit: int) -> MemberCheckins:
        """The newest `limit` check-ins first, the scores the trend rules read and the open
        episode; empty for a member never seen."""
        # A batch records its check-ins at one time: the acceptance time orders them within it.
        cursor = self.checkins.find({"member_id": member_id}).sort(
            [("recorded_at", -1), ("accepted_at", -1), ("_id", -1)]
        )
        docs = await cursor.limit(limit).to_list(length=limit)
        found = await self.members.find_one({"_id": member_id})
        state = None if found is None else member_from(found)
        episode = None if state is None else state.episode
        return MemberCheckins(
            member_id=member_id,
            checkins=[checkin_view(doc) for doc in docs],
            moods=[] if state is None else list(state.moods),
            who5=[] if state is None else list(state.who5),
            episode=None
            if episode is None
            else EpisodeView(
                episode_id=episode.episode_id,
                opened_at=episode.opened_at,
                alert_ids=list(episode.alert_ids),
            ),
        )
