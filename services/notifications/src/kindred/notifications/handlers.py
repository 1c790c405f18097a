"""What notifications does with each event of the partitions it owns, and with their timers.

Each event goes to the pure `domain` with the state it needs, read from the partition's tables;
what the domain returns is stored and announced here, in one `Changes`. Deliveries due (new or
retried) go to the sender once the batch is committed.

- `match.proposed` (keyed by the match) and `checkin.reminder-due`: a `notification.requested`
  per member concerned, keyed by the member, so that it is decided where their preferences live.
- `notification.requested`: the member's inbox entry, in their locale, and a delivery on their
  first usable channel beyond the inbox, paced by their quiet hours, rate limit and dedupe
  (`domain.notify`).
- `support.request-waiting` (keyed by the seeker): a request waited long without a proposal;
  the seeker is told where it stands (how many are ahead, why), by their `matching`
  preferences, once per stage; not while a safety episode holds it out.
- `member.moderated` (keyed by the member): a warning, a suspension or a restore is a
  `notification.requested` of the member's `account` category, one message kind per action
  (`MODERATION_NOTICES`), with nothing of the note or the report; a hide or a dismissal
  tells the member nothing.
- `safety.alert-raised`: the alert's escalation along the on-call chain, its first page on
  every channel of the first person at once (`domain.escalations`); a staff console's inbox
  entry is written with the page. What a page says is rendered by the sender (a template that
  fails there gives a plain default page: the page still goes out). An escalation whose own
  step raises pages the chain's fallback with a default page instead (`fail_safe`); the other
  escalations go on. The member the alert is about gets an inbox entry with crisis resources
  for their country, in their locale, and a push where they enabled it, at once (never held
  by quiet hours), once per alert.
- `safety.alert-ack-requested` stops it: refused when it names another member than the
  alert's, or reuses a page link; one that comes before its alert is kept (`early_acks`) and
  applied when the alert comes (the chain never pages). An acknowledged escalation is
  forgotten `keep_done` later: its summary goes to the `alerts` history.
- `safety.review-requested`: the review staff are told (their inbox, and their other
  channels, retried until sent): never a page.
- `notification.delivery-attempted`: the sender's report of an attempt: done, retried later,
  fallen back to the member's next channel, or given up (`domain.deliveries`).
- `member.notification-preferences-set`, `notification.inbox-entry-read`: stored.
- `tick`: only what the tables' timer indexes say is due: the escalations whose deadline
  passed move up the chain (or, acknowledged long enough, are forgotten), the digests due go
  out, pacing histories drop what expired (and are forgotten once empty), early
  acknowledgements expire, and the deliveries due go to the sender.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import partial
from typing import Any, NamedTuple

from kindred.events.casework import MemberModerated
from kindred.events.envelope import Envelope, deterministic_id
from kindred.events.matching import MatchProposed, SupportRequestWaiting
from kindred.events.notifications import (
    Category,
    Channel,
    DeliveryOutcome,
    InboxEntryRead,
    MemberCategory,
    MemberNotificationPreferencesSet,
    NotificationDeliveryAttempted,
    NotificationDeliveryAttemptedData,
    NotificationRequested,
    NotificationRequestedData,
    SafetyAlertAcknowledged,
    SafetyAlertAcknowledgedData,
    SafetyAlertAckRequested,
    SafetyAlertEscalated,
    SafetyAlertEscalatedData,
)
from kindred.events.safety import SafetyAlertRaised, SafetyAlertRaisedData, SafetyReviewRequested
from kindred.events.schedules import CheckinReminderDue
from kindred.notifications import metrics
from kindred.notifications.domain.deliveries import (
    MEMBER_RETRIES,
    Delivery,
    DeliveryRetryPolicy,
    DeliveryState,
    Dispatch,
    delivery_id,
    reported,
)
from kindred.notifications.domain.escalations import (
    DEFAULT_KEEP_DONE,
    Acknowledgement,
    AckOutcome,
    AlertSummary,
    Chain,
    EarlyAck,
    Escalation,
    OnCall,
    Page,
    PageLinks,
    Stepped,
    acknowledge,
    dispatches,
    fail_safe,
    start,
)
from kindred.notifications.domain.escalations import tick as escalate
from kindred.notifications.domain.inbox import (
    InboxEntry,
    InboxRead,
    entry_or_default,
    page_entry,
)
from kindred.notifications.domain.notify import flush, notify
from kindred.notifications.domain.pacing import History, prune
from kindred.notifications.domain.preferences import Preferences
from kindred.notifications.domain.templates import (
    CRISIS_RESOURCES,
    REVIEW_REQUESTED,
    Audience,
    alert_raised_context,
    crisis_resources_context,
    default_crisis_text,
    default_review_text,
    match_proposed_context,
    moderation_notice,
    reminder_due_context,
    request_waiting_context,
    review_requested_context,
)
from kindred.notifications.repository import (
    ALERTS,
    DELIVERIES,
    EARLY_ACKS,
    ESCALATIONS,
    HISTORIES,
    INBOX,
    INBOX_READS,
    PAGES,
    PREFERENCES,
    STORES,
    dispatch_doc,
    escalation_doc,
)
from kindred.partitions.processor import Changes
from kindred.partitions.store import Store, Tables
from kindred.safety.resources import resources_for
from kindred.safety.rules import Severity

log = logging.getLogger(__name__)

# Takes the deliveries due, once the batch that found them is committed (the sender).
Send = Callable[[list[Dispatch]], None]

# How long an acknowledgement that came before its alert waits for it.
EARLY_ACK_FOR = timedelta(hours=24)


class _Alert(NamedTuple):
    """What a fail-safe page needs of an alert."""

    alert_id: str
    member_id: str
    severity: Severity
    raised_at: datetime | None
    accepted_at: datetime | None


@dataclass
class _Plan:
    """An escalation step worked out in full before anything of it is stored: what to store,
    emit and write, so that a step that raises leaves nothing half done."""

    escalation: Escalation
    events: list[SafetyAlertEscalated] = field(default_factory=list)
    pages: list[Dispatch] = field(default_factory=list)
    entries: list[InboxEntry] = field(default_factory=list)
    channels: list[str] = field(default_factory=list)
    render_fallbacks: int = 0


class Notifications:
    events = (
        MatchProposed,
        CheckinReminderDue,
        MemberModerated,
        SupportRequestWaiting,
        SafetyAlertRaised,
        SafetyAlertAckRequested,
        SafetyReviewRequested,
        NotificationDeliveryAttempted,
        MemberNotificationPreferencesSet,
        NotificationRequested,
        InboxEntryRead,
    )
    stores = STORES

    def __init__(
        self,
        chain: Chain,
        send: Send,
        source: str,
        *,
        retries: DeliveryRetryPolicy = MEMBER_RETRIES,
        in_flight_seconds: float = 60.0,
        links: PageLinks | None = None,
        keep_done: timedelta = DEFAULT_KEEP_DONE,
        reviewers: tuple[OnCall, ...] | None = None,
    ) -> None:
        self.chain = chain
        self.send = send
        self.source = source
        self.retries = retries
        self.in_flight = timedelta(seconds=in_flight_seconds)
        self.links = links or PageLinks()
        self.keep_done = keep_done
        # Who is told of review requests: by default the chain's first level.
        self.reviewers = reviewers or (chain.levels[0] if chain.levels else chain.fallback,)
        # Per partition: each escalation's page deliveries (their keys), so that an
        # acknowledgement cancels its own without passing over every page.
        self._pages: dict[int, dict[str, set[str]]] = {}

    # ---------------------------------------------------------------- ownership

    def load(self, partition: int, tables: Tables) -> None:
        pending = sum(e.active for e in tables[ESCALATIONS])
        metrics.escalations_pending.set(partition, pending)
        index: dict[str, set[str]] = {}
        for page in tables[PAGES]:
            alert_id = page.context.get("alert_id")
            if page.due_at is not None and alert_id is not None:
                index.setdefault(alert_id, set()).add(page.key)
        self._pages[partition] = index

    def drop(self, partition: int) -> None:
        metrics.escalations_pending.forget(partition)
        self._pages.pop(partition, None)

    # ---------------------------------------------------------------- events

    def handle(self, partition: int, event: Envelope[Any], changes: Changes) -> None:
        if isinstance(event, MatchProposed):
            match = event.data
            context = match_proposed_context(event)
            for member, audience in (
                (match.seeker_id, "seeker"),
                (match.supporter_id, "supporter"),
            ):
                self._request(event, member, audience, MemberCategory.MATCHING, context, changes)
        elif isinstance(event, CheckinReminderDue):
            context = reminder_due_context(event)
            member = event.data.member_id
            self._request(
                event, member, "member", MemberCategory.CHECKIN_REMINDERS, context, changes
            )
        elif isinstance(event, MemberModerated | SupportRequestWaiting):
            self._member_notice(event, changes)
        elif isinstance(event, NotificationRequested):
            self._requested(event.data, changes)
        elif isinstance(event, SafetyAlertRaised | SafetyAlertAckRequested | SafetyReviewRequested):
            self._safety(partition, event, changes)
        elif isinstance(event, NotificationDeliveryAttempted):
            self._attempted(event, changes)
        elif isinstance(event, MemberNotificationPreferencesSet):
            changes.put(PREFERENCES, Preferences.from_event(event))
        elif isinstance(event, InboxEntryRead):
            data = event.data
            # Keyed by the reader and the entry: a mark is the reader's own.
            changes.insert(INBOX_READS, InboxRead(data.entry_id, data.member_id, data.read_at))
        self._send_due(changes)

    def _safety(
        self,
        partition: int,
        event: SafetyAlertRaised | SafetyAlertAckRequested | SafetyReviewRequested,
        changes: Changes,
    ) -> None:
        if isinstance(event, SafetyAlertRaised):
            self._alert_raised(partition, event, changes)
        elif isinstance(event, SafetyAlertAckRequested):
            self._ack_requested(partition, event, changes)
        else:
            self._review_requested(event, changes)

    def tick(self, partition: int, changes: Changes) -> None:
        """Only what the timer indexes say is due: nothing else is visited."""
        for escalation in changes.due(ESCALATIONS):
            if escalation.active:
                self._step(partition, escalation, changes)
            elif escalation.forget_at is not None and escalation.forget_at <= changes.now:
                self._forget(partition, escalation, changes)
        for history in changes.due(HISTORIES):
            self._flush(history, changes)
        for early in changes.due(EARLY_ACKS):
            log.warning("an acknowledgement expired before its alert came")
            changes.delete(EARLY_ACKS, early.alert_id)
        self._send_due(changes)

    # ---------------------------------------------------------------- members

    def _request(
        self,
        event: Envelope[Any],
        member: str,
        audience: str,
        category: MemberCategory,
        context: dict[str, Any],
        changes: Changes,
        event_type: str | None = None,
    ) -> None:
        """A notification for a member, decided in their own partition (`event_type`: the
        message kind, when it is not the event's own)."""
        changes.emit(
            NotificationRequested.new(
                id=deterministic_id("notification.requested", event.id, member),
                subject=member,
                source=self.source,
                caused_by=event,
                data=NotificationRequestedData(
                    source_event_id=event.id,
                    source_time=event.time,
                    recipient=member,
                    audience=audience,
                    category=category,
                    event_type=event_type or event.TOPIC,
                    context=context,
                ),
            )
        )

    def _member_notice(
        self, event: MemberModerated | SupportRequestWaiting, changes: Changes
    ) -> None:
        """What a member is told of a step about them: a moderator's action, a long wait."""
        if isinstance(event, MemberModerated):
            self._moderated(event, changes)
        else:
            self._waiting(event, changes)

    def _moderated(self, event: MemberModerated, changes: Changes) -> None:
        kind = moderation_notice(event.data.action)
        if kind is not None:
            member = event.data.member_id
            self._request(
                event, member, "member", MemberCategory.ACCOUNT, {}, changes, event_type=kind
            )

    def _waiting(self, event: SupportRequestWaiting, changes: Changes) -> None:
        context = request_waiting_context(event)
        if context is not None:
            seeker = event.data.seeker_id
            self._request(event, seeker, "seeker", MemberCategory.MATCHING, context, changes)

    def _requested(self, request: NotificationRequestedData, changes: Changes) -> None:
        member = request.recipient
        prefs = changes.get(PREFERENCES, member) or Preferences.default(member)
        history = changes.get(HISTORIES, member) or History(member)
        notified = notify(request, prefs, history, changes.now)
        self._inbox(notified.entry, changes)
        if notified.history is not None:
            changes.put(HISTORIES, notified.history)
        if notified.dispatch is not None:
            changes.put(DELIVERIES, notified.dispatch)

    def _flush(self, history: History, changes: Changes) -> None:
        """The member's history is due: its digest goes out if due (one message for what quiet
        hours or a burst gathered) and what expired is dropped; an empty one is forgotten."""
        prefs = changes.get(PREFERENCES, history.member_id) or Preferences.default(
            history.member_id
        )
        rest, dispatch = flush(history, prefs, changes.now)
        rest = prune(rest, changes.now)
        if rest.empty:
            changes.delete(HISTORIES, rest.member_id)
        else:
            changes.put(HISTORIES, rest)
        if dispatch is not None:
            changes.put(DELIVERIES, dispatch)
            count = dispatch.context["count"]
            changes.then(lambda: metrics.digests_sent.observe(count))

    def _inbox(self, entry: InboxEntry, changes: Changes) -> None:
        changes.insert(INBOX, entry)
        changes.then(metrics.inbox_entries.labels(kind=entry.kind).inc)

    # ---------------------------------------------------------------- safety pages

    def _alert_raised(self, partition: int, event: SafetyAlertRaised, changes: Changes) -> None:
        data = event.data
        if changes.get(ESCALATIONS, data.alert_id) is not None:
            return  # a copy of the alert: its escalation runs already
        self._tell_member(data, changes)
        early = changes.get(EARLY_ACKS, data.alert_id)
        if early is not None:
            changes.delete(EARLY_ACKS, data.alert_id)
            if early.member_id != data.member_id:
                self._refused(AckOutcome.WRONG_MEMBER, changes)
            elif self._acknowledged_early(partition, event, early, changes):
                return
        alert = _Alert(
            data.alert_id, data.member_id, data.severity, data.raised_at, data.accepted_at
        )
        self._escalate(
            partition,
            alert,
            lambda: start(data, self.chain, changes.now, alert_raised_context(event)),
            "start",
            changes,
        )
        changes.then(lambda: metrics.escalations_pending.add(partition, 1))

    def _acknowledged_early(
        self, partition: int, event: SafetyAlertRaised, early: EarlyAck, changes: Changes
    ) -> bool:
        """The alert's acknowledgement came first: its escalation starts acknowledged and
        never pages. False if that could not be worked out (the alert then pages)."""
        try:
            stepped = start(event.data, self.chain, changes.now, alert_raised_context(event))
            link = early.token_id if early.via == "link" else None
            result = acknowledge(
                stepped.escalation,
                early.staff_id,
                changes.now,
                link=link,
                keep_for=self.keep_done,
            )
            assert result.escalation is not None and result.acknowledgement is not None
            escalation_doc(result.escalation)
        except Exception as exc:
            log.error("early acknowledgement not applied (%s): paging", type(exc).__name__)
            return False
        changes.put(ESCALATIONS, result.escalation)
        log.info("alert acknowledged before it came: its chain does not page")
        self._announce_ack(partition, result.acknowledgement, event, changes, pending=False)
        return True

    def _step(self, partition: int, escalation: Escalation, changes: Changes) -> None:
        alert = _Alert(
            escalation.alert_id,
            escalation.member_id,
            escalation.severity,
            escalation.raised_at,
            escalation.accepted_at,
        )
        self._escalate(partition, alert, lambda: escalate(escalation, changes.now), "tick", changes)

    def _escalate(
        self,
        partition: int,
        alert: _Alert,
        step: Callable[[], Stepped],
        stage: str,
        changes: Changes,
    ) -> None:
        """One escalation's step, isolated: if it raises (bad data, a bug), the chain's
        fallback is paged with a default page instead (never nothing), counted and logged;
        other escalations are not held up."""
        try:
            plan = self._plan(step(), changes.now)
        except Exception as exc:
            # The class and the alert, never the error's text (it can quote data).
            log.error(
                "escalation of alert %s failed at %s (%s): paging the fallback instead",
                alert.alert_id,
                stage,
                type(exc).__name__,
            )
            changes.then(metrics.escalation_failures.labels(stage=stage).inc)
            try:
                safe = fail_safe(
                    alert.alert_id,
                    alert.member_id,
                    alert.severity,
                    self.chain,
                    changes.now,
                    raised_at=alert.raised_at,
                    accepted_at=alert.accepted_at,
                )
                plan = self._plan(safe, changes.now)
            except Exception as again:
                log.critical(
                    "alert %s: the fallback could not be paged either (%s); trying again in %s s",
                    alert.alert_id,
                    type(again).__name__,
                    self.chain.repage_seconds,
                )
                retry_at = changes.now + timedelta(seconds=self.chain.repage_seconds)
                changes.wake(ESCALATIONS, alert.alert_id, retry_at)
                return
        self._apply(partition, plan, changes)

    def _plan(self, stepped: Stepped, now: datetime) -> _Plan:
        """Everything a step stores, emits and writes, worked out (and encoded once, to find
        what cannot be) before any of it is applied."""
        escalation = stepped.escalation
        escalation_doc(escalation)
        plan = _Plan(escalation)
        for page in stepped.pages:
            plan.events.append(self._escalated(page))
            for dispatch in dispatches(escalation, page, now, self.links):
                if dispatch.delivery.channel is Channel.INBOX:
                    entry, failed = self._console_entry(dispatch, page, now)
                    plan.entries.append(entry)
                    plan.render_fallbacks += failed is not None
                    sent = replace(dispatch.delivery, status=DeliveryState.SENT)
                    plan.pages.append(replace(dispatch, delivery=sent))
                else:
                    plan.pages.append(dispatch)
                dispatch_doc(plan.pages[-1])
            plan.channels += [m.channel.value for m in page.messages]
        return plan

    def _apply(self, partition: int, plan: _Plan, changes: Changes) -> None:
        """An escalation as it stands, and the pages it sends now: an event each, and a
        delivery per channel; a staff console's inbox entry is written here, with the page."""
        changes.put(ESCALATIONS, plan.escalation)
        for event in plan.events:
            changes.emit(event)
        pages = self._pages.setdefault(partition, {})
        for dispatch in plan.pages:
            changes.put(PAGES, dispatch)
            if dispatch.due_at is not None:
                pages.setdefault(plan.escalation.alert_id, set()).add(dispatch.key)
        for entry in plan.entries:
            self._inbox(entry, changes)
        if plan.render_fallbacks:
            fallbacks = plan.render_fallbacks
            log.error("%d staff console page(s) written with the default page text", fallbacks)
            changes.then(
                lambda: metrics.page_render_fallbacks.labels(channel="inbox").inc(fallbacks)
            )
        if plan.channels:
            changes.then(partial(_count_pages, plan.channels))

    def _console_entry(
        self, dispatch: Dispatch, page: Page, now: datetime
    ) -> tuple[InboxEntry, str | None]:
        return page_entry(
            dispatch.template,
            dispatch.locale,
            dispatch.context,
            recipient=dispatch.address,
            entry_id=dispatch.key,
            source_event_id=page.page_id,
            now=now,
        )

    def _forget(self, partition: int, escalation: Escalation, changes: Changes) -> None:
        """An escalation acknowledged long enough ago: out of memory and of `escalations`,
        its summary into the `alerts` history (the internal API still answers for it)."""
        changes.insert(ALERTS, AlertSummary.of(escalation))
        changes.delete(ESCALATIONS, escalation.alert_id)
        self._pages.get(partition, {}).pop(escalation.alert_id, None)

    def _escalated(self, page: Page) -> SafetyAlertEscalated:
        return SafetyAlertEscalated.new(
            id=deterministic_id("event", "alert-escalated", page.page_id),
            subject=page.member_id,
            source=self.source,
            data=SafetyAlertEscalatedData(
                alert_id=page.alert_id,
                member_id=page.member_id,
                severity=page.severity,
                level=page.level,
                fallback=page.fallback,
                repeat=page.repeat,
                page_id=page.page_id,
                paged=page.target,
                channels=list(page.channels),
                due_at=page.due_at,
                ack_deadline=page.ack_deadline,
            ),
        )

    def _ack_requested(
        self, partition: int, event: SafetyAlertAckRequested, changes: Changes
    ) -> None:
        data = event.data
        escalation: Escalation | None = changes.get(ESCALATIONS, data.alert_id)
        if escalation is None:
            self._ack_early(event, changes)
            return
        link = data.token_id if data.via == "link" else None
        result = acknowledge(
            escalation,
            data.staff_id,
            changes.now,
            member_id=data.member_id,
            link=link,
            keep_for=self.keep_done,
        )
        if result.outcome in (AckOutcome.WRONG_MEMBER, AckOutcome.LINK_USED):
            self._refused(result.outcome, changes)
            return
        if result.outcome is not AckOutcome.ACKNOWLEDGED:
            log.info("acknowledgement ignored: %s", result.outcome.value)
            if result.escalation is not None and result.escalation != escalation:
                changes.put(ESCALATIONS, result.escalation)  # its link is spent
            return
        assert result.escalation is not None and result.acknowledgement is not None
        changes.put(ESCALATIONS, result.escalation)
        # Pages still being retried for this alert stop.
        for key in sorted(self._pages.get(partition, {}).pop(data.alert_id, set())):
            page = changes.get(PAGES, key)
            if page is not None:
                cancelled = page.delivery.cancel(changes.now)
                changes.put(PAGES, replace(page, delivery=cancelled))
        self._announce_ack(partition, result.acknowledgement, event, changes, pending=True)

    def _ack_early(self, event: SafetyAlertAckRequested, changes: Changes) -> None:
        """No escalation for the alert (yet): the acknowledgement may have come before it
        (order across topics is not kept): kept until it comes, or expires."""
        data = event.data
        if changes.get(EARLY_ACKS, data.alert_id) is not None:
            log.info("acknowledgement ignored: one is waiting for the alert already")
            return
        changes.put(
            EARLY_ACKS,
            EarlyAck(
                alert_id=data.alert_id,
                member_id=data.member_id,
                staff_id=data.staff_id,
                at=changes.now,
                expires_at=changes.now + EARLY_ACK_FOR,
                via=data.via,
                token_id=data.token_id,
            ),
        )
        log.info("acknowledgement before its alert: kept until the alert comes")
        changes.then(metrics.acks_early.inc)

    def _refused(self, outcome: AckOutcome, changes: Changes) -> None:
        log.warning("acknowledgement refused: %s", outcome.value)
        changes.then(metrics.acks_refused.labels(reason=outcome.value).inc)

    def _announce_ack(
        self,
        partition: int,
        ack: Acknowledgement,
        cause: Envelope[Any],
        changes: Changes,
        *,
        pending: bool,
    ) -> None:
        changes.emit(
            SafetyAlertAcknowledged.new(
                id=deterministic_id("event", "alert-acknowledged", ack.alert_id),
                subject=ack.member_id,
                source=self.source,
                caused_by=cause,
                data=SafetyAlertAcknowledgedData(
                    alert_id=ack.alert_id,
                    member_id=ack.member_id,
                    staff_id=ack.staff_id,
                    acknowledged_at=ack.acknowledged_at,
                    latency_seconds=ack.latency_seconds,
                    level=ack.level,
                ),
            )
        )
        changes.then(lambda: metrics.escalation_ack_seconds.observe(ack.latency_seconds))
        if pending:
            changes.then(lambda: metrics.escalations_pending.add(partition, -1))

    # ---------------------------------------------------------------- the member, and reviews

    def _tell_member(self, alert: SafetyAlertRaisedData, changes: Changes) -> None:
        """The member the alert is about: crisis resources for their country in their inbox,
        in their locale, and a push where they enabled it; at once (their own safety is never
        held by quiet hours). Once per alert (the entry's and the push's ids come from it).
        A failure here is logged and never holds up the page."""
        member = alert.member_id
        try:
            prefs = changes.get(PREFERENCES, member) or Preferences.default(member)
            context = crisis_resources_context(resources_for(alert.country), alert.alert_id)
            entry, failed = entry_or_default(
                CRISIS_RESOURCES,
                Audience.MEMBER,
                prefs.locale,
                context,
                default_crisis_text(context),
                recipient=member,
                entry_id=delivery_id(alert.alert_id, member, Channel.INBOX),
                source_event_id=alert.alert_id,
                now=changes.now,
            )
            push = None
            address = prefs.contacts.get(Channel.PUSH)
            if prefs.consented(Channel.PUSH) and address is not None:
                delivery = Delivery.new(
                    alert.alert_id, member, Channel.PUSH, Category.ACCOUNT, changes.now
                )
                push = Dispatch(
                    delivery,
                    member,
                    address,
                    CRISIS_RESOURCES,
                    context,
                    alert.accepted_at,
                    audience=Audience.MEMBER.value,
                    locale=prefs.locale,
                )
        except Exception as exc:
            log.error("crisis resources for the member not written (%s)", type(exc).__name__)
            return
        if failed is not None:
            log.error("crisis resources template failed (%s): the default text is used", failed)
        self._inbox(entry, changes)
        if push is not None and changes.get(DELIVERIES, push.key) is None:
            changes.put(DELIVERIES, push)
        changes.then(metrics.member_safety_notices.inc)

    def _review_requested(self, event: SafetyReviewRequested, changes: Changes) -> None:
        """The review staff are told: an inbox entry each, and a delivery on each of their
        other channels, retried until sent (category safety: never given up); never a page.
        High and normal priority both go at once."""
        data = event.data
        context = review_requested_context(event)
        for person in self.reviewers:
            for contact in person.contacts:
                key = delivery_id(data.review_id, person.id, contact.channel)
                if contact.channel is Channel.INBOX:
                    entry, failed = entry_or_default(
                        REVIEW_REQUESTED,
                        Audience.STAFF,
                        None,
                        context,
                        default_review_text(context),
                        recipient=contact.address,
                        entry_id=key,
                        source_event_id=data.review_id,
                        now=changes.now,
                    )
                    if failed is not None:
                        log.error("review template failed (%s): default text used", failed)
                    self._inbox(entry, changes)
                    continue
                if changes.get(DELIVERIES, key) is not None:
                    continue  # a copy of the request
                delivery = Delivery.new(
                    data.review_id, person.id, contact.channel, Category.SAFETY, changes.now
                )
                changes.put(
                    DELIVERIES,
                    Dispatch(
                        delivery,
                        data.member_id,
                        contact.address,
                        REVIEW_REQUESTED,
                        context,
                        data.accepted_at,
                        audience=Audience.STAFF.value,
                    ),
                )
        priority = data.priority.value
        changes.then(metrics.reviews_notified.labels(priority=priority).inc)

    # ---------------------------------------------------------------- attempts

    def _attempted(self, event: NotificationDeliveryAttempted, changes: Changes) -> None:
        data = event.data
        for store in (PAGES, DELIVERIES):
            dispatch = changes.get(store, data.delivery_id)
            if dispatch is not None:
                break
        else:
            return  # finished already, or not this partition's
        prefs = changes.get(PREFERENCES, dispatch.delivery.recipient)
        contacts = prefs.contacts if prefs is not None else {}
        outcome = reported(dispatch, data, changes.now, self.retries, contacts)
        if outcome is None:
            return  # a copy of a report applied already
        changes.put(store, outcome.dispatch)
        if outcome.fallback is not None:
            changes.put(store, outcome.fallback)
        if outcome.dead_letter is not None:
            changes.emit(self._dead_lettered(outcome.dispatch, outcome.dead_letter, event, changes))
            channel = dispatch.delivery.channel.value
            changes.then(metrics.notifications_dead_lettered.labels(channel=channel).inc)

    def _dead_lettered(
        self,
        dispatch: Dispatch,
        reason: str,
        report: NotificationDeliveryAttempted,
        changes: Changes,
    ) -> NotificationDeliveryAttempted:
        delivery = dispatch.delivery
        return NotificationDeliveryAttempted.new(
            id=deterministic_id("delivery-dead-lettered", delivery.delivery_id),
            subject=dispatch.member_id,
            source=self.source,
            caused_by=report,
            data=NotificationDeliveryAttemptedData(
                delivery_id=delivery.delivery_id,
                source_event_id=delivery.source_event_id,
                recipient=delivery.recipient,
                channel=delivery.channel,
                category=delivery.category,
                attempt=max(1, delivery.attempts),
                outcome=DeliveryOutcome.DEAD_LETTERED,
                error_kind=reason[:100],
                at=changes.now,
            ),
        )

    # ---------------------------------------------------------------- the sender

    def _send_due(self, changes: Changes) -> None:
        """Hand the deliveries due to the sender once committed (a safety page as soon as the
        log holds its batch, or ahead of a log that cannot be written), and hold each back
        while its attempt is under way: its report plans the next one; none by then, it is due
        again."""
        if pages := self._take_due(PAGES, changes):
            changes.then(partial(self.send, pages), urgent=True)
        if deliveries := self._take_due(DELIVERIES, changes):
            changes.then(partial(self.send, deliveries))

    def _take_due(self, store: Store[Dispatch], changes: Changes) -> list[Dispatch]:
        due = changes.due(store)
        for dispatch in due:
            changes.wake(store, dispatch.key, changes.now + self.in_flight)
        return due


def _count_pages(channels: list[str]) -> None:
    for channel in channels:
        metrics.pages_total.labels(channel=channel).inc()
