"""Write the gateway's OpenAPI document, generated from its code, to docs/openapi/gateway.json.

python -m kindred.devtools.openapi          (re)write the document
python -m kindred.devtools.openapi --check  exit 1 if the committed document is stale
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kindred.gateway.app import create_app
from kindred.gateway.settings import GatewaySettings

DOCUMENT = Path(__file__).resolve().parents[4] / "docs" / "openapi" / "gateway.json"


def render() -> str:
    """The document `GET /openapi.json` serves (built, never started: no server is needed)."""
    app = create_app(GatewaySettings(kindred_dev_mode=True))
    return json.dumps(app.openapi(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kindred.devtools.openapi")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        if not DOCUMENT.exists() or DOCUMENT.read_text() != text:
            print(f"stale: {DOCUMENT} (run python -m kindred.devtools.openapi)", file=sys.stderr)
            return 1
        return 0
    DOCUMENT.parent.mkdir(parents=True, exist_ok=True)
    DOCUMENT.write_text(text)
    print(f"wrote {DOCUMENT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
