"""`promtool`, Prometheus's own linter of the exposition format: from the PATH, else from Debian's
`prometheus` package, fetched once (`apt-get download`, no root needed) and unpacked into the
kindred cache beside the local stack's downloads."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path


def cache_dir() -> Path:
    base = os.environ.get("KINDRED_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "kindred"
    )
    return Path(base) / "promtool"


def promtool() -> Path:
    """The path of a working promtool; fetched the first time. Raises with the reason when it
    can be neither found nor fetched."""
    found = shutil.which("promtool")
    if found:
        return Path(found)
    cached = cache_dir() / "promtool"
    if cached.exists():
        return cached
    cached.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        fetched = subprocess.run(
            ["apt-get", "download", "prometheus"], cwd=tmp, capture_output=True, text=True
        )
        debs = list(Path(tmp).glob("prometheus_*.deb"))
        if not debs:
            raise RuntimeError(
                "promtool is not on the PATH and Debian's prometheus package could not be "
                f"fetched (apt-get download prometheus: {fetched.stderr.strip()[-300:]})"
            )
        subprocess.run(["dpkg-deb", "-x", str(debs[0]), f"{tmp}/x"], check=True)
        partial = cached.with_suffix(".partial")
        shutil.copy2(f"{tmp}/x/usr/bin/promtool", partial)
        partial.replace(cached)  # whole or not at all: another run may be looking
    return cached


def check_metrics(exposition: str) -> list[str]:
    """promtool's problems with a /metrics text (empty when it passes)."""
    result = subprocess.run(
        [str(promtool()), "check", "metrics"],
        input=exposition,
        capture_output=True,
        text=True,
        timeout=60,
    )
    problems = (result.stdout + result.stderr).strip().splitlines()
    if result.returncode != 0 and not problems:
        problems = [f"promtool exited {result.returncode}"]
    return problems
