"""The committed AsyncAPI documents match the code, and every consumed event has a producer."""

from __future__ import annotations

import pytest
import yaml

from kindred.devtools.asyncapi import DOCS, FACTORIES, render
from kindred.events.topics import OUTWARD

pytestmark = pytest.mark.contract


@pytest.mark.parametrize("service", sorted(FACTORIES))
def test_the_committed_document_is_current(service: str) -> None:
    committed = (DOCS / f"{service}.yaml").read_text()
    assert committed == render(service), (
        f"docs/asyncapi/{service}.yaml is stale: run python -m kindred.devtools.asyncapi"
    )


def _addresses(action: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for service in FACTORIES:
        doc = yaml.safe_load((DOCS / f"{service}.yaml").read_text())
        for operation in doc.get("operations", {}).values():
            if operation["action"] == action:
                channel = operation["channel"]["$ref"].split("/")[-1]
                found.setdefault(doc["channels"][channel]["address"], set()).add(service)
    return found


def test_every_consumed_topic_has_a_producer_and_every_produced_one_a_consumer() -> None:
    consumed, produced = _addresses("receive"), _addresses("send")
    assert consumed, "no subscribers documented"
    assert set(consumed) <= set(produced), set(consumed) - set(produced)
    # Only the topics the catalogue declares outward (for readers outside the services) go
    # unconsumed; an unconsumed topic not declared so is a missing consumer.
    assert set(produced) - set(consumed) == {f"kindred.{topic}" for topic in OUTWARD}
