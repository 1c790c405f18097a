"""The escalation chain: deadlines up the chain, acknowledgements (on time, late, twice,
unknown), the fallback pager re-paged until acknowledged, and a state that continues exactly
after a round trip through its document."""

import itertools
import json
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from kindred.events.notifications import Channel
from kindred.events.safety import SafetyAlertRaised, SafetyAlertRaisedData, TriggerFired
from kindred.notifications.domain.deliveries import delivery_id
from kindred.notifications.domain.escalations import (
    DEFAULT_KEEP_DONE,
    AckOutcome,
    Chain,
    Escalation,
    Page,
    acknowledge,
    page_id,
    start,
    tick,
)
from kindred.notifications.domain.instants import utc_ms
from kindred.notifications.repository import chain_from, escalation_doc, escalation_from
from kindred.safety.rules import Rule, Severity

# Microseconds on purpose: stored instants keep milliseconds, and nothing may drift.
RAISED = datetime(2025, 3, 1, 2, 59, 50, 123456, tzinfo=UTC)
T0 = datetime(2025, 3, 1, 3, 0, 0, 456789, tzinfo=UTC)
T0_MS = T0.replace(microsecond=456000)

CHAIN_JSON = json.dumps(
    {
        "levels": [
            {"id": "oncall-primary", "contacts": {"sms": "+15550000001", "push": "staff-1"}},
            {"id": "oncall-secondary", "contacts": {"email": "second@example.org"}},
            {
                "id": "safety-lead",
                "contacts": {"sms": "+15550000003"},
                "ack_seconds": 600,
            },
        ],
        "fallback": {"id": "safety-pager", "contacts": {"sms": "+15550000009", "webhook": "pager"}},
    }
)
CHAIN = Chain.from_json(CHAIN_JSON, ack_seconds=300, urgent_ack_seconds=120, repage_seconds=180)


def alert(severity: Severity = Severity.HIGH, alert_id: str = "alert-1") -> SafetyAlertRaised:
    return SafetyAlertRaised.new(
        data=SafetyAlertRaisedData(
            alert_id=alert_id,
            member_id="member-7",
            checkin_id="checkin-1",
            severity=severity,
            triggers=[TriggerFired(rule=Rule.PHQ9_ITEM9, severity=severity)],
            accepted_at=RAISED,
            raised_at=RAISED,
            episode_id="episode-1",
        ),
        subject="member-7",
        source="test",
    )


def seconds(n: float) -> timedelta:
    return timedelta(seconds=n)


def test_start_pages_the_first_level_on_every_channel_at_once() -> None:
    stepped = start(alert().data, CHAIN, T0)
    (page,) = stepped.pages
    assert (page.level, page.repeat, page.fallback, page.target) == (0, 0, False, "oncall-primary")
    assert [(m.channel, m.address) for m in page.messages] == [
        (Channel.SMS, "+15550000001"),
        (Channel.PUSH, "staff-1"),
    ]
    assert page.page_id == page_id("alert-1", 0, 0)
    assert [m.delivery_id for m in page.messages] == [
        delivery_id(page.page_id, "oncall-primary", c) for c in (Channel.SMS, Channel.PUSH)
    ]
    deliveries = page.deliveries(T0)
    assert [d.delivery_id for d in deliveries] == [m.delivery_id for m in page.messages]
    assert all(d.urgent and d.never_gives_up and d.is_due(T0) for d in deliveries)
    assert stepped.escalation.deadline == T0_MS + seconds(300)
    assert page.ack_deadline == stepped.escalation.deadline


def test_an_urgent_alert_gets_the_shorter_deadline() -> None:
    stepped = start(alert(Severity.URGENT).data, CHAIN, T0)
    assert stepped.escalation.deadline == T0_MS + seconds(120)


