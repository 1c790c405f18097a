from datetime import timedelta
from typing import ClassVar

from pydantic import Field, model_validator

from kindred.matching.domain.model import EngineConfig, Rules, Weights
from kindred.matching.domain.placement import PoolKey
from kindred.matching.domain.pool import PoolSettings
from kindred.matching.repository import HOME_POOL
from kindred.settings import ServiceSettings


class MatchingSettings(ServiceSettings):
    service_name: ClassVar[str] = "matching"
    http_port: int = 8001
    # The pool every member is in; its id is the Kafka key of the pool's inputs, so one replica
    # owns it (see the README's "Matching").
    matching_pool: str = Field(default=HOME_POOL, min_length=1, max_length=64)
    # How members are split into pools (`domain.placement`): everyone in `matching_pool`
    # ("none"), by the first language of their profile ("language"), or by the area of their
    # time zone ("region"). Each pool is a key of its own, owned by one replica.
    matching_pool_key: PoolKey = "none"
    # Each pool's neighbours, in order: a request no supporter of its pool can take is offered
    # to them, one after the other (JSON: {"pt": ["es", "en"], "es": ["en"]}).
    matching_pool_neighbours: dict[str, list[str]] = Field(default_factory=dict)
    # The batch window, at most: new requests and freed slots wait at most this long for the
    # global assignment; an urgent request does not wait for it. A quiet pool does not wait at
    # all: the window widens with the rate of the pool's inputs and reaches this at
    # `match_batch_full_rate` inputs a second.
    match_batch_seconds: float = Field(default=0.5, gt=0, le=600)
    match_batch_full_rate: float = Field(default=1500.0, gt=0)
    # A batch runs at least this often even when nothing arrived (blocks and cool-downs end).
    rematch_interval_seconds: float = Field(default=30.0, gt=0, le=3600)
    # Proposals made in one batch at most (most urgent and oldest first; the rest next batch).
    max_proposals_per_batch: int = Field(default=1000, ge=1, le=20_000)
    candidates_per_request: int = Field(default=20, ge=1, le=1000)
    # A normal or low request's priority grows with its wait until, after this many hours, it
    # weighs as much as an urgent one (never more), so that scarce slots do not all go to
    # urgent requests while others wait for days; 0 turns the aging off.
    match_aging_hours: float = Field(default=48, ge=0, le=24 * 365)
    # A batch's solve stops refining after this long and proposes what it has (every proposal
    # still valid; the rest wait for the next batch); below KAFKA_SESSION_TIMEOUT_SECONDS, so a
    # pool's owner answers its group while it solves.
    match_solve_budget_seconds: float = Field(default=5, gt=0, le=3600)
    # A proposal the supporter has not answered by then expires; the next best is proposed.
    proposal_ttl_seconds: float = Field(default=24 * 3600, gt=0)
    # A supporter whose seeker entered a safety episode gets no new match for this long.
    supporter_cooldown_hours: float = Field(default=72, ge=0)
    open_requests_per_seeker: int = Field(default=3, ge=1, le=100)
    # Minors ("13-17") are matched only when on, and only with supporters cleared for minors.
    match_minors: bool = False
    # The most age bands between an adult seeker and supporter (unset: no limit).
    max_age_band_gap: int | None = Field(default=None, ge=0, le=6)
    # The soft score's weights (each part is 0-1; the score is their weighted mean).
    score_weight_topics: float = Field(default=0.35, ge=0)
    score_weight_text: float = Field(default=0.25, ge=0)
    score_weight_availability: float = Field(default=0.15, ge=0)
    score_weight_load: float = Field(default=0.15, ge=0)
    score_weight_fairness: float = Field(default=0.10, ge=0)
    fairness_window_days: float = Field(default=7, gt=0)
    group_min_size: int = Field(default=4, ge=2, le=50)
    group_max_size: int = Field(default=8, ge=2, le=50)
    # A request waiting this long without a proposal: its seeker is told where it stands
    # (`support.request-waiting`, stage notice); past the longest wait staff are told too (a
    # review item) and the seeker again (stage overdue). 0 turns each off.
    match_wait_notice_hours: float = Field(default=24, ge=0)
    match_max_wait_hours: float = Field(default=72, ge=0)
    # Matching's documents are read back only to rebuild a pool (which replays the log first):
    # their writes can be gathered.
    write_behind_seconds: float = Field(default=0.25, ge=0, le=60)

    @model_validator(mode="after")
    def _consistent(self) -> "MatchingSettings":
        if self.group_max_size < self.group_min_size:
            raise ValueError("GROUP_MAX_SIZE: must be at least GROUP_MIN_SIZE")
        budget = self.match_solve_budget_seconds
        if not 0 < budget < self.kafka_session_timeout_seconds:
            raise ValueError(
                "MATCH_SOLVE_BUDGET_SECONDS: must be above 0 and below "
                f"KAFKA_SESSION_TIMEOUT_SECONDS ({self.kafka_session_timeout_seconds:g})"
            )
        weights = (
            self.score_weight_topics,
            self.score_weight_text,
            self.score_weight_availability,
            self.score_weight_load,
            self.score_weight_fairness,
        )
        if sum(weights) <= 0:
            raise ValueError("SCORE_WEIGHT_*: at least one weight must be above 0")
        notice, longest = self.match_wait_notice_hours, self.match_max_wait_hours
        if notice and longest and notice >= longest:
            raise ValueError("MATCH_WAIT_NOTICE_HOURS: must be below MATCH_MAX_WAIT_HOURS")
        return self

    def pool_settings(self) -> PoolSettings:
        return PoolSettings(
            engine=EngineConfig(
                rules=Rules(minors=self.match_minors, max_age_gap=self.max_age_band_gap),
                weights=Weights(
                    topics=self.score_weight_topics,
                    text=self.score_weight_text,
                    availability=self.score_weight_availability,
                    load=self.score_weight_load,
                    fairness=self.score_weight_fairness,
                ),
                candidates_per_request=self.candidates_per_request,
                aging_hours=self.match_aging_hours,
                solve_budget_seconds=self.match_solve_budget_seconds,
            ),
            proposal_ttl=timedelta(seconds=self.proposal_ttl_seconds),
            cooldown=timedelta(hours=self.supporter_cooldown_hours),
            open_requests_per_seeker=self.open_requests_per_seeker,
            fairness_window=timedelta(days=self.fairness_window_days),
            group_min=self.group_min_size,
            group_max=self.group_max_size,
            wait_notice=_hours(self.match_wait_notice_hours),
            max_wait=_hours(self.match_max_wait_hours),
        )


def _hours(hours: float) -> timedelta | None:
    """0: off."""
    return timedelta(hours=hours) if hours else None
