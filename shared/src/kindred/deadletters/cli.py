"""The dead-letter command's command line (see `kindred.deadletters`): the arguments, what
it prints, and its exit statuses."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Sequence
from typing import ClassVar, TextIO

from kindred.deadletters.kafka import Kafka, list_letters, redrive
from kindred.deadletters.model import (
    CommandError,
    DeadLetter,
    Outcome,
    Redriven,
    Selection,
    UsageError,
    parse_offsets,
)
from kindred.messaging.deadletter import HEADER_PREFIX
from kindred.settings import ServiceSettings

DEFAULT_TIMEOUT = 15.0


class OperatorSettings(ServiceSettings):
    """The command reads the same environment as the services."""

    service_name: ClassVar[str] = "deadletters"


# ---------------------------------------------------------------- output


def format_letter(letter: DeadLetter, redriven: Redriven | None) -> str:
    origin = f"{letter.origin_topic}/{_or_dash(letter.origin_partition)}"
    origin += f"/{_or_dash(letter.origin_offset)}"
    message = (letter.dlt("error-message") or "").strip()
    message_lines = message.splitlines() or [""]
    lines = [
        f"{letter.partition}:{letter.offset}  {letter.event_type or '(not a CloudEvent)'}"
        f"  id {letter.event_id or '-'}  key {_key(letter.key)}",
        f"    origin      {origin}",
        f"    error       {letter.dlt('error-type') or '-'}: {message_lines[0]}",
        *(f"                {line}" for line in message_lines[1:20]),
        f"    failed at   {letter.dlt('failed-at') or '-'}  in group "
        f"{letter.dlt('consumer-group') or '-'}  (attempts {letter.dlt('attempts') or '-'})",
    ]
    others = [(k, v) for k, v in letter.headers if not k.startswith(HEADER_PREFIX)]
    if others:
        shown = ", ".join(f"{k}={v.decode(errors='replace')}" for k, v in others)
        lines.append(f"    headers     {shown}")
    if redriven is not None:
        lines.append(f"    re-driven   to {redriven.to} at {redriven.at}")
    return "\n".join(lines)


def _or_dash(value: object) -> str:
    return "-" if value is None else str(value)


def _key(key: bytes | None) -> str:
    return "-" if key is None else key.decode(errors="replace")


def print_listing(
    rows: list[tuple[DeadLetter, Redriven | None]], out: TextIO, *, as_json: bool
) -> None:
    if as_json:
        json.dump([letter.as_dict(r) for letter, r in rows], out, indent=2)
        out.write("\n")
        return
    if not rows:
        print("no dead letters", file=out)
        return
    topic = None
    for letter, redriven in rows:
        if letter.topic != topic:
            topic = letter.topic
            count = sum(1 for d, _ in rows if d.topic == topic)
            print(f"{topic}: {count} dead letter{'s' if count != 1 else ''}", file=out)
        print(format_letter(letter, redriven), file=out)


VERBS = {
    "sent": "re-drove",
    "unrecorded": "re-drove (not recorded)",
    "would-send": "would re-drive",
    "skipped": "skipped",
    "failed": "FAILED",
}


def print_outcomes(outcomes: list[Outcome], out: TextIO, *, as_json: bool) -> None:
    if as_json:
        json.dump([o.as_dict() for o in outcomes], out, indent=2)
        out.write("\n")
        return
    if not outcomes:
        print("no dead letters chosen", file=out)
        return
    for o in outcomes:
        letter = o.letter
        what = f"{letter.event_type} {letter.event_id}" if letter.event_type else "not a CloudEvent"
        line = f"{VERBS[o.action]} {letter.ref} ({what})"
        if o.to and o.action != "skipped":
            line += f" -> {o.to}"
        if o.detail:
            line += f": {o.detail}"
        print(line, file=out)
    counts = {a: sum(1 for o in outcomes if o.action == a) for a in VERBS}
    summary = ", ".join(f"{n} {VERBS[a]}" for a, n in counts.items() if n)
    print(summary + (" (dry run: nothing sent)" if counts["would-send"] else ""), file=out)


# ---------------------------------------------------------------- command line


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m kindred.deadletters",
        description="List and re-drive dead letters. Kafka: KAFKA_BOOTSTRAP_SERVERS; topics: "
        "KINDRED_NAMESPACE.",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        help="longest wait for Kafka on any step, in seconds (default %(default)s)",
    )
    commands = p.add_subparsers(dest="command", required=True)

    def common(sub: argparse.ArgumentParser) -> None:
        sub.add_argument(
            "topics",
            nargs="*",
            metavar="TOPIC",
            help="dead-letter topic: <namespace>.checkin.submitted.dlt, checkin.submitted.dlt "
            "or checkin.submitted (default: every *.dlt topic of the namespace)",
        )
        sub.add_argument(
            "--offset",
            action="append",
            default=None,
            metavar="P:O",
            help="only partition P, offset O of the one TOPIC; repeat or separate by commas",
        )
        sub.add_argument("--type", dest="event_type", help="only this event type")
        sub.add_argument("--error-type", help="only this error type, e.g. ValidationError")
        sub.add_argument("--json", action="store_true", help="JSON for scripts")
        sub.add_argument(
            "--timeout", type=float, default=argparse.SUPPRESS, help="as before the command"
        )

    listing = commands.add_parser("list", help="show dead letters (reads only, joins no group)")
    common(listing)
    again = commands.add_parser("redrive", help="re-publish dead letters to their origin topic")
    common(again)
    again.add_argument("--all", action="store_true", help="every dead letter of the TOPICs")
    again.add_argument("--dry-run", action="store_true", help="show what would be sent")
    again.add_argument("--force", action="store_true", help="send again those already re-driven")
    return p


def selection_from(args: argparse.Namespace) -> Selection:
    offsets = parse_offsets(args.offset) if args.offset is not None else None
    chosen = Selection(offsets, args.event_type, args.error_type)
    if args.command == "redrive":
        if getattr(args, "all", False) and chosen:
            raise UsageError("--all cannot be combined with --offset, --type or --error-type")
        if not getattr(args, "all", False) and not chosen:
            raise UsageError("choose what to re-drive: --offset, --type, --error-type or --all")
    if offsets is not None and len(args.topics) != 1:
        raise UsageError("--offset needs exactly one TOPIC")
    return chosen


async def run(args: argparse.Namespace, settings: ServiceSettings, out: TextIO) -> int:
    if args.timeout <= 0:
        raise UsageError("--timeout must be positive")
    chosen = selection_from(args)
    async with Kafka(settings, args.timeout) as kafka:
        if args.command == "list":
            rows = await list_letters(kafka, args.topics, chosen)
            print_listing(rows, out, as_json=args.json)
            return 0
        outcomes = await redrive(kafka, args.topics, chosen, dry_run=args.dry_run, force=args.force)
        print_outcomes(outcomes, out, as_json=args.json)
        return 1 if any(o.action in ("failed", "unrecorded") for o in outcomes) else 0


async def command(
    argv: Sequence[str] | None,
    settings: ServiceSettings,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """The command; returns its exit status. Errors are one line on `err`, no traceback."""
    out = out or sys.stdout
    err = err or sys.stderr
    args = parser().parse_args(argv)
    try:
        return await run(args, settings, out)
    except UsageError as exc:
        print(f"deadletters: {exc}", file=err)
        return 2
    except CommandError as exc:
        print(f"deadletters: {exc}", file=err)
        return 1


def main(argv: Sequence[str] | None = None) -> int:
    settings = OperatorSettings.load()  # a bad variable: one line per variable, status 1
    try:
        return asyncio.run(command(argv, settings))
    except KeyboardInterrupt:
        print("deadletters: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # piped into `head`, which left: no traceback at exit either
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
