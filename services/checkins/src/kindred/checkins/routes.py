"""The internal HTTP API: what staff tools (through the gateway) read about a member's safety,
never from the database themselves.

Every route needs the INTERNAL_API_TOKEN bearer token (401 without it); /health and /metrics,
mounted by the shared runtime, stay open.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from pydantic import BaseModel

from kindred.checkins.repository import CheckinQueries, SafetyQueries
from kindred.internal_api import require_token
from kindred.staff_views import CheckinView, MemberCheckins

MEMBER_ID = r"^[A-Za-z0-9_.\-]{1,64}$"


class OpenEpisode(BaseModel):
    episode_id: str
    opened_at: datetime
    # The newest alerts of the episode, oldest first (empty for an episode opened before alert
    # ids were kept): a close names the episode and the last of these the staff member reviewed.
    alert_ids: list[str]


class MemberSafety(BaseModel):
    member_id: str
    # The country of the member's profile (None: none given, or no profile seen yet).
    country: str | None
    episode: OpenEpisode | None


def safety_router(repo: SafetyQueries, token: str) -> APIRouter:
    router = APIRouter(
        prefix="/internal", tags=["internal"], dependencies=[Depends(require_token(token))]
    )

    @router.get("/members/{member_id}/safety")
    async def member_safety(
        member_id: str = Path(pattern=MEMBER_ID),
    ) -> MemberSafety:
        """A member with no check-in and no profile is normal: no country, no episode."""
        state = await repo.member(member_id)
        episode = None if state is None else state.episode
        return MemberSafety(
            member_id=member_id,
            country=None if state is None else state.country,
            episode=None
            if episode is None
            else OpenEpisode(
                episode_id=episode.episode_id,
                opened_at=episode.opened_at,
                alert_ids=list(episode.alert_ids),
            ),
        )

    return router


def checkins_router(repo: CheckinQueries, token: str) -> APIRouter:
    """A member's check-ins for staff: the answers and the note are in it, so only the gateway
    (which audits every view) may call it."""
    router = APIRouter(
        prefix="/internal", tags=["internal"], dependencies=[Depends(require_token(token))]
    )

    @router.get("/members/{member_id}/checkins")
    async def member_checkins(
        member_id: str = Path(pattern=MEMBER_ID),
        limit: int = Query(default=20, ge=1, le=100),
    ) -> MemberCheckins:
        """A member never seen is normal: empty lists, no episode."""
        return await repo.member_checkins(member_id, limit)

    @router.get("/members/{member_id}/checkins/{checkin_id}")
    async def member_checkin(
        member_id: str = Path(pattern=MEMBER_ID),
        checkin_id: str = Path(pattern=r"^[A-Za-z0-9_.:\-]{1,100}$"),
    ) -> CheckinView:
        """The check-in an alert names, however many came after it; 404 if not the member's."""
        found = await repo.checkin(member_id, checkin_id)
        if found is None:
            raise HTTPException(404, "no such check-in for this member")
        return found

    return router
