"""python -m kindred.devtools.bench.engine: the command line and the order of the run."""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence

from kindred.devtools.bench.engine.populations import (
    IDENTICAL,
    OVERSUBSCRIBED,
    population,
    scarce_supporters,
)
from kindred.devtools.bench.engine.report import compare, comparison_table, timing_row, timing_table
from kindred.matching.domain.assignment import assign
from kindred.matching.domain.model import EngineConfig, Rules


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m kindred.devtools.bench.engine")
    parser.add_argument("--quick", action="store_true", help="2k x 2k, a few seconds")
    parser.add_argument("--requests", type=int, help="requests per population (10000)")
    parser.add_argument("--supporters", type=int, help="supporters of ample and timing (10000)")
    parser.add_argument("--sizes", help="open requests timed, comma-separated (1000,10000,50000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--k", type=int, help="candidates per request (the engine's default)")
    parser.add_argument("--no-optimum", action="store_true", help="skip the exact optimum")
    args = parser.parse_args(argv)

    n_requests = args.requests or (2000 if args.quick else 10000)
    n_supporters = args.supporters or (2000 if args.quick else 10000)
    default_sizes = "500,2000" if args.quick else "1000,10000,50000"
    sizes = [int(s) for s in (args.sizes or default_sizes).split(",")]
    config = EngineConfig(rules=Rules(minors=True, max_age_gap=3))
    if args.k:
        config = EngineConfig(rules=config.rules, candidates_per_request=args.k)
    print(
        f"Kindred matching benchmark: seed {args.seed}, {os.cpu_count()} CPUs, "
        f"{config.candidates_per_request} candidates per request, {config.rules}\n"
    )

    for name, requests, supporters in (
        ("ample", n_requests, n_supporters),
        ("scarce", n_requests, scarce_supporters(n_requests)),
        (OVERSUBSCRIBED, n_requests, n_supporters),
        # A quarter of the size: every request is eligible for the same few thousand
        # supporters, which makes the optimum's graph that many times the requests.
        (IDENTICAL, max(1, n_requests // 4), max(1, n_supporters // 2)),
    ):
        pop = population(name, requests, supporters, args.seed)
        rows = compare(pop, config, exact=not args.no_optimum)
        print(comparison_table(pop, rows), end="\n\n")

    largest = max(sizes)
    pool = population("timing", largest, n_supporters, args.seed + 1)
    assign(pool.requests[:200], pool.supporters, config)  # warm up (first calls, caches)
    timings = [timing_row(pool.requests[:size], pool.supporters, config) for size in sizes]
    print("Engine stages, fastest of 3 runs (candidates: arrays, eligibility and scores, best few")
    print("per request, also for the later rounds; assignment: min-cost flows, urgent-first step,")
    print("exact pass, proposals)\n")
    print(timing_table(timings))


if __name__ == "__main__":
    main()
