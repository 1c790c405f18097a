import pytest

from kindred.checkins.settings import CheckinsSettings
from kindred.matching.settings import MatchingSettings
from kindred.settings import ServiceSettings, SettingsError


def test_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "k1:9092, k2:9093")
    monkeypatch.setenv("MONGODB_URL", "mongodb://db:27017/")
    monkeypatch.setenv("KINDRED_NAMESPACE", "staging")
    settings = ServiceSettings.load()
    assert settings.kafka_bootstrap_servers == "k1:9092,k2:9093"
    assert settings.mongodb_url == "mongodb://db:27017/"
    assert settings.consumer_group == "staging.kindred"


def test_a_generic_service_name_in_the_environment_changes_no_services_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SERVICE_NAME", "shared")
    monkeypatch.setenv("INTERNAL_API_TOKEN", "a-real-internal-token-for-this-test-0123456789")
    matching, checkins = MatchingSettings.load(), CheckinsSettings.load()
    assert (matching.service_name, checkins.service_name) == ("matching", "checkins")
    assert matching.database_name != checkins.database_name
    assert matching.consumer_group == "kindred.matching"


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("KAFKA_BOOTSTRAP_SERVERS", "no-port"),
        ("MONGODB_URL", "postgres://x"),
        ("KINDRED_NAMESPACE", "Has Spaces"),
        ("RETRY_ATTEMPTS", "0"),
        ("HTTP_PORT", "not-a-number"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as info:
        ServiceSettings.load()
    assert variable in str(info.value)
