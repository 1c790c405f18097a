import logging
from datetime import timedelta
from typing import ClassVar

from pydantic import Field, TypeAdapter, ValidationError

from kindred.notifications.channels.settings import ChannelSettings
from kindred.notifications.domain.deliveries import DeliveryRetryPolicy
from kindred.notifications.domain.escalations import (
    Chain,
    OnCall,
    OnCallConfig,
    PageLinks,
)
from kindred.settings import DEV_PAGE_LINK_SECRET, ServiceSettings, SettingsError

log = logging.getLogger(__name__)

# Without ESCALATION_CHAIN, in dev mode only: pages go to two staff consoles' inboxes.
DEV_CHAIN = (
    '{"levels": [{"id": "on-call-1", "contacts": {"inbox": "on-call-1"}}],'
    ' "fallback": {"id": "on-call-lead", "contacts": {"inbox": "on-call-lead"}}}'
)


# ChannelSettings: SMTP, webhooks, the SMS provider and the push gateway (unset: not used).
class NotificationsSettings(ServiceSettings, ChannelSettings):
    service_name: ClassVar[str] = "notifications"
    # INTERNAL_API_TOKEN guards the internal inbox API the gateway calls;
    # KINDRED_PAGE_LINK_SECRET signs the pages' links and derives their codes.
    secret_fields: ClassVar[tuple[str, ...]] = ("internal_api_token", "kindred_page_link_secret")
    http_port: int = 8003
    # The on-call chain safety alerts escalate along (JSON, see docs/notifications-escalations.md):
    # `levels` (each an `id` and `contacts` per channel: inbox, email, sms, push, webhook) and a
    # `fallback` paged, again and again, once the levels are exhausted. Required outside dev mode.
    escalation_chain: str | None = None
    # How long a level has to acknowledge (urgent alerts: the shorter), and how often the
    # fallback is paged again.
    escalation_ack_seconds: int = Field(default=300, ge=5, le=86_400)
    escalation_urgent_ack_seconds: int = Field(default=120, ge=5, le=86_400)
    escalation_repage_seconds: int = Field(default=300, ge=5, le=86_400)
    # How long an attempt may go unreported before it is made again.
    sender_in_flight_seconds: float = Field(default=60.0, gt=0, le=3600)
    # Sends under way at once per replica: member notifications, and safety pages (a lane of
    # their own, which member traffic never takes).
    sender_concurrency: int = Field(default=32, ge=1, le=1000)
    sender_page_concurrency: int = Field(default=16, ge=1, le=1000)
    # Retries of a member notification: full-jitter exponential backoff from the base, doubling
    # up to the cap, at most this many attempts per channel before the next channel (defaults:
    # 8 attempts over about 30 minutes). Safety pages are retried until acknowledged.
    notify_retry_base_seconds: float = Field(default=60.0, gt=0, le=3600)
    notify_retry_cap_seconds: float = Field(default=900.0, gt=0, le=86_400)
    notify_retry_max_attempts: int = Field(default=8, ge=1, le=50)
    # How often each owned partition looks for what is due: escalation deadlines, digests,
    # retries (new pages and notifications go to the sender at once).
    escalation_tick_seconds: float = Field(default=1.0, gt=0, le=60)
    # How long an acknowledged escalation is kept in memory (a second acknowledgement is
    # recognised as one), before only its summary is kept (the `alerts` history).
    escalation_keep_done_seconds: int = Field(default=3600, ge=60, le=7 * 86_400)
    # Every page carries a signed, expiring one-time link `{PUBLIC_BASE_URL}/v1/pages/{token}`
    # and a short code. KINDRED_PAGE_LINK_SECRET is the key (the gateway must have the same);
    # its default is dev-only and refused outside dev mode.
    kindred_page_link_secret: str = Field(default=DEV_PAGE_LINK_SECRET, min_length=32, repr=False)
    # The gateway's public address, as staff reach it.
    public_base_url: str = Field(default="http://127.0.0.1:8000", pattern=r"^https?://[^\s]+$")
    # How long a page's link works (seconds or ISO 8601, e.g. PT24H).
    page_link_valid_for: timedelta = Field(default=timedelta(hours=24))
    # Who is told of review requests (JSON list of on-call entries, like the chain's levels:
    # `[{"id": ..., "contacts": {"inbox": ..., "email": ...}}]`); unset: the chain's first level
    # (its fallback if it has no levels). Told, never paged.
    review_recipients: str | None = None

    @property
    def page_link_secret(self) -> str:
        return self.kindred_page_link_secret

    def page_links(self) -> PageLinks:
        if not timedelta(minutes=5) <= self.page_link_valid_for <= timedelta(days=7):
            raise SettingsError(
                "kindred-notifications: PAGE_LINK_VALID_FOR: between 5 minutes and 7 days"
            )
        return PageLinks(
            secret=self.kindred_page_link_secret,
            base_url=self.public_base_url,
            valid_for=self.page_link_valid_for,
        )

    def reviewers(self) -> tuple[OnCall, ...] | None:
        """Who is told of review requests (None: the chain's first level)."""
        if not self.review_recipients:
            return None
        try:
            entries = TypeAdapter(list[OnCallConfig]).validate_json(self.review_recipients)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
            )
            raise SettingsError(f"kindred-notifications: REVIEW_RECIPIENTS: {problems}") from None
        if not entries:
            raise SettingsError("kindred-notifications: REVIEW_RECIPIENTS: an empty list")
        return tuple(Chain.on_call(entry) for entry in entries)

    def retry_policy(self) -> DeliveryRetryPolicy:
        """A member notification's retries per channel (safety pages have their own)."""
        return DeliveryRetryPolicy(
            base_seconds=self.notify_retry_base_seconds,
            cap_seconds=max(self.notify_retry_cap_seconds, self.notify_retry_base_seconds),
            max_attempts=self.notify_retry_max_attempts,
        )

    def chain(self) -> Chain:
        """The on-call chain; a missing or bad ESCALATION_CHAIN stops start-up, saying why."""
        text = self.escalation_chain
        if not text:
            if not self.kindred_dev_mode:
                raise SettingsError(
                    "kindred-notifications: ESCALATION_CHAIN is not set: safety alerts would "
                    "page no one. Set it to the on-call chain (docs/notifications-escalations.md)"
                )
            text = DEV_CHAIN
        try:
            chain = Chain.from_json(
                text,
                ack_seconds=self.escalation_ack_seconds,
                urgent_ack_seconds=self.escalation_urgent_ack_seconds,
                repage_seconds=self.escalation_repage_seconds,
            )
        except (ValidationError, ValueError) as exc:
            problems = (
                "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
                if isinstance(exc, ValidationError)
                else str(exc)
            )
            raise SettingsError(f"kindred-notifications: ESCALATION_CHAIN: {problems}") from None
        self.check_reachable(chain)
        return chain

    def check_reachable(self, chain: Chain) -> None:
        """Every channel the chain pages on is configured, and every webhook endpoint it names
        is known: outside dev mode a chain that would page into the void stops start-up (its
        pages would be retried forever, reaching no one); in dev mode it is logged, loudly."""
        contacts = {
            f"level {number} ({person.id})": {c.channel: c.address for c in person.contacts}
            for number, person in enumerate(chain.levels)
        }
        fallback = chain.fallback
        contacts[f"fallback ({fallback.id})"] = {c.channel: c.address for c in fallback.contacts}
        problems = self.unreachable(contacts)
        if not problems:
            return
        text = "ESCALATION_CHAIN pages where nothing is configured: " + "; ".join(problems)
        if not self.kindred_dev_mode:
            raise SettingsError(f"kindred-notifications: {text}")
        log.warning("DEV MODE ONLY: %s; those pages will be retried and reach no one", text)
