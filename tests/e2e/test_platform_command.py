"""The README's platform command, with its demo, against the real servers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from kindred.devtools.processes import SERVICES, free_port
from tests.support.infra import Infra


def test_platform_demo_runs_the_slice_and_stops(
    infra: Infra, namespace: str, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": infra.kafka,
        "MONGODB_URL": infra.mongodb_url,
        "KINDRED_NAMESPACE": namespace,
        "KINDRED_LOG_DIR": str(tmp_path / "logs"),
        "REMATCH_INTERVAL_SECONDS": "1",
        **{f"KINDRED_{name.upper()}_PORT": str(free_port()) for name in SERVICES},
    }
    result = subprocess.run(
        [sys.executable, "-m", "kindred.devtools.platform", "--demo", "--exit"],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "demo: done, the slice works end to end" in result.stdout
    assert "-> 422" in result.stdout and "-> 403" in result.stdout
    # Every service shut down gracefully and logged it.
    for name in SERVICES:
        assert '"service stopped"' in (tmp_path / "logs" / f"{name}.log").read_text(), name
