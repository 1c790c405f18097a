"""Channel pieces without a network: signatures, the HTTP outcome table, Retry-After, SMS and
push payloads, email building, settings and the registry built from them."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime
from email.utils import format_datetime

import pytest

from kindred.events.notifications import Channel, MessageUrgency
from kindred.notifications.channels import (
    DeliveryStatus,
    OutgoingMessage,
    SignatureError,
    build_channels,
    verify_signature,
)
from kindred.notifications.channels.email import build_email, message_id_for
from kindred.notifications.channels.http import (
    check_url,
    classify_status,
    encode_json,
    parse_retry_after,
    truncate,
)
from kindred.notifications.channels.push import push_payload
from kindred.notifications.channels.signing import signature_header, signed_headers
from kindred.notifications.channels.sms import SMS_MAX_CHARS, sms_payload
from kindred.notifications.channels.webhook import webhook_payload
from kindred.notifications.settings import NotificationsSettings
from kindred.settings import SettingsError

SECRET = "s" * 40
BODY = b'{"hello":"world"}'
NOW = 1_780_000_000


def test_signature_round_trip_and_the_documented_formula() -> None:
    headers = signed_headers(SECRET, BODY, "delivery-1", timestamp=NOW)
    assert headers["Kindred-Delivery-Id"] == "delivery-1"
    expected = hmac.new(SECRET.encode(), f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert headers["Kindred-Signature"] == f"t={NOW},v1={expected}"
    assert verify_signature(SECRET, headers, BODY, now=NOW + 10) == NOW
    # Header names are case-insensitive.
    lower = {k.lower(): v for k, v in headers.items()}
    assert verify_signature(SECRET, lower, BODY, now=NOW) == NOW


@pytest.mark.parametrize(
    ("secret", "body", "now", "reason"),
    [
        ("t" * 40, BODY, NOW, "does not match"),
        (SECRET, BODY + b" ", NOW, "does not match"),
        (SECRET, BODY, NOW + 301, "tolerance"),
        (SECRET, BODY, NOW - 301, "tolerance"),
    ],
)
def test_a_wrong_secret_body_or_time_is_refused(
    secret: str, body: bytes, now: int, reason: str
) -> None:
    headers = {"Kindred-Signature": signature_header(SECRET, BODY, NOW)}
    with pytest.raises(SignatureError, match=reason):
        verify_signature(secret, headers, body, tolerance=300, now=now)


@pytest.mark.parametrize(
    "value", [None, "", "garbage", "t=abc,v1=00", f"t={NOW}", "v1=00", f"t={NOW},v1=é"]
)
def test_malformed_headers_are_refused(value: str | None) -> None:
    headers = {} if value is None else {"Kindred-Signature": value}
    with pytest.raises(SignatureError):
        verify_signature(SECRET, headers, BODY, now=NOW)


def test_any_of_several_v1_signatures_may_match_during_a_secret_rotation() -> None:
    old = signature_header("o" * 40, BODY, NOW).split(",")[1]
    new = signature_header(SECRET, BODY, NOW)
    assert verify_signature(SECRET, {"Kindred-Signature": f"{new},{old}"}, BODY, now=NOW)
    assert verify_signature("o" * 40, {"Kindred-Signature": f"{new},{old}"}, BODY, now=NOW)


@pytest.mark.parametrize(
    ("status", "outcome", "retryable"),
    [
        (200, DeliveryStatus.SENT, False),
        (202, DeliveryStatus.SENT, False),
        (204, DeliveryStatus.SENT, False),
        (301, DeliveryStatus.FAILED, False),
        (400, DeliveryStatus.FAILED, False),
        (401, DeliveryStatus.FAILED, False),
        (404, DeliveryStatus.FAILED, False),
        (408, DeliveryStatus.FAILED, True),
        (410, DeliveryStatus.FAILED, False),
        (422, DeliveryStatus.FAILED, False),
        (429, DeliveryStatus.FAILED, True),
        (500, DeliveryStatus.FAILED, True),
        (502, DeliveryStatus.FAILED, True),
        (503, DeliveryStatus.FAILED, True),
    ],
)
def test_http_status_classification(status: int, outcome: DeliveryStatus, retryable: bool) -> None:
    result = classify_status(status)
    assert result.status is outcome
    assert result.retryable is retryable
    if outcome is DeliveryStatus.FAILED:
        assert result.reason == f"http {status}"
        assert result.permanent is not retryable


def test_retry_after() -> None:
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(" 0 ") == 0.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    date = format_datetime(datetime.fromtimestamp(NOW + 90, UTC), usegmt=True)
    assert parse_retry_after(date, now=NOW) == 90.0
    past = format_datetime(datetime.fromtimestamp(NOW - 90, UTC), usegmt=True)
    assert parse_retry_after(past, now=NOW) == 0.0
    assert parse_retry_after("999999999") == 86_400.0
    assert classify_status(429, {"retry-after": "12"}).retry_after == 12.0
    assert classify_status(400, {"retry-after": "12"}).retry_after is None


def test_truncate_cuts_cleanly_at_a_word() -> None:
    assert truncate("  short \n text ", 320) == "short text"
    text = "word " * 100
    cut = truncate(text, 320)
    assert len(cut) <= 320 and cut.endswith("word...")
    assert truncate("x" * 400, 320) == "x" * 317 + "..."
    exact = "a" * 320
    assert truncate(exact, 320) == exact


def _message(**overrides: object) -> OutgoingMessage:
    fields: dict[str, object] = {
        "delivery_id": "evt-1:alex:sms",
        "recipient": "+15550100",
        "subject": "Time for your check-in",
        "text": "Kindred: time for your 09:30 check-in.",
        "category": "checkin.reminder-due",
        "event_id": "evt-1",
        "data": {"local_time": "09:30"},
    }
    fields.update(overrides)
    return OutgoingMessage(**fields)  # type: ignore[arg-type]


def test_payloads() -> None:
    long = _message(text="word " * 200)
    sms = sms_payload(long)
    assert set(sms) == {"to", "body", "idempotency_key"}
    assert sms["to"] == "+15550100" and sms["idempotency_key"] == "evt-1:alex:sms"
    assert len(sms["body"]) <= SMS_MAX_CHARS
    push = push_payload(_message(urgency=MessageUrgency.URGENT))
    assert push == {
        "to": "+15550100",
        "title": "Time for your check-in",
        "body": "Kindred: time for your 09:30 check-in.",
        "urgency": "urgent",
        "category": "checkin.reminder-due",
        "idempotency_key": "evt-1:alex:sms",
    }
    hook = webhook_payload(_message())
    assert hook["data"] == {"local_time": "09:30"} and hook["event_id"] == "evt-1"
    # The signed bytes are compact, sorted, UTF-8 JSON.
    assert encode_json({"b": "é", "a": 1}) == '{"a":1,"b":"é"}'.encode()
    assert json.loads(encode_json(hook)) == hook


def test_a_message_needs_an_id_and_a_recipient() -> None:
    with pytest.raises(ValueError):
        _message(delivery_id="")
    with pytest.raises(ValueError):
        _message(recipient="")


def test_email_building() -> None:
    mail = build_email(
        _message(recipient="alex@example.org", html="<p>hi</p>", urgency=MessageUrgency.URGENT),
        ["Kindred ", "no-reply@kindred.example>"][1].rstrip(">"),
    )
    assert mail["Message-ID"] == message_id_for("evt-1:alex:sms", "kindred.example")
    assert message_id_for("evt-1:alex:sms", "kindred.example") == message_id_for(
        "evt-1:alex:sms", "kindred.example"
    )
    assert mail["Importance"] == "high"
    assert mail.get_content_type() == "multipart/alternative"
    with pytest.raises(ValueError):
        build_email(_message(recipient="not an address"), "no-reply@kindred.example")
    # A subject is one line whatever the template made.
    one = build_email(
        _message(recipient="a@b.example", subject="two\nlines"), "no-reply@kindred.example"
    )
    assert one["Subject"] == "two lines"


def test_by_default_no_channel_beyond_the_inbox_is_configured() -> None:
    registry = build_channels(NotificationsSettings.load(kindred_dev_mode=True))
    assert registry.names == frozenset()
    assert Channel.EMAIL not in registry and registry.get(Channel.SMS) is None


async def test_configured_channels_are_in_the_registry() -> None:
    settings = NotificationsSettings.load(
        kindred_dev_mode=True,
        smtp_host="smtp.example.org",
        smtp_from="no-reply@kindred.example",
        webhook_endpoints={"partner": {"url": "https://partner.example/hook", "secret": SECRET}},
        sms_provider_url="https://sms.example/messages",
        sms_provider_token="provider-token-value",
        sms_signing_secret=SECRET,
        push_gateway_url="https://push.example/send",
        push_signing_secret=SECRET,
    )
    registry = build_channels(settings)
    assert registry.names == set(Channel) - {Channel.INBOX}
    for name in registry:
        assert registry[name].name is name
    assert SECRET not in repr(settings)
    assert "provider-token-value" not in repr(settings)
    await registry.aclose()


@pytest.mark.parametrize(
    ("overrides", "variable"),
    [
        ({"smtp_host": "smtp.example.org"}, "SMTP_FROM"),
        (
            {"smtp_host": "h", "smtp_from": "a@b.example", "smtp_username": "u"},
            "SMTP_PASSWORD",
        ),
        ({"sms_provider_url": "https://sms.example/m"}, "SMS_PROVIDER_TOKEN"),
        ({"push_gateway_url": "https://push.example/s"}, "PUSH_SIGNING_SECRET"),
        ({"push_gateway_url": "http://push.example/s", "push_signing_secret": SECRET}, "https"),
        ({"push_gateway_url": "https://p.example", "push_signing_secret": "short"}, "PUSH"),
        ({"webhook_endpoints": {"p": {"url": "https://p.example", "secret": "short"}}}, "32"),
    ],
)
def test_incomplete_channel_settings_stop_the_service(
    overrides: dict[str, object], variable: str
) -> None:
    with pytest.raises(SettingsError) as caught:
        NotificationsSettings.load(kindred_dev_mode=True, **overrides)
    assert variable in str(caught.value)
    assert SECRET not in str(caught.value)


def test_http_is_only_for_loopback() -> None:
    assert check_url("http://127.0.0.1:8080/x") == "http://127.0.0.1:8080/x"
    assert check_url("https://example.org/x") == "https://example.org/x"
    for bad in ("http://example.org/x", "ftp://127.0.0.1/x", "/relative"):
        with pytest.raises(ValueError):
            check_url(bad)
