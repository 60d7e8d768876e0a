"""Cold-start time of `mncost table` as a whole process, next to a bare import of its deps.

    python benchmarks/cold_start.py [--runs 15]

Prints the median (and min/max) wall time of each command over several runs and the ratio.
The target (issue "Core"): `mncost table` within 2× of `python -c "import click, rich, yaml"`.
Timing lives here, not in the test suite: shared machines are too noisy for timed asserts.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

COMMANDS = {
    "bare import (click, rich, yaml)": [sys.executable, "-c", "import click, rich, yaml"],
    "mncost table": [sys.executable, "-m", "mncost", "table"],
    "mncost table --format json": [sys.executable, "-m", "mncost", "table", "--format", "json"],
}


def measure(argv: list[str], runs: int) -> list[float]:
    subprocess.run(argv, check=True, capture_output=True)  # warm the OS file cache
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    medians = {}
    for label, argv in COMMANDS.items():
        times = measure(argv, args.runs)
        medians[label] = statistics.median(times)
        print(f"{label:32s} median {medians[label] * 1000:7.1f} ms   "
              f"min {min(times) * 1000:7.1f}   max {max(times) * 1000:7.1f}")
    base = medians["bare import (click, rich, yaml)"]
    for label in list(COMMANDS)[1:]:
        print(f"ratio {label} / bare import: {medians[label] / base:.2f}×")


if __name__ == "__main__":
    main()
