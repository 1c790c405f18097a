"""Write each service's AsyncAPI document, generated from its code, to docs/asyncapi/.

python -m kindred.devtools.asyncapi          (re)write the documents
python -m kindred.devtools.asyncapi --check  exit 1 if a committed document is stale
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import yaml
from fastapi import FastAPI
from faststream.specification import AsyncAPI

from kindred.casework.app import create_app as casework_app
from kindred.casework.settings import CaseworkSettings
from kindred.checkins.app import create_app as checkins_app
from kindred.checkins.settings import CheckinsSettings
from kindred.gateway.app import create_app as gateway_app
from kindred.gateway.settings import GatewaySettings
from kindred.matching.app import create_app as matching_app
from kindred.matching.settings import MatchingSettings
from kindred.messaging.broker import CLOUDEVENTS_JSON
from kindred.notifications.app import create_app as notifications_app
from kindred.notifications.settings import NotificationsSettings

VERSION = "0.1.0"
DOCS = Path(__file__).resolve().parents[4] / "docs" / "asyncapi"

# Fixed values, whatever the environment says: the documents name the default topic prefix.
# Dev mode: the documents are built without a deployment's secrets or on-call chain.
FIXED = {
    "kafka_bootstrap_servers": "127.0.0.1:9092",
    "kindred_namespace": "kindred",
    "kindred_dev_mode": True,
}

FACTORIES: dict[str, Callable[[], FastAPI]] = {
    "gateway": lambda: gateway_app(GatewaySettings(**FIXED)),  # type: ignore[arg-type]
    "matching": lambda: matching_app(MatchingSettings(**FIXED)),  # type: ignore[arg-type]
    "checkins": lambda: checkins_app(CheckinsSettings(**FIXED)),  # type: ignore[arg-type]
    "notifications": lambda: notifications_app(NotificationsSettings(**FIXED)),  # type: ignore[arg-type]
    "casework": lambda: casework_app(CaseworkSettings(**FIXED)),  # type: ignore[arg-type]
}


def render(service: str) -> str:
    app = FACTORIES[service]()
    spec = AsyncAPI(
        app.state.service.specification_broker(),
        title=f"Kindred {service}",
        version=VERSION,
        description=(
            f"Events the {service} service publishes and consumes. Every message is a CloudEvent "
            "in the structured content mode of the CloudEvents Kafka protocol binding: the value "
            "is the whole event as JSON (attributes and `data`), the `content-type` header is "
            f"`{CLOUDEVENTS_JSON}`, no `ce_` header is set, and the key is the event's subject."
        ),
    )
    # Sorted keys: the generator's channel order varies between runs.
    return str(yaml.safe_dump(spec.to_specification().to_jsonable(), sort_keys=True))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kindred.devtools.asyncapi")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    stale = []
    DOCS.mkdir(parents=True, exist_ok=True)
    for service in FACTORIES:
        path = DOCS / f"{service}.yaml"
        text = render(service)
        if args.check:
            if not path.exists() or path.read_text() != text:
                stale.append(path)
        else:
            path.write_text(text)
            print(f"wrote {path}")
    for path in stale:
        print(f"stale: {path} (run python -m kindred.devtools.asyncapi)", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
