"""Dev mode: the dev-only default secrets are accepted only with KINDRED_DEV_MODE; outside it a
service that holds one refuses to start, saying so on stderr. No message shows a password."""

from __future__ import annotations

import os
import subprocess
import sys

import jwt
import pytest

from kindred.checkins.settings import CheckinsSettings
from kindred.gateway.app import create_app
from kindred.gateway.settings import DEV_JWT_SECRET, GatewaySettings
from kindred.matching.settings import MatchingSettings
from kindred.notifications.settings import NotificationsSettings
from kindred.settings import ServiceSettings, SettingsError, redact_url

SECRET_VARIABLES = (
    "JWT_SECRET",
    "INTERNAL_API_TOKEN",
    "KINDRED_PAGE_LINK_SECRET",
    "KINDRED_DEV_MODE",
)
REAL = "a-real-secret-from-the-deployment-0123456789"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in SECRET_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def env_without_dev_mode() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in SECRET_VARIABLES}


@pytest.mark.parametrize(
    ("settings", "variables"),
    [
        (GatewaySettings, ["JWT_SECRET", "INTERNAL_API_TOKEN", "KINDRED_PAGE_LINK_SECRET"]),
        (NotificationsSettings, ["INTERNAL_API_TOKEN"]),
    ],
)
def test_outside_dev_mode_a_dev_secret_stops_start_up_naming_it(
    settings: type[ServiceSettings], variables: list[str]
) -> None:
    with pytest.raises(SettingsError) as info:
        settings.load()
    message = str(info.value)
    assert "refusing to start" in message
    for variable in variables:
        assert f"Set {variable} to a random secret" in message
    assert "KINDRED_DEV_MODE=1" in message


def test_only_the_secrets_a_service_uses_are_required(monkeypatch: pytest.MonkeyPatch) -> None:
    MatchingSettings.load()
    with pytest.raises(SettingsError, match="INTERNAL_API_TOKEN"):
        CheckinsSettings.load()  # its internal safety API
    monkeypatch.setenv("INTERNAL_API_TOKEN", REAL)
    assert CheckinsSettings.load().internal_api_token == REAL
    with pytest.raises(SettingsError) as info:
        GatewaySettings.load()
    assert "JWT_SECRET" in str(info.value)
    assert "INTERNAL_API_TOKEN" not in str(info.value)
    # Notifications also signs the pages' links.
    with pytest.raises(SettingsError) as info:
        NotificationsSettings.load()
    assert "KINDRED_PAGE_LINK_SECRET" in str(info.value)
    assert "INTERNAL_API_TOKEN" not in str(info.value)
    monkeypatch.setenv("KINDRED_PAGE_LINK_SECRET", REAL + "-pages")
    assert NotificationsSettings.load().internal_api_token == REAL


def test_real_secrets_start_without_dev_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JWT_SECRET", REAL)
    monkeypatch.setenv("INTERNAL_API_TOKEN", REAL + "-internal")
    monkeypatch.setenv("KINDRED_PAGE_LINK_SECRET", REAL + "-pages")
    settings = GatewaySettings.load()
    assert (settings.jwt_secret, settings.kindred_dev_mode) == (REAL, False)
    assert settings.dev_secrets_in_use() == []


@pytest.mark.parametrize("value", ["1", "true"])
def test_dev_mode_accepts_the_defaults(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("KINDRED_DEV_MODE", value)
    settings = GatewaySettings.load()
    assert settings.kindred_dev_mode
    assert settings.dev_secrets_in_use() == [
        "JWT_SECRET",
        "INTERNAL_API_TOKEN",
        "KINDRED_PAGE_LINK_SECRET",
    ]


async def test_settings_built_in_code_are_refused_at_start_too() -> None:
    app = create_app(GatewaySettings())  # no `load`, no dev mode
    with pytest.raises(SettingsError, match="refusing to start"):
        async with app.state.service.running():  # what the app's lifespan runs first
            pass


def test_the_gateway_process_refuses_on_stderr() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kindred.gateway"],
        env=env_without_dev_mode(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    first = result.stderr.splitlines()[0]
    assert first == (
        "gateway: refusing to start: JWT_SECRET, INTERNAL_API_TOKEN, KINDRED_PAGE_LINK_SECRET "
        "hold their dev-only default, which anyone can read in the source code."
    )
    assert "Set JWT_SECRET to a random secret of at least 32 characters" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_token_command_signs_with_the_dev_key_outside_dev_mode() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kindred.gateway.tokens", "alex"],
        env=env_without_dev_mode(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    claims = jwt.decode(
        result.stdout.strip(), DEV_JWT_SECRET, algorithms=["HS256"], audience="kindred"
    )
    assert claims["sub"] == "alex"
    assert "dev-only key" in result.stderr


def test_the_token_command_signs_with_jwt_secret_when_set() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kindred.gateway.tokens", "alex"],
        env={**env_without_dev_mode(), "JWT_SECRET": REAL},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert jwt.decode(result.stdout.strip(), REAL, algorithms=["HS256"], audience="kindred")
    assert result.stderr == ""


# --- no password in messages and representations ----------------------------------------------


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("MONGODB_URL", "postgres://admin:hunter2-password@db:5432/x"),
        ("KAFKA_BOOTSTRAP_SERVERS", "SASL_SSL://admin:hunter2-password@kafka"),
        ("NOTIFICATIONS_URL", "ftp://admin:hunter2-password@notifications"),
    ],
)
def test_a_bad_url_is_named_but_never_quoted(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv("KINDRED_DEV_MODE", "1")
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as info:
        GatewaySettings.load()
    assert variable in str(info.value)
    assert "hunter2" not in str(info.value)


def test_settings_repr_holds_no_secret() -> None:
    settings = GatewaySettings(
        mongodb_url="mongodb://admin:hunter2-password@db:27017/",
        jwt_secret=REAL,
        internal_api_token=REAL + "-internal",
    )
    assert "hunter2" not in repr(settings)
    assert REAL not in repr(settings)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("mongodb://admin:hunter2@db:27017/x?tls=true", "mongodb://admin:***@db:27017/x?tls=true"),
        ("mongodb://db:27017/", "mongodb://db:27017/"),
        ("mongodb://admin@db/", "mongodb://admin@db/"),
        ("mongodb+srv://a:b%40c@cluster.example/", "mongodb+srv://a:***@cluster.example/"),
    ],
)
def test_redact_url(url: str, shown: str) -> None:
    assert redact_url(url) == shown
