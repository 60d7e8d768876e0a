"""Cold-start time of `mncost table` as a whole process, next to a bare import of its deps.

    python benchmarks/cold_start.py [--runs 15]

Prints the median (and min/max) wall time of each command over several interleaved runs and
the ratios. mncost's bytecode is compiled first, as a regular `pip install` does.
The target (issue "Core"): `mncost table` within 2× of `python -c "import click, rich, yaml"`.
Timing lives here, not in the test suite: shared machines are too noisy for timed asserts.
"""

from __future__ import annotations

import argparse
import statistics
import sys

from _timing import measure, precompile  # benchmarks/_timing.py

COMMANDS = {
    "bare import (click, rich, yaml)": [sys.executable, "-c", "import click, rich, yaml"],
    # What any CLI that prints a rich table pays before doing anything: `import rich` alone
    # loads almost nothing, rich.console and rich.table are most of rich's import time.
    "import click, rich.console, rich.table, yaml": [
        sys.executable, "-c", "import click, rich.console, rich.table, yaml"],
    "mncost table": [sys.executable, "-m", "mncost", "table"],
    "mncost table --format json": [sys.executable, "-m", "mncost", "table", "--format", "json"],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    precompile()
    medians = {}
    for label, times in measure(COMMANDS, args.runs).items():
        medians[label] = statistics.median(times)
        print(f"{label:46s} median {medians[label] * 1000:7.1f} ms   "
              f"min {min(times) * 1000:7.1f}   max {max(times) * 1000:7.1f}")
    for base_label in list(COMMANDS)[:2]:
        base = medians[base_label]
        for label in list(COMMANDS)[2:]:
            print(f"ratio {label} / {base_label}: {medians[label] / base:.2f}×")


if __name__ == "__main__":
    main()
