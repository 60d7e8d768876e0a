"""Wall-clock timing of whole processes, shared by the benchmark scripts."""

from __future__ import annotations

import subprocess


def measure(argv: list[str], runs: int) -> list[float]:
    """Seconds per run of ``argv`` as a child process, after one untimed warm-up run
    (which fills the OS file cache, so every timed run starts equally cold for Python)."""
    import time

    subprocess.run(argv, check=True, capture_output=True)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times
