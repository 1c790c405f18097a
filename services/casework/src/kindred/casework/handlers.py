"""What casework does with each event of the partitions it owns.

Every event but the match steps is keyed by the member it concerns, so the partition that owns
a member holds that member's alerts, items, standing and (as a supporter) roster entry: one
writer each. Each event goes to the pure `domain` with what it changes read from its table;
what the domain returns is stored here, in one `Changes`.

Match steps are keyed by the match: they are handed on (`casework.input`) to the partition of
the supporter (roster load, recent matches) and, for an end with a report, of the member
reported (a `member-reported` item), as matching hands member events to its pool's partition.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from kindred.casework import metrics
from kindred.casework.domain import actions, alerts, items, roster, views
from kindred.casework.domain.alerts import Alert, Page, Trigger
from kindred.casework.domain.items import Item, MemberState, Moderation, Report, Step
from kindred.casework.domain.roster import MatchLine, Standing, Supporter
from kindred.casework.repository import (
    ALERTS,
    AUDIT,
    ITEMS,
    MEMBERS,
    QUEUE,
    STORES,
    SUPPORTERS,
)
from kindred.casework.settings import CaseworkSettings
from kindred.events.casework import (
    CaseActionRequested,
    CaseKind,
    CaseworkInput,
    CaseworkInputData,
    MemberModerated,
    ReportedAtEnd,
    ReportFiled,
    RequestMatched,
    StaffAuditRecorded,
    SupporterActivity,
    SupporterPauseSet,
)
from kindred.events.checkins import CheckinRecorded, CheckinTrendWorsened
from kindred.events.envelope import Envelope, deterministic_id
from kindred.events.matching import (
    MatchAccepted,
    MatchDeclined,
    MatchEnded,
    MatchExpired,
    MatchProposed,
    SupporterRoleSet,
    SupportRequestWaiting,
    WaitStage,
)
from kindred.events.notifications import SafetyAlertAcknowledged, SafetyAlertEscalated
from kindred.events.safety import (
    SafetyAlertRaised,
    SafetyEpisodeClosed,
    SafetyEpisodeCloseRefused,
    SafetyEpisodeOpened,
    SafetyReviewRequested,
)
from kindred.events.schedules import CheckinMissed
from kindred.partitions.processor import Changes
from kindred.partitions.store import Tables
from kindred.staff_views import ItemKind, ItemPriority

log = logging.getLogger(__name__)

# What settles an item without a staff outcome (the metric's `outcome`).
SETTLED_BY = {ItemKind.MEMBER_REPORTED: "moderated", ItemKind.REQUEST_OVERDUE: "matched"}
MATCH_STEPS: dict[type[Envelope[Any]], str] = {
    MatchProposed: "proposed",
    MatchAccepted: "accepted",
    MatchDeclined: "declined",
    MatchExpired: "expired",
    MatchEnded: "ended",
}


class Casework:
    events: tuple[type[Envelope[Any]], ...] = (
        SafetyAlertRaised,
        SafetyAlertEscalated,
        SafetyAlertAcknowledged,
        SafetyEpisodeOpened,
        SafetyEpisodeClosed,
        SafetyEpisodeCloseRefused,
        SafetyReviewRequested,
        CheckinRecorded,
        CheckinTrendWorsened,
        CheckinMissed,
        ReportFiled,
        MemberModerated,
        SupporterRoleSet,
        SupporterPauseSet,
        CaseActionRequested,
        StaffAuditRecorded,
        SupportRequestWaiting,
        *MATCH_STEPS,
        CaseworkInput,
    )
    stores = STORES

    def __init__(self, settings: CaseworkSettings) -> None:
        self.source = f"kindred/{settings.service_name}"
        self.streak = settings.missed_checkins_streak
        self.severities = settings.phq9_severities
        self.handlers: dict[type[Envelope[Any]], Callable[[Any, Changes], None]] = {
            SafetyAlertRaised: self._alert_raised,
            SafetyAlertEscalated: self._alert_escalated,
            SafetyAlertAcknowledged: self._alert_acknowledged,
            SafetyEpisodeOpened: self._episode_opened,
            SafetyEpisodeClosed: self._episode_closed,
            SafetyEpisodeCloseRefused: self._close_refused,
            SafetyReviewRequested: self._review_requested,
            CheckinRecorded: self._checkin_recorded,
            CheckinTrendWorsened: self._trend_worsened,
            CheckinMissed: self._checkin_missed,
            ReportFiled: self._report_filed,
            MemberModerated: self._moderated,
            SupporterRoleSet: self._role_set,
            SupporterPauseSet: self._pause_set,
            CaseActionRequested: self._case_action,
            StaffAuditRecorded: self._audit,
            SupportRequestWaiting: self._request_waiting,
            CaseworkInput: self._input,
        }

    # ---------------------------------------------------------------- ownership

    def load(self, partition: int, tables: Tables) -> None:
        metrics.casework_items_open.set(partition, sum(i.open for i in tables[ITEMS]))

    def drop(self, partition: int) -> None:
        metrics.casework_items_open.forget(partition)

    def tick(self, partition: int, changes: Changes) -> None:
        pass  # no timers: deadlines are the pages' own, served as they are

    # ---------------------------------------------------------------- events

    def handle(self, partition: int, event: Envelope[Any], changes: Changes) -> None:
        step = MATCH_STEPS.get(type(event))
        if step is not None:
            self._hand_on(event, step, changes)
            return
        self.handlers[type(event)](event, changes)

    # ---------------------------------------------------------------- items

    def _put_case(self, changes: Changes, case: Alert | Item) -> None:
        """An alert or item as it is now, and its line in the live queue (put, or deleted once
        the case has left the queue for good; unchanged lines are not written again)."""
        if isinstance(case, Alert):
            changes.put(ALERTS, case)
            key = case.alert_id
        else:
            changes.put(ITEMS, case)
            key = case.item_id
        line, held = views.queued(case), changes.get(QUEUE, key)
        if line == held:
            return
        if line is None:
            changes.delete(QUEUE, key)
        else:
            changes.put(QUEUE, line)

    def _open(self, item: Item, changes: Changes) -> None:
        """A new item; a second delivery of its cause finds it there and changes nothing."""
        if changes.get(ITEMS, item.item_id) is not None:
            return
        self._put_case(changes, item)
        part = changes.tables.partition

        def counted() -> None:
            metrics.casework_items_opened.labels(kind=str(item.kind)).inc()
            metrics.casework_items_open.add(part, 1)

        changes.then(counted)

    def _store_item(self, before: Item, after: Item, changes: Changes) -> None:
        self._put_case(changes, after)
        if before.open and not after.open:
            part = changes.tables.partition
            outcome = after.outcome or SETTLED_BY.get(after.kind, "moderated")

            def counted() -> None:
                metrics.casework_items_resolved.labels(outcome=outcome).inc()
                metrics.casework_items_open.add(part, -1)

            changes.then(counted)

    def _member(self, changes: Changes, member_id: str) -> MemberState:
        return changes.get(MEMBERS, member_id) or MemberState(member_id)

    def _review_requested(self, event: SafetyReviewRequested, changes: Changes) -> None:
        data = event.data
        detail = {
            "checkin_id": data.checkin_id,
            "concerns": [str(c.reason) for c in data.concerns],
        }
        priority = ItemPriority(str(data.priority))
        item = items.new_item(
            ItemKind.SAFETY_REVIEW, event.id, data.member_id, priority, detail, data.requested_at
        )
        self._open(item, changes)

    def _request_waiting(self, event: SupportRequestWaiting, changes: Changes) -> None:
        """Past the longest wait, safety staff check on the member (the notice before is the
        member's alone)."""
        data = event.data
        if data.stage is not WaitStage.OVERDUE:
            return
        item = items.overdue_item(
            data.request_id,
            data.seeker_id,
            data.reason,
            data.waited_seconds,
            data.ahead,
            data.language,
            data.topics,
            event.time,
        )
        self._open(item, changes)

    def _checkin_recorded(self, event: CheckinRecorded, changes: Changes) -> None:
        data = event.data
        after = items.checked_in(self._member(changes, data.member_id), data.checkin_id)
        if after is not None:
            changes.put(MEMBERS, after)
        scores = data.scores
        if scores is None:
            return
        for item in items.checkin_items(
            event.id,
            data.member_id,
            data.checkin_id,
            scores.who5_followup,
            scores.who5_raw,
            scores.phq9_severity,
            scores.phq9_total,
            self.severities,
            data.recorded_at,
        ):
            self._open(item, changes)

    def _trend_worsened(self, event: CheckinTrendWorsened, changes: Changes) -> None:
        data = event.data
        detail = {
            "checkin_id": data.checkin_id,
            "measure": data.measure,
            "value": data.value,
            "recent_mean": data.recent_mean,
            "recent_count": data.recent_count,
        }
        item = items.new_item(
            ItemKind.TREND_WORSENED, event.id, data.member_id, ItemPriority.NORMAL, detail,
            event.time,
        )  # fmt: skip
        self._open(item, changes)

    def _checkin_missed(self, event: CheckinMissed, changes: Changes) -> None:
        data = event.data
        member = self._member(changes, data.member_id)
        after, item = items.missed(
            member, data.occurrence_id, data.due_at, event.id, self.streak, data.window_ends_at
        )
        if after is not None:
            changes.put(MEMBERS, after)
        if item is not None:
            self._open(item, changes)

    def _report_filed(self, event: ReportFiled, changes: Changes) -> None:
        data = event.data
        report = Report(
            report_id=data.report_id,
            reporter_id=data.reporter_id,
            reported_id=data.reported_id,
            context=data.context,
            context_id=data.context_id,
            reason=data.reason,
            text=data.text,
            filed_at=data.filed_at,
        )
        self._open(items.report_item(report, data.filed_at), changes)
        if (concern := items.safety_concern_item(report, data.filed_at)) is not None:
            self._open(concern, changes)

    def _moderated(self, event: MemberModerated, changes: Changes) -> None:
        data = event.data
        step = Moderation(data.action, data.staff_id, data.at, data.note, data.action_id)
        member = items.moderated_member(self._member(changes, data.member_id), step)
        if member is not None:
            changes.put(MEMBERS, member)
            self._standing(changes, member, step)
        if data.report_id is None:
            return
        item = changes.get(ITEMS, items.item_id(ItemKind.MEMBER_REPORTED, data.report_id))
        if item is None:
            log.warning(
                "a moderation names a report this member's partition does not hold",
                extra={"member_id": data.member_id, "report_id": data.report_id},
            )
            return
        after = items.moderated_report(item, step)
        if after is not None:
            self._store_item(item, after, changes)

    def _standing(self, changes: Changes, member: MemberState, step: Moderation) -> None:
        """A supporter's roster entry shows their suspensions (and the step, if it is one)."""
        supporter = changes.get(SUPPORTERS, member.member_id)
        if supporter is None:
            return  # a roster entry made later copies the member's standing
        what = items.STANDING.get(step.action)
        shown = (
            None if what is None else Standing(what, step.staff_id, step.at, step.note, step.ref)
        )
        after = roster.moderated(
            supporter, member.suspended_matching, member.suspended_supporting, shown
        )
        if after is not None:
            changes.put(SUPPORTERS, after)

    # ---------------------------------------------------------------- alerts

    def _alert(self, changes: Changes, alert_id: str, member_id: str, severity: str) -> Alert:
        return changes.get(ALERTS, alert_id) or alerts.unseen(alert_id, member_id, severity)

    def _alert_raised(self, event: SafetyAlertRaised, changes: Changes) -> None:
        data = event.data
        member = changes.get(MEMBERS, data.member_id)
        closed = None if member is None else member.closed_episodes.get(data.episode_id)
        after = alerts.raised(
            changes.get(ALERTS, data.alert_id),
            data.alert_id,
            data.member_id,
            data.checkin_id,
            data.episode_id,
            str(data.severity),
            tuple(Trigger(str(t.rule), str(t.severity)) for t in data.triggers),
            data.accepted_at,
            data.raised_at,
            closed,
        )
        if after is not None:
            self._put_case(changes, after)

    def _alert_escalated(self, event: SafetyAlertEscalated, changes: Changes) -> None:
        data = event.data
        alert = self._alert(changes, data.alert_id, data.member_id, str(data.severity))
        page = Page(
            page_id=data.page_id,
            level=data.level,
            fallback=data.fallback,
            repeat=data.repeat,
            paged=data.paged,
            channels=tuple(str(c) for c in data.channels),
            due_at=data.due_at,
            ack_deadline=data.ack_deadline,
        )
        after = alerts.paged(alert, page)
        if after is not None:
            self._put_case(changes, after)

    def _alert_acknowledged(self, event: SafetyAlertAcknowledged, changes: Changes) -> None:
        data = event.data
        alert = self._alert(changes, data.alert_id, data.member_id, "high")
        after = alerts.acknowledged(alert, data.staff_id, data.acknowledged_at)
        if after is not None:
            self._put_case(changes, after)

    def _member_alerts(self, changes: Changes, member_id: str, episode_id: str) -> list[Alert]:
        return [
            a
            for a in changes.items(ALERTS)
            if a.member_id == member_id and a.episode_id == episode_id
        ]

    def _episode_opened(self, event: SafetyEpisodeOpened, changes: Changes) -> None:
        data = event.data
        alert = changes.get(ALERTS, data.alert_id)
        after = (
            None if alert is None else alerts.episode_opened(alert, data.episode_id, data.opened_at)
        )
        if after is not None:
            self._put_case(changes, after)

    def _episode_closed(self, event: SafetyEpisodeClosed, changes: Changes) -> None:
        data = event.data
        closed = Step(data.closed_at, "episode closed", data.closed_by, event.id)
        member = items.episode_closed(
            self._member(changes, data.member_id), data.episode_id, closed
        )
        if member is not None:
            changes.put(MEMBERS, member)
        for alert in self._member_alerts(changes, data.member_id, data.episode_id):
            after = alerts.episode_closed(alert, closed)
            if after is not None:
                self._put_case(changes, after)

    def _close_refused(self, event: SafetyEpisodeCloseRefused, changes: Changes) -> None:
        data = event.data
        step = Step(data.refused_at, f"close refused: {data.reason}", data.requested_by, event.id)
        for alert in self._member_alerts(changes, data.member_id, data.episode_id):
            after = alerts.close_refused(alert, step)
            if after is not None:
                self._put_case(changes, after)

    # ---------------------------------------------------------------- staff steps

    def _case_action(self, event: CaseActionRequested, changes: Changes) -> None:
        data = event.data
        request = actions.Request(
            action_id=data.action_id,
            action=data.action,
            staff_id=data.staff_id,
            member_id=data.member_id,
            at=data.at,
            note=data.note,
            outcome=data.outcome,
        )
        outcome: Item | Alert | actions.Refused | None
        if data.case_kind is CaseKind.ITEM:
            item = changes.get(ITEMS, data.case_id)
            outcome = actions.act_on_item(item if _of(item, data.member_id) else None, request)
            if isinstance(outcome, Item) and item is not None:
                self._store_item(item, outcome, changes)
        else:
            alert = changes.get(ALERTS, data.case_id)
            outcome = actions.act_on_alert(alert if _of(alert, data.member_id) else None, request)
            if isinstance(outcome, Alert):
                self._put_case(changes, outcome)
        if isinstance(outcome, actions.Refused):
            reason = str(outcome.reason)
            log.warning(
                "a staff step on a case was refused: %s",
                reason,
                extra={
                    "case_id": data.case_id,
                    "staff_id": data.staff_id,
                    "action": str(data.action),
                },
            )
            changes.then(metrics.casework_refusals.labels(reason=reason).inc)

    def _audit(self, event: StaffAuditRecorded, changes: Changes) -> None:
        changes.insert(AUDIT, event.data)

    # ---------------------------------------------------------------- the roster

    def _supporter(self, changes: Changes, member_id: str) -> Supporter:
        found = changes.get(SUPPORTERS, member_id)
        if found is not None:
            return found
        member = self._member(changes, member_id)
        return Supporter(
            member_id,
            suspended_matching=member.suspended_matching,
            suspended_supporting=member.suspended_supporting,
        )

    def _role_set(self, event: SupporterRoleSet, changes: Changes) -> None:
        data = event.data
        what = "granted" if data.granted else "withdrawn"
        step = Standing(what, data.staff_id, event.time, data.note, event.id)
        supporter = self._supporter(changes, data.member_id)
        after = roster.role_set(supporter, data.granted, data.minors_cleared, step)
        if after is not None:
            changes.put(SUPPORTERS, after)

    def _pause_set(self, event: SupporterPauseSet, changes: Changes) -> None:
        data = event.data
        step = Standing(
            "paused" if data.paused else "resumed", data.staff_id, data.at, data.note, event.id
        )
        after = roster.pause_set(self._supporter(changes, data.member_id), data.paused, step)
        if after is not None:
            changes.put(SUPPORTERS, after)

    def _hand_on(self, event: Envelope[Any], step: str, changes: Changes) -> None:
        """A match step (keyed by the match) to the partitions of the members it concerns."""
        data = event.data
        activity = SupporterActivity(
            supporter_id=data.supporter_id,
            match_id=data.match_id,
            seeker_id=data.seeker_id,
            step=step,
            at=event.time,
        )
        changes.emit(self._casework_input(event, data.supporter_id, activity))
        if isinstance(event, MatchAccepted):
            matched = RequestMatched(
                seeker_id=data.seeker_id,
                request_id=data.request_id,
                match_id=data.match_id,
                at=event.time,
            )
            changes.emit(self._casework_input(event, data.seeker_id, matched))
        if not isinstance(event, MatchEnded) or not event.data.reported:
            return
        by = event.data.by
        reported = {data.seeker_id: data.supporter_id, data.supporter_id: data.seeker_id}.get(by)
        if reported is None:
            return  # matching ended it itself: nobody reported anyone
        end = ReportedAtEnd(
            reported_id=reported,
            reporter_id=by,
            match_id=data.match_id,
            reason=event.data.reason,
            at=event.time,
        )
        changes.emit(self._casework_input(event, reported, end))

    def _casework_input(
        self,
        event: Envelope[Any],
        member_id: str,
        body: SupporterActivity | ReportedAtEnd | RequestMatched,
    ) -> CaseworkInput:
        return CaseworkInput.new(
            id=deterministic_id("casework.input", body.kind, event.id),
            subject=member_id,
            source=self.source,
            caused_by=event,
            data=CaseworkInputData(input=body),
        )

    def _input(self, event: CaseworkInput, changes: Changes) -> None:
        body = event.data.input
        if isinstance(body, SupporterActivity):
            line = MatchLine(body.match_id, body.seeker_id, body.step, body.at)
            after = roster.match_step(self._supporter(changes, body.supporter_id), line)
            if after is not None:
                changes.put(SUPPORTERS, after)
            return
        if isinstance(body, RequestMatched):
            self._request_matched(body, changes)
            return
        report = items.report_from_match(body.match_id, body.reported_id, body.reporter_id, body.at)
        self._open(items.report_item(report, body.at), changes)

    def _request_matched(self, matched: RequestMatched, changes: Changes) -> None:
        item = changes.get(ITEMS, items.item_id(ItemKind.REQUEST_OVERDUE, matched.request_id))
        settled = (
            None if item is None else items.request_matched(item, matched.match_id, matched.at)
        )
        if item is not None and settled is not None:
            self._store_item(item, settled, changes)


def _of(case: Item | Alert | None, member_id: str) -> bool:
    """A step names the case's member too: one naming another member finds no case."""
    return case is not None and case.member_id == member_id