def test_each_deadline_passed_pages_the_next_level_exactly_on_time() -> None:
    escalation = start(alert().data, CHAIN, T0).escalation
    deadline = T0_MS + seconds(300)
    early = tick(escalation, deadline - timedelta(milliseconds=1))
    assert early.pages == () and early.escalation == escalation
    on_time = tick(escalation, deadline)
    (page,) = on_time.pages
    assert (page.level, page.target, page.due_at) == (1, "oncall-secondary", deadline)
    assert on_time.escalation.deadline == deadline + seconds(300)
    # The third level has its own deadline (600 s).
    third = tick(on_time.escalation, deadline + seconds(300))
    (page,) = third.pages
    assert page.level == 2 and third.escalation.deadline == deadline + seconds(900)


def test_an_acknowledgement_stops_the_chain() -> None:
    escalation = start(alert().data, CHAIN, T0).escalation
    at = T0 + seconds(42)
    result = acknowledge(escalation, "staff-1", at)
    assert result.outcome is AckOutcome.ACKNOWLEDGED and result.changed
    assert result.acknowledgement is not None
    assert result.acknowledgement.level == 0
    assert result.acknowledgement.latency_seconds == pytest.approx(
        (at - RAISED).total_seconds(), abs=0.001
    )
    acked = result.escalation
    # Nothing more to page: it is due only to be forgotten, once kept long enough.
    assert acked is not None and acked.next_due == utc_ms(at) + DEFAULT_KEEP_DONE
    for hours in range(0, 48):
        assert tick(acked, T0 + timedelta(hours=hours)).pages == ()


def test_a_late_acknowledgement_after_escalating_still_stops_it() -> None:
    escalation = start(alert().data, CHAIN, T0).escalation
    escalation = tick(escalation, T0 + seconds(300)).escalation
    assert escalation.level == 1
    # The deadline of level 1 has passed too, but the acknowledgement arrives first.
    result = acknowledge(escalation, "staff-2", T0 + seconds(700))
    assert result.acknowledgement is not None and result.acknowledgement.level == 1
    assert result.escalation is not None
    assert tick(result.escalation, T0 + seconds(5000)).pages == ()


def test_a_second_acknowledgement_changes_nothing() -> None:
    escalation = start(alert().data, CHAIN, T0).escalation
    first = acknowledge(escalation, "staff-1", T0 + seconds(10))
    assert first.escalation is not None
    for who in ("staff-1", "staff-2"):
        again = acknowledge(first.escalation, who, T0 + seconds(20))
        assert again.outcome is AckOutcome.ALREADY_ACKNOWLEDGED and not again.changed
        assert again.escalation == first.escalation and again.acknowledgement is None
    assert first.escalation.acknowledged_by == "staff-1"


def test_an_acknowledgement_for_an_unknown_alert_is_a_no_op() -> None:
    result = acknowledge(None, "staff-1", T0)
    assert result.outcome is AckOutcome.UNKNOWN_ALERT
    assert result.escalation is None and result.acknowledgement is None


def test_past_the_last_level_the_fallback_is_paged_and_paged_again_until_acknowledged() -> None:
    escalation = start(alert().data, CHAIN, T0).escalation
    fallback_due = T0_MS + seconds(300 + 300 + 600)
    pages: list[Page] = []
    now = T0_MS
    end = T0_MS + timedelta(hours=6)
    while now <= end:  # a tick every 10 s for six hours, nobody answering
        stepped = tick(escalation, now)
        escalation = stepped.escalation
        pages += stepped.pages
        now += seconds(10)
    assert [p.level for p in pages[:3]] == [1, 2, 3]
    fallback_pages = pages[2:]
    assert all(p.fallback and p.target == "safety-pager" for p in fallback_pages)
    assert fallback_pages[0].due_at == fallback_due
    assert [p.repeat for p in fallback_pages] == list(range(len(fallback_pages)))
    gaps = {b.due_at - a.due_at for a, b in itertools.pairwise(fallback_pages)}
    assert gaps == {seconds(180)}
    assert len(fallback_pages) == (end - fallback_due) // seconds(180) + 1
    assert escalation.active and escalation.next_due is not None
    assert escalation.pages_sent == 1 + len(pages)
    # An acknowledgement, however late, stops it.
    acked = acknowledge(escalation, "staff-9", end)
    assert acked.acknowledgement is not None and acked.acknowledgement.level == 3
    assert acked.escalation is not None and tick(acked.escalation, end + seconds(600)).pages == ()


