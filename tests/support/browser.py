"""A real headless browser for the console tests: Debian's Chromium driven by Playwright.

Playwright's own browser download is not used (and not reachable here): `scripts/test` installs
Debian's `chromium` when it is missing, and CHROMIUM_PATH names another executable. Screenshots
go to KINDRED_ARTIFACTS_DIR (default `test-artifacts/` in the repository), kept after the run.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

from playwright.async_api import Browser, Page, async_playwright

REPO_ROOT = Path(__file__).resolve().parents[2]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}
# No traffic off this machine: no component updates, sync, field trials or QUIC probes.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--metrics-recording-only",
]


def chromium_path() -> str:
    found = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
    if not found:
        raise RuntimeError(
            "no Chromium: run scripts/test (it installs Debian's chromium) or "
            "'apt-get install chromium', or set CHROMIUM_PATH"
        )
    return found


def artifacts_dir(*parts: str) -> Path:
    base = Path(os.environ.get("KINDRED_ARTIFACTS_DIR") or REPO_ROOT / "test-artifacts")
    path = base.joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextlib.asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=ARGS
        )
        try:
            yield browser
        finally:
            await browser.close()


async def screenshot(page: Page, name: str) -> Path:
    """The page at desktop width, then at phone width (full page each); the viewport is put
    back. Returns the phone shot's path."""
    folder = artifacts_dir("console")
    size = page.viewport_size or DESKTOP
    await page.set_viewport_size(DESKTOP)
    await page.screenshot(path=str(folder / f"{name}-desktop.png"), full_page=True)
    await page.set_viewport_size(PHONE)
    phone = folder / f"{name}-phone.png"
    await page.screenshot(path=str(phone), full_page=True)
    await page.set_viewport_size(size)
    return phone


async def scrolls_sideways(page: Page) -> bool:
    """Whether the page is wider than the viewport (a phone user would scroll sideways)."""
    return bool(
        await page.evaluate(
            "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
        )
    )
