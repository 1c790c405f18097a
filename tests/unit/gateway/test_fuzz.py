"""Fuzz the gateway with schemathesis against its committed OpenAPI document: whatever the
input, the status, content type, headers and body conform to the document, and nothing is 5xx
(503 is documented: Kafka away).

In process: the app on FastStream's in-memory broker, in one event loop on a thread of its own;
every request carries a valid token for the member in its path. Deterministic (derandomized).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from anyio.from_thread import BlockingPortal, start_blocking_portal
from faststream.kafka import TestKafkaBroker
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import ignored_auth

from kindred.devtools.openapi import DOCUMENT
from kindred.gateway.app import create_app
from kindred.gateway.auth import issue_token
from kindred.gateway.settings import GatewaySettings

SETTINGS = GatewaySettings(kindred_namespace="fuzz", kindred_dev_mode=True)
INBOX = {"member_id": "m1", "items": []}
schema = schemathesis.openapi.from_path(DOCUMENT)


class Gateway:
    def __init__(self, portal: BlockingPortal) -> None:
        self.portal = portal
        transport = httpx.MockTransport(lambda request: httpx.Response(200, json=INBOX))
        self.app = create_app(SETTINGS, notifications_transport=transport)
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url="http://gw"
        )

    def send(self, kwargs: dict[str, Any]) -> httpx.Response:
        async def send() -> httpx.Response:
            return await self.client.request(**kwargs)

        return self.portal.call(send)


@pytest.fixture(scope="module")
def gateway() -> Iterator[Gateway]:
    with start_blocking_portal() as portal:
        gateway = Gateway(portal)
        broker = gateway.app.state.service.broker
        with portal.wrap_async_context_manager(TestKafkaBroker(broker)):
            yield gateway
        portal.call(gateway.client.aclose)


@schema.auth(refresh_interval=None)
class MemberToken:
    """A valid token for the member in the path (schemathesis leaves it out where it tests
    a request without one)."""

    def get(self, case: schemathesis.Case, ctx: schemathesis.AuthContext) -> str | None:
        member = (case.path_parameters or {}).get("member_id")
        return issue_token(SETTINGS, member) if isinstance(member, str) else None

    def set(self, case: schemathesis.Case, data: str, ctx: schemathesis.AuthContext) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


def integral(value: Any) -> Any:
    """28.0 written as 28. JSON Schema's `integer` admits 28.0 and cannot say otherwise; the API
    refuses it on purpose (a score is written as an integer: test_api.py checks that)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [integral(v) for v in value]
    if isinstance(value, dict):
        return {k: integral(v) for k, v in value.items()}
    return value


def request_of(case: schemathesis.Case) -> dict[str, Any]:
    """The case as httpx keyword arguments."""
    sent = case.as_transport_kwargs(base_url="http://gw")
    kwargs: dict[str, Any] = {
        "method": sent["method"],
        "url": sent["url"],
        "headers": dict(sent.get("headers") or {}),
        "params": sent.get("params"),
    }
    if "json" in sent:
        kwargs["json"] = integral(sent["json"])
    elif sent.get("data") is not None:
        kwargs["content"] = sent["data"]
    return kwargs


# About 2,000 requests over the seven operations (success, 400, 401, 405, 415, 422), ~10 s.
@schema.parametrize()
@settings(
    max_examples=100,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_gateway_answers_as_its_document_says(
    case: schemathesis.Case, gateway: Gateway
) -> None:
    request = request_of(case)
    response = gateway.send(request)
    assert response.status_code < 500 or response.status_code == 503, response.text
    # ignored_auth would probe over the network; tokens have their own tests (test_api.py).
    case.validate_response(response, headers=request["headers"], excluded_checks=[ignored_auth])
