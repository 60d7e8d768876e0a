"""Wall-clock timing of whole processes, shared by the benchmark scripts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def precompile() -> None:
    """Write mncost's bytecode, as `pip install` does for a regular install.

    With an editable install and PYTHONDONTWRITEBYTECODE set (as on the development machines),
    every process would otherwise recompile mncost from source while click, rich and yaml load
    precompiled bytecode: a measurement of the checkout, not of what users run.
    """
    package = Path(__file__).resolve().parent.parent / "mncost"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True,
                   env=env, capture_output=True)


def measure(commands: dict[str, list[str]], runs: int) -> dict[str, list[float]]:
    """Seconds per run of each command as a child process.

    Commands are interleaved run by run, so a burst of load on a shared machine slows all of
    them alike instead of one; each gets one untimed warm-up run first (OS file cache).
    """
    import time

    for argv in commands.values():
        subprocess.run(argv, check=True, capture_output=True)
    times: dict[str, list[float]] = {label: [] for label in commands}
    for _ in range(runs):
        for label, argv in commands.items():
            start = time.perf_counter()
            subprocess.run(argv, check=True, capture_output=True)
            times[label].append(time.perf_counter() - start)
    return times
