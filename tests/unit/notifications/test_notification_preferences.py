"""Notification preferences: the gateway body's validation, the defaults, and the stored
document's round trip."""

from datetime import UTC, datetime, time
from typing import Any

import pytest
from pydantic import ValidationError

from kindred.events.notifications import (
    DEFAULT_QUIET_HOURS,
    Category,
    Channel,
    MemberNotificationPreferencesSet,
    MemberNotificationPreferencesSetData,
    NotificationPreferences,
)
from kindred.notifications.domain.preferences import Preferences
from kindred.notifications.repository import preferences_doc, preferences_from

FULL: dict[str, Any] = {
    "channels": {"matching": ["push", "email"], "checkin_reminders": ["push"]},
    "consents": {"email": True, "push": True, "sms": False},
    "locale": "fr",
    "time_zone": "Europe/Paris",
    "quiet_hours": {"start": "23:00", "end": "06:30"},
    "rate_limit_per_hour": 2,
    "digest_bursts": False,
}


def _errors(body: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as caught:
        NotificationPreferences.model_validate(body)
    return str(caught.value)


def test_an_empty_body_takes_every_default() -> None:
    prefs = NotificationPreferences.model_validate({})
    assert prefs.locale == "en"
    assert prefs.time_zone == "UTC"
    assert prefs.quiet_hours is not None
    assert (prefs.quiet_hours.start, prefs.quiet_hours.end) == ("22:00", "07:00")
    assert prefs.rate_limit_per_hour == 4
    assert prefs.digest_bursts is True
    assert prefs.consents == {}


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"channels": {"safety": ["email"]}}, "not a member preference"),
        (
            {"channels": {"matching": ["email", "email"]}, "consents": {"email": True}},
            "at most once",
        ),
        ({"channels": {"news": ["email"]}}, "channels.news"),
        ({"consents": {"inbox": True}}, "consents.inbox"),
        ({"consents": {"email": "true"}}, "consents.email"),
        ({"rate_limit_per_hour": 0}, "rate_limit_per_hour"),
        ({"rate_limit_per_hour": 4.0}, "rate_limit_per_hour"),
        ({"rate_limit_per_hour": "4"}, "rate_limit_per_hour"),
        ({"digest_bursts": 1}, "digest_bursts"),
        ({"time_zone": "Mars/Olympus"}, "IANA"),
        ({"locale": "english"}, "locale"),
        ({"quiet_hours": {"start": "24:00", "end": "07:00"}}, "quiet_hours.start"),
        ({"quiet_hours": {"start": "22:00"}}, "quiet_hours.end"),
        ({"volume": "loud"}, "volume"),
    ],
)
def test_the_body_refuses_what_it_cannot_honour_with_a_clear_error(
    body: dict[str, Any], problem: str
) -> None:
    assert problem in _errors(body)


def test_null_quiet_hours_means_none() -> None:
    prefs = NotificationPreferences.model_validate({"quiet_hours": None})
    assert Preferences.from_model("m1", prefs).quiet_hours is None


def test_defaults_inbox_always_email_only_with_consent() -> None:
    never_set = Preferences.default("m1")
    assert never_set.channels_for(Category.MATCHING) == (Channel.INBOX,)
    assert never_set.quiet_hours == DEFAULT_QUIET_HOURS
    assert (never_set.locale, never_set.time_zone, never_set.rate_limit_per_hour) == (
        "en",
        "UTC",
        4,
    )
    consented = Preferences.default("m1", consents=[Channel.EMAIL])
    for category in (
        Category.MATCHING,
        Category.CHECKIN_REMINDERS,
        Category.DIGEST,
        Category.ACCOUNT,
    ):
        assert consented.channels_for(category) == (Channel.INBOX, Channel.EMAIL)


def test_chosen_channels_keep_their_order_behind_the_inbox() -> None:
    prefs = Preferences.from_model("m1", NotificationPreferences.model_validate(FULL))
    assert prefs.channels_for(Category.MATCHING) == (Channel.INBOX, Channel.PUSH, Channel.EMAIL)
    assert prefs.channels_for(Category.CHECKIN_REMINDERS) == (Channel.INBOX, Channel.PUSH)
    # Not chosen: the default, email, consented here.
    assert prefs.channels_for(Category.ACCOUNT) == (Channel.INBOX, Channel.EMAIL)
    # Safety pages never come from a member's preferences.
    assert prefs.channels_for(Category.SAFETY) == (Channel.INBOX,)
    assert prefs.quiet_hours is not None
    assert (prefs.quiet_hours.start_time, prefs.quiet_hours.end_time) == (time(23), time(6, 30))


def test_a_channel_without_consent_is_never_used() -> None:
    prefs = Preferences(
        "m1", channels={Category.MATCHING: (Channel.SMS, Channel.PUSH)}, consents=frozenset()
    )
    assert prefs.channels_for(Category.MATCHING) == (Channel.INBOX,)


def test_the_event_and_the_stored_document_round_trip() -> None:
    data = MemberNotificationPreferencesSetData.model_validate({**FULL, "member_id": "m1"})
    event = MemberNotificationPreferencesSet.new(data=data, subject="m1", source="test")
    assert MemberNotificationPreferencesSet.model_validate_json(event.model_dump_json()) == event
    assert event.type == "kindred.member.notification-preferences-set.v1"
    prefs = Preferences.from_event(event)
    assert prefs.explicit and prefs.set_by_event_id == event.id
    assert preferences_from(preferences_doc(prefs)) == prefs
    default = Preferences.default("m2", consents=[Channel.SMS], time_zone="Asia/Tokyo")
    assert preferences_from(preferences_doc(default)) == default
    # What the store adds to the document (partition, version) is ignored.
    assert preferences_from({**preferences_doc(prefs), "partition": 3, "_v": 9}) == prefs


def test_set_at_is_kept_to_the_millisecond_as_mongodb_stores_it() -> None:
    at = datetime(2025, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    prefs = Preferences.from_model("m1", NotificationPreferences(), set_at=at)
    assert prefs.set_at == at.replace(microsecond=678000)


def test_a_channel_without_consent_is_accepted_but_not_used() -> None:
    body = NotificationPreferences.model_validate({"channels": {"matching": ["sms"]}})
    prefs = Preferences.from_model("m1", body)
    assert Channel.SMS not in prefs.channels_for(Category.MATCHING)


def test_equal_quiet_hours_mean_none() -> None:
    body = NotificationPreferences.model_validate(
        {"quiet_hours": {"start": "22:00", "end": "22:00"}}
    )
    assert body.quiet_hours is None
