"""Cold start of `mncost table` as users run it: installed with `pip install .` (not editable).

    python benchmarks/cold_start.py [--runs 21] [--keep VENV]

Builds a throwaway virtual environment (system site-packages visible, so click, rich and PyYAML
are the machine's), installs this checkout into it non-editable, checks that `mncost` then
imports from the venv and not from the checkout, and times whole processes, interleaved:

* the bare import its dependencies cost: `python -c "import click, rich, yaml"`;
* `mncost table --alpha 0.5 --resolution 160` (the console script) and `--format json`.

Target (graph-core issue): the table within 2× of the bare import. Timing lives here, not in
the test suite: shared machines are too noisy for timed asserts.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from _timing import measure  # benchmarks/_timing.py

ROOT = Path(__file__).resolve().parent.parent


def install(venv: Path) -> Path:
    """A venv with this checkout installed as a regular package; returns its python."""
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)],
                   check=True)
    python = venv / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", str(ROOT)],
                   check=True)
    where = subprocess.run([str(python), "-c", "import mncost; print(mncost.__file__)"],
                           check=True, capture_output=True, text=True).stdout.strip()
    if not where.startswith(str(venv)):
        raise SystemExit(f"mncost imports from {where}, not from the benchmark's venv")
    return python


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--keep", type=Path, default=None,
                        help="build the venv here and keep it (default: a temporary one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        venv = args.keep or Path(scratch) / "venv"
        python = install(venv)
        mncost = str(venv / "bin" / "mncost")
        commands = {
            "bare import (click, rich, yaml)": [str(python), "-c", "import click, rich, yaml"],
            "mncost table --alpha 0.5 --resolution 160": [
                mncost, "table", "--alpha", "0.5", "--resolution", "160"],
            "mncost table ... --format json": [
                mncost, "table", "--alpha", "0.5", "--resolution", "160", "--format", "json"],
        }
        medians = {}
        for label, times in measure(commands, args.runs).items():
            medians[label] = statistics.median(times)
            print(f"{label:46s} median {medians[label] * 1000:7.1f} ms   "
                  f"min {min(times) * 1000:7.1f}   max {max(times) * 1000:7.1f}")
        base_label = next(iter(commands))
        for label in list(commands)[1:]:
            print(f"ratio {label} / {base_label}: {medians[label] / medians[base_label]:.2f}×")


if __name__ == "__main__":
    main()
