"""Wall time of a 10,000-configuration `mncost sweep` as a whole process.

    python benchmarks/sweep_speed.py [--runs 7] [--million]

Runs `mncost sweep --alpha 0.01:1:0.01 --resolution 128:326:2` (100 α × 100 resolutions) with
--format json and --format csv, several times each, and prints the median (and min/max) wall
time of the whole process: interpreter start, imports, spec loading, the sweep, formatting and
writing ~2.4 MB of JSON. Target (issue "sweep"): under 2 s. For scale it also times, in this
process, the fast path (`sweep.run`) against resolving and analysing each configuration with
`engine.analyze` (`sweep.run(fast=False)`), which must give the same numbers.
Timing lives here, not in the test suite: shared machines are too noisy for timed asserts.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from _timing import measure, precompile  # benchmarks/_timing.py

GRID = ["--alpha", "0.01:1:0.01", "--resolution", "128:326:2"]
TARGET_SECONDS = 2.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--million", action="store_true",
                        help="also time a 10⁶-configuration sweep and its peak memory")
    args = parser.parse_args()

    from mncost.core import spec
    from mncost.core import sweep

    alphas, resolutions = sweep.parse_alphas(GRID[1]), sweep.parse_resolutions(GRID[3])
    count = len(alphas) * len(resolutions)
    print(f"grid: {' '.join(GRID)}  ({count:,} configurations)")
    precompile()
    commands = {fmt: [sys.executable, "-m", "mncost", "sweep", *GRID, "--format", fmt]
                for fmt in ("json", "csv")}
    for fmt, times in measure(commands, args.runs).items():
        median = statistics.median(times)
        verdict = "ok" if median < TARGET_SECONDS else "OVER TARGET"
        print(f"mncost sweep ... --format {fmt:4s}  median {median:6.3f} s   "
              f"min {min(times):6.3f}   max {max(times):6.3f}   "
              f"(target < {TARGET_SECONDS:g} s: {verdict})")

    model = spec.load()
    start = time.perf_counter()
    fast = sweep.run(model, alphas, resolutions)
    fast.points  # noqa: B018 - points are computed when read
    fast_s = time.perf_counter() - start
    start = time.perf_counter()
    full = sweep.run(model, alphas, resolutions, fast=False)
    full.points  # noqa: B018
    full_s = time.perf_counter() - start
    assert fast.points == full.points, "fast path and engine.analyze disagree"
    print(f"in-process: fast path {fast_s:.3f} s, resolve + engine.analyze per configuration "
          f"{full_s:.3f} s (same {count:,} results)")
    if args.million:
        _million()


MILLION = ["--alpha", "0.001:1:0.001", "--resolution", "32:1031:1"]


def _million() -> None:
    """A 1,000 α × 1,000 resolution sweep, once per format, as its own process: wall time and
    peak resident memory (JSON and CSV stream the points as they are computed; rich shows the
    first 1,000 rows)."""
    import resource
    import subprocess

    print(f"\n10⁶ configurations: mncost sweep {' '.join(MILLION)}")
    for fmt in ("csv", "json", "rich"):
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "mncost", "sweep", *MILLION, "--format", fmt],
                       stdout=subprocess.DEVNULL, check=True)
        elapsed = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        shown = f"{peak / 1024:.0f} MiB" if peak > before else "≤ the previous run's"
        print(f"  --format {fmt:5s} {elapsed:6.1f} s, peak resident memory {shown}")


if __name__ == "__main__":
    main()
