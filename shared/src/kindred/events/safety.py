"""Safety events: an alert for the humans on call, and a member's safety episode.

They name rules and severities, never what the member wrote or answered: the check-ins service
keeps the answers. Subject: the member id, so a member's safety events stay in order.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from kindred.events.envelope import Envelope
from kindred.events.topics import (
    SAFETY_ALERT_RAISED,
    SAFETY_EPISODE_CLOSE_REFUSED,
    SAFETY_EPISODE_CLOSE_REQUESTED,
    SAFETY_EPISODE_CLOSED,
    SAFETY_EPISODE_OPENED,
    SAFETY_REVIEW_REQUESTED,
)
from kindred.events.vocabulary import MemberId
from kindred.instruments import CountryCode
from kindred.safety.rules import Priority, ReviewReason, Rule, Severity

_CONFIG = ConfigDict(frozen=True, extra="forbid")


class TriggerFired(BaseModel):
    model_config = _CONFIG

    rule: Rule
    severity: Severity


class SafetyAlertRaisedData(BaseModel):
    model_config = _CONFIG

    alert_id: str
    member_id: MemberId
    checkin_id: str
    severity: Severity
    triggers: list[TriggerFired] = Field(min_length=1)
    # When the gateway accepted the check-in that raised it (its event's time).
    accepted_at: datetime
    raised_at: datetime
    episode_id: str
    # Where the member's crisis resources come from: the check-in's country, else the one in
    # their profile; None: international resources.
    country: CountryCode | None = None


class SafetyAlertRaised(Envelope[SafetyAlertRaisedData]):
    """A check-in fired a safety rule: a human on call must look at it now."""

    TOPIC: ClassVar[str] = SAFETY_ALERT_RAISED
    type: Literal["kindred.safety.alert-raised.v1"] = "kindred.safety.alert-raised.v1"


class SafetyEpisodeOpenedData(BaseModel):
    model_config = _CONFIG

    episode_id: str
    member_id: MemberId
    alert_id: str
    opened_at: datetime


class SafetyEpisodeOpened(Envelope[SafetyEpisodeOpenedData]):
    """A member entered a safety episode: held out of peer matching until a human closes it."""

    TOPIC: ClassVar[str] = SAFETY_EPISODE_OPENED
    type: Literal["kindred.safety.episode-opened.v1"] = "kindred.safety.episode-opened.v1"


class SafetyEpisodeCloseRequestedData(BaseModel):
    model_config = _CONFIG

    member_id: MemberId
    staff_id: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=1, max_length=500)
    # The episode the staff member closes and the last of its alerts they reviewed: a close is
    # refused when the episode is another one or a newer alert exists. None only in records
    # of gateways older than these fields.
    episode_id: str | None = Field(default=None, min_length=1, max_length=100)
    last_alert_id: str | None = Field(default=None, min_length=1, max_length=100)


class SafetyEpisodeCloseRequested(Envelope[SafetyEpisodeCloseRequestedData]):
    """A member of the safety staff asked to close a member's open episode."""

    TOPIC: ClassVar[str] = SAFETY_EPISODE_CLOSE_REQUESTED
    type: Literal["kindred.safety.episode-close-requested.v1"] = (
        "kindred.safety.episode-close-requested.v1"
    )


class SafetyEpisodeClosedData(BaseModel):
    model_config = _CONFIG

    episode_id: str
    member_id: MemberId
    closed_by: str
    reason: str
    opened_at: datetime
    closed_at: datetime
    alerts: int = Field(ge=1, description="Alerts raised during the episode")


class SafetyEpisodeClosed(Envelope[SafetyEpisodeClosedData]):
    """A human closed a member's safety episode."""

    TOPIC: ClassVar[str] = SAFETY_EPISODE_CLOSED
    type: Literal["kindred.safety.episode-closed.v1"] = "kindred.safety.episode-closed.v1"


class CloseRefusal(StrEnum):
    """Why a close request was refused."""

    NO_OPEN_EPISODE = "no-open-episode"  # the member has no open episode
    ANOTHER_EPISODE = "another-episode"  # the open episode is not the one named
    NEWER_ALERT = "newer-alert"  # the episode has an alert newer than the last one reviewed


class SafetyEpisodeCloseRefusedData(BaseModel):
    model_config = _CONFIG

    member_id: MemberId
    # The episode the request named.
    episode_id: str
    requested_by: str
    reason: CloseRefusal
    # The member's open episode now and its newest alert (None: no open episode, or an episode
    # opened before alert ids were kept): what the staff member should review before closing.
    open_episode_id: str | None = None
    newest_alert_id: str | None = None
    refused_at: datetime


class SafetyEpisodeCloseRefused(Envelope[SafetyEpisodeCloseRefusedData]):
    """A close request was refused: the episode it named is not the member's open one, or an
    alert newer than the last one the staff member reviewed exists. The episode stays open.
    Subject: the member id."""

    TOPIC: ClassVar[str] = SAFETY_EPISODE_CLOSE_REFUSED
    type: Literal["kindred.safety.episode-close-refused.v1"] = (
        "kindred.safety.episode-close-refused.v1"
    )


class ReviewConcern(BaseModel):
    model_config = _CONFIG

    reason: ReviewReason
    priority: Priority


class SafetyReviewRequestedData(BaseModel):
    model_config = _CONFIG

    review_id: str = Field(min_length=1, max_length=100)
    member_id: MemberId
    checkin_id: str
    priority: Priority
    concerns: list[ReviewConcern] = Field(min_length=1)
    accepted_at: datetime
    requested_at: datetime


class SafetyReviewRequested(Envelope[SafetyReviewRequestedData]):
    """A check-in fired no rule but a human should read it (someone else at risk, a past
    attempt, language the rules cannot clear): a staff review item, not a page. Subject: the
    member id."""

    TOPIC: ClassVar[str] = SAFETY_REVIEW_REQUESTED
    type: Literal["kindred.safety.review-requested.v1"] = "kindred.safety.review-requested.v1"