def test_a_late_tick_pages_every_level_whose_turn_came_and_one_fallback_repage() -> None:
    escalation = start(alert().data, CHAIN, T0).escalation
    # Nothing ran for an hour (an outage, a rebalance).
    stepped = tick(escalation, T0_MS + timedelta(hours=1))
    levels = [(p.level, p.repeat) for p in stepped.pages]
    # Levels 1, 2, the fallback's first page, then its re-pages collapsed into the latest one.
    fallback_due = T0_MS + seconds(1200)
    missed_repeats = (timedelta(hours=1) - seconds(1200)) // seconds(180)
    assert levels == [(1, 0), (2, 0), (3, 0), (3, missed_repeats)]
    assert stepped.pages[-1].due_at == fallback_due + missed_repeats * seconds(180)
    assert stepped.escalation.deadline > T0_MS + timedelta(hours=1)


def test_a_chain_without_levels_pages_the_fallback_at_once() -> None:
    chain = Chain.from_json(json.dumps({"fallback": {"id": "pager", "contacts": {"sms": "+1555"}}}))
    stepped = start(alert().data, chain, T0)
    (page,) = stepped.pages
    assert page.fallback and page.target == "pager"
    assert stepped.escalation.deadline == T0_MS + seconds(chain.repage_seconds)


def _run(escalation: Escalation, ticks: list[datetime], round_trip_at: set[int]) -> list[str]:
    ids: list[str] = []
    for i, now in enumerate(ticks):
        if i in round_trip_at:
            doc = {**escalation_doc(escalation), "partition": 4, "_v": 17}
            escalation = escalation_from(doc)
        stepped = tick(escalation, now)
        escalation = stepped.escalation
        ids += [p.page_id for p in stepped.pages]
        ids += [m.delivery_id for p in stepped.pages for m in p.messages]
    return ids


def test_a_new_owner_continues_from_the_document_with_the_same_pages_and_ids() -> None:
    escalation = start(alert(Severity.URGENT).data, CHAIN, T0).escalation
    ticks = [T0 + timedelta(seconds=7 * i, microseconds=333 * i) for i in range(600)]
    straight = _run(escalation, ticks, set())
    assert len(straight) > 10
    assert _run(escalation, ticks, {150}) == straight  # in the middle of the chain
    assert _run(escalation, ticks, set(range(0, 600, 13))) == straight  # again and again
    # A new owner that ticks at other moments still sends the same pages.
    assert (
        _run(escalation, ticks[::3], {40}) == straight[: len(_run(escalation, ticks[::3], set()))]
    )
    assert escalation_from(escalation_doc(escalation)) == escalation


def test_a_replayed_step_produces_the_same_pages() -> None:
    escalation = start(alert().data, CHAIN, T0).escalation
    at = T0 + seconds(301)
    assert tick(escalation, at) == tick(escalation, at)
    assert start(alert().data, CHAIN, T0).pages == start(alert().data, CHAIN, T0).pages


def test_a_change_of_configuration_leaves_an_escalation_under_way_alone() -> None:
    escalation = start(alert().data, CHAIN, T0).escalation
    doc = escalation_doc(escalation)
    # The stored chain is the one it started with.
    assert chain_from(doc["chain"]) == CHAIN


@pytest.mark.parametrize(
    "config",
    [
        {"levels": [], "fallback": {"id": "pager", "contacts": {}}},
        {
            "levels": [{"id": "a", "contacts": {"fax": "1"}}],
            "fallback": {"id": "p", "contacts": {"sms": "1"}},
        },
        {"levels": []},
        {"fallback": {"id": "pager", "contacts": {"sms": "1"}}, "extra": True},
    ],
    ids=["no-contacts", "unknown-channel", "no-fallback", "extra-field"],
)
def test_a_bad_chain_configuration_is_refused(config: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Chain.from_json(json.dumps(config))
