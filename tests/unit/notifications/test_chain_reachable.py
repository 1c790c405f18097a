"""A chain that can reach nobody does not start as ready: outside dev mode, start-up stops
with an error naming the level and the channel (a channel with no settings, a webhook endpoint
the settings do not know); in dev mode it is logged, loudly."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from kindred.events.notifications import Channel
from kindred.notifications.channels.registry import build_channels
from kindred.notifications.settings import NotificationsSettings
from kindred.settings import SettingsError

pytestmark = pytest.mark.unit

SECRET = "chain-reachable-test-signing-secret-0123456789"
PAGER = {"pager": {"url": "http://127.0.0.1:9/page", "secret": SECRET}}


def settings(chain: dict[str, Any], *, dev: bool = False, **channels: Any) -> NotificationsSettings:
    values: dict[str, Any] = {
        "escalation_chain": json.dumps(chain),
        "internal_api_token": "chain-reachable-test-internal-token-0123456789",
        **channels,
    }
    if dev:
        values["kindred_dev_mode"] = True
    return NotificationsSettings(**values)


def chain(level: dict[str, str], fallback: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "levels": [
            {"id": "on-call-1", "contacts": {"inbox": "on-call-1"}},
            {"id": "on-call-2", "contacts": level},
        ],
        "fallback": {"id": "lead", "contacts": fallback or {"inbox": "lead"}},
    }


def test_a_level_paging_by_sms_without_a_provider_stops_start_up() -> None:
    with pytest.raises(SettingsError) as refused:
        settings(chain({"sms": "+15550000002"})).chain()
    message = str(refused.value)
    assert "level 1 (on-call-2): sms has no settings" in message
    assert "SMS_PROVIDER_URL" in message


def test_an_unknown_webhook_endpoint_stops_start_up() -> None:
    with pytest.raises(SettingsError) as refused:
        settings(chain({"inbox": "x"}, {"webhook": "pagr"}), webhook_endpoints=PAGER).chain()
    assert "fallback (lead): webhook endpoint 'pagr' is not in WEBHOOK_ENDPOINTS" in str(
        refused.value
    )


def test_every_unreachable_contact_is_named_at_once() -> None:
    with pytest.raises(SettingsError) as refused:
        settings(chain({"email": "a@x.example", "push": "staff-2"}, {"webhook": "pager"})).chain()
    message = str(refused.value)
    for problem in (
        "level 1 (on-call-2): email has no settings",
        "level 1 (on-call-2): push has no settings",
        "fallback (lead): webhook has no settings",
    ):
        assert problem in message


def test_a_chain_on_configured_channels_starts() -> None:
    s = settings(
        chain({"webhook": "pager", "email": "a@x.example"}, {"inbox": "lead"}),
        webhook_endpoints=PAGER,
        smtp_host="127.0.0.1",
        smtp_from="alerts@x.example",
        smtp_tls="none",
    )
    assert len(s.chain().levels) == 2


def test_in_dev_mode_an_unreachable_chain_is_logged_loudly(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING):
        settings(chain({"sms": "+15550000002"}), dev=True).chain()
    [record] = [r for r in caplog.records if "level 1 (on-call-2): sms" in r.getMessage()]
    assert record.levelno == logging.WARNING and "DEV MODE ONLY" in record.getMessage()


@pytest.mark.parametrize(
    "channels",
    [
        {},
        {"webhook_endpoints": PAGER},
        {"smtp_host": "127.0.0.1", "smtp_from": "a@x.example"},
        {
            "sms_provider_url": "http://127.0.0.1:9/sms",
            "sms_provider_token": "token",
            "sms_signing_secret": SECRET,
        },
        {"push_gateway_url": "http://127.0.0.1:9/push", "push_signing_secret": SECRET},
    ],
    ids=["none", "webhook", "email", "sms", "push"],
)
async def test_what_counts_as_configured_is_what_the_registry_builds(
    channels: dict[str, Any],
) -> None:
    s = settings(chain({"inbox": "x"}), dev=True, **channels)
    registry = build_channels(s)
    try:
        assert s.configured() == registry.names | {Channel.INBOX}
    finally:
        await registry.aclose()
