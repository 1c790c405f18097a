"""The command-line options the pipeline benches share (`python -m kindred.devtools.bench`,
with or without `--safety`): replicas, namespace, overall timeout, and the servers."""

from __future__ import annotations

import argparse
import os

from kindred.devtools.processes import SERVICES


def replicas(text: str) -> dict[str, int]:
    out = {}
    for item in filter(None, text.split(",")):
        name, _, count = item.partition("=")
        if name not in SERVICES or not count.isdigit() or int(count) < 1:
            raise argparse.ArgumentTypeError(f"expected SERVICE=N with SERVICE in {SERVICES}")
        out[name] = int(count)
    return out


def add_common(parser: argparse.ArgumentParser, *, example: str, timeout: float) -> None:
    """`--replicas` (`example` in its help), `--namespace` and `--timeout` (`timeout` seconds
    by default), after the command's own options."""
    add = parser.add_argument
    add("--replicas", type=replicas, default={}, help=f"e.g. {example}")
    add("--namespace", help="a fresh bench<hex>; an existing one continues on its data")
    add("--timeout", type=float, default=timeout, help=f"overall limit in seconds ({timeout:g})")


def servers(parser: argparse.ArgumentParser) -> tuple[str, str]:
    """Kafka's bootstrap servers and the MongoDB URL from the environment; a usage error
    without them."""
    kafka, mongodb_url = os.environ.get("KAFKA_BOOTSTRAP_SERVERS"), os.environ.get("MONGODB_URL")
    if not kafka or not mongodb_url:
        parser.error("set KAFKA_BOOTSTRAP_SERVERS and MONGODB_URL (or use scripts/bench)")
    return kafka, mongodb_url
