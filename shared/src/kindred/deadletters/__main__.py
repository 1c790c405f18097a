"""List and re-drive dead letters: python -m kindred.deadletters {list,redrive} --help

The command is `kindred.deadletters.cli`; this is the entry point operators run wherever the
services run (same image, same environment).
"""

from __future__ import annotations

import logging
import sys

from kindred.deadletters.cli import main

if __name__ == "__main__":
    # The Kafka client logs its connection troubles; the command reports them in one line.
    logging.basicConfig(level=logging.CRITICAL, format="%(message)s")
    raise SystemExit(main(sys.argv[1:]))
