"""/docs and /redoc work offline: every script, style and icon they load is served here."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from kindred.gateway.app import create_app
from kindred.gateway.settings import GatewaySettings

SETTINGS = GatewaySettings(kindred_namespace="unit", kindred_dev_mode=True)
REFERENCE = re.compile(
    r"""(?:src|href)\s*=\s*["']([^"']+)["']|url:\s*'([^']+)'|spec-url="([^"]+)\""""
)
TYPES = {".js": "javascript", ".css": "text/css", ".png": "image/png", ".json": "application/json"}


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(SETTINGS))
    async with httpx.AsyncClient(transport=transport, base_url="http://gw") as c:
        yield c


@pytest.mark.parametrize(("page", "at_least"), [("/docs", 4), ("/redoc", 3)])
async def test_the_docs_load_only_what_the_gateway_serves(
    client: httpx.AsyncClient, page: str, at_least: int
) -> None:
    response = await client.get(page)
    assert response.status_code == 200
    html = response.text
    urls = [next(g for g in match if g) for match in REFERENCE.findall(html)]
    assert len(urls) >= at_least, urls
    assert "http://" not in html and "https://" not in html
    for url in urls:
        assert url.startswith("/") and not url.startswith("//"), url
        served = await client.get(url)
        assert served.status_code == 200, url
        suffix = url[url.rfind(".") :] if "." in url.rsplit("/", 1)[-1] else ".json"
        assert TYPES[suffix] in served.headers["content-type"], (url, served.headers)
        assert len(served.content) > 100, url
