"""Measured CPU latency of a Network built in PyTorch, next to its analytic mult-adds.

torch is imported only inside the functions that need it (``require_torch`` turns its absence
into ``MissingExtra``); the module itself is pure Python, like the rest of the core.

**What is measured.** The model from ``builder.build`` in eval mode, on the CPU, float32,
batch 1, under ``torch.no_grad()``. After ``warmup`` untimed forward passes, ``runs`` passes
are timed one by one with ``time.perf_counter``: the latency is their median, the spread
their quartiles and extremes.

**Per-kind breakdown.** A second series of ``runs`` passes is made with a forward pre-hook and
a forward hook on every layer's module (the module named like the layer; a convolution's
module holds its batch norm and activation too, so their time counts with the convolution).
Each layer's time goes to its kind as the paper's Table 2 names it (``engine.kind_label``:
``Conv 3×3``, ``Conv DW 3×3``, ``Conv 1×1``, ``Fully connected``, ``Pooling``, ``Softmax``).
A kind's *time share* is its time summed over those passes divided by the passes' total wall
time; what no layer's hooks saw (flattening, the Python loop between layers, the hooks
themselves) is reported as ``other``. Passes slower than Q3 + 1.5·IQR of the hooked series
(Tukey's fence: a pass the machine interrupted) are left out of the breakdown, so one stall
does not distort the shares; ``breakdown_passes`` says how many were used. The timed series
is kept free of hooks so the headline latency is not inflated by them.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from typing import Callable

from mncost.core import costing as engine
from mncost.core.errors import MissingExtra
from mncost.core.memory import DEFAULT_MAX_MEMORY
from mncost.core.ir import Network

DEFAULT_RUNS = 30
DEFAULT_WARMUP = 5
OTHER = "other (between layers)"

Progress = Callable[[int], None]  # called with the number of forward passes just completed


def require_torch(command: str = "mncost bench"):
    """Import and return torch, or raise MissingExtra naming the 'verify' extra."""
    try:
        import torch
    except ImportError:
        raise MissingExtra("verify", command) from None
    return torch


@dataclass(frozen=True)
class Latency:
    """Wall times of single forward passes, in seconds."""

    samples: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def q1(self) -> float:
        return self._quartiles()[0]

    @property
    def q3(self) -> float:
        return self._quartiles()[2]

    @property
    def minimum(self) -> float:
        return min(self.samples)

    @property
    def maximum(self) -> float:
        return max(self.samples)

    def _quartiles(self) -> list[float]:
        if len(self.samples) == 1:
            return [self.samples[0]] * 3
        return statistics.quantiles(self.samples, n=4, method="inclusive")


@dataclass(frozen=True)
class KindTime:
    """One row of the breakdown: a kind's share of measured time next to its share of
    mult-adds."""

    kind: str
    layers: int
    mult_adds: int
    mult_add_share: float
    seconds: float        # median over the hooked passes of this kind's summed layer time
    time_share: float     # this kind's time / the hooked passes' wall time (sums over passes)

    @property
    def time_per_mult_add_share(self) -> float | None:
        """How many times more of the time than of the mult-adds this kind takes."""
        return self.time_share / self.mult_add_share if self.mult_add_share else None


@dataclass(frozen=True)
class LayerTime:
    name: str
    kind: str
    mult_adds: int
    seconds: float        # median over the hooked passes


@dataclass(frozen=True)
class BenchResult:
    report: engine.Report
    threads: int
    warmup: int
    runs: int
    torch_version: str
    latency: Latency
    kinds: tuple[KindTime, ...]
    layers: tuple[LayerTime, ...]
    other_share: float
    breakdown_passes: int  # hooked passes the breakdown uses (outliers left out)

    @property
    def network(self) -> Network:
        return self.report.network

    @property
    def mult_adds(self) -> int:
        return self.report.mult_adds

    @property
    def gmacs_per_second(self) -> float:
        """Effective throughput: analytic mult-adds / median latency, in 10⁹ per second."""
        return self.mult_adds / self.latency.median / 1e9


def forward_passes(network: Network, *, runs: int = DEFAULT_RUNS,
                   warmup: int = DEFAULT_WARMUP) -> int:
    """How many forward passes ``run`` makes (for a progress bar): build counts as one."""
    return 1 + warmup + 2 * runs


def run(network: Network, *, runs: int = DEFAULT_RUNS, warmup: int = DEFAULT_WARMUP,
        threads: int | None = None, progress: Progress | None = None,
        max_memory: int | None = DEFAULT_MAX_MEMORY) -> BenchResult:
    """Build ``network``, time it, and break the time down by layer kind."""
    if runs < 1 or warmup < 0:
        raise ValueError("runs must be at least 1 and warmup at least 0")
    torch = require_torch()
    from mncost.torch import builder

    report = engine.analyze(network)
    tick = progress or (lambda n: None)
    previous_threads = torch.get_num_threads()
    try:
        if threads is not None:
            torch.set_num_threads(threads)
        model = builder.build(network, max_memory=max_memory).eval()
        x = builder.input_tensor(network)
        tick(1)
        with torch.no_grad():
            for _ in range(warmup):
                model(x)
                tick(1)
            samples = []
            for _ in range(runs):
                start = time.perf_counter()
                model(x)
                samples.append(time.perf_counter() - start)
                tick(1)
            per_layer, walls = _hooked_passes(model, network, builder, x, runs, tick)
        used_threads = torch.get_num_threads()
    finally:
        torch.set_num_threads(previous_threads)
    return _result(report, used_threads, warmup, runs, torch.__version__, samples, per_layer,
                   walls)


def _hooked_passes(model, network: Network, builder, x, runs: int,
                   tick: Progress) -> tuple[dict[str, list[float]], list[float]]:
    """Per layer, its time in each pass; and each pass's wall time."""
    per_layer: dict[str, list[float]] = {layer.name: [] for layer in network.layers}
    started: dict[str, float] = {}
    handles = []
    for name, module in builder.layer_modules(model, network).items():
        def before(module, args, name=name):
            started[name] = time.perf_counter()

        def after(module, args, output, name=name):
            per_layer[name].append(time.perf_counter() - started[name])
        handles.append(module.register_forward_pre_hook(before))
        handles.append(module.register_forward_hook(after))
    walls = []
    try:
        for _ in range(runs):
            start = time.perf_counter()
            model(x)
            walls.append(time.perf_counter() - start)
            tick(1)
    finally:
        for handle in handles:
            handle.remove()
    return per_layer, walls


def outlier_free(walls: list[float]) -> list[int]:
    """Indices of the passes kept for the breakdown: all but those slower than
    Q3 + 1.5·IQR (Tukey's fence), typically passes interrupted by other work on the machine."""
    if len(walls) < 4:
        return list(range(len(walls)))
    q1, _, q3 = statistics.quantiles(walls, n=4, method="inclusive")
    fence = q3 + 1.5 * (q3 - q1)
    return [i for i, wall in enumerate(walls) if wall <= fence]


def _result(report: engine.Report, threads: int, warmup: int, runs: int, version: str,
            samples: list[float], per_layer: dict[str, list[float]],
            walls: list[float]) -> BenchResult:
    kept = outlier_free(walls)
    total_wall = sum(walls[i] for i in kept)
    total_ma = report.mult_adds
    layers = []
    kinds: dict[str, dict] = {}
    for lr in report.layers:
        times = [per_layer[lr.name][i] for i in kept]
        label = engine.kind_label(lr.layer)
        layers.append(LayerTime(lr.name, label, lr.mult_adds, statistics.median(times)))
        row = kinds.setdefault(label, {"layers": 0, "mult_adds": 0,
                                       "per_pass": [0.0] * len(times)})
        row["layers"] += 1
        row["mult_adds"] += lr.mult_adds
        row["per_pass"] = [a + b for a, b in zip(row["per_pass"], times)]
    kind_times = tuple(
        KindTime(kind=label, layers=row["layers"], mult_adds=row["mult_adds"],
                 mult_add_share=row["mult_adds"] / total_ma if total_ma else 0.0,
                 seconds=statistics.median(row["per_pass"]),
                 time_share=sum(row["per_pass"]) / total_wall)
        for label, row in kinds.items())
    other = max(0.0, 1.0 - sum(k.time_share for k in kind_times))
    return BenchResult(report=report, threads=threads, warmup=warmup, runs=runs,
                       torch_version=version, latency=Latency(tuple(samples)),
                       kinds=kind_times, layers=tuple(layers), other_share=other,
                       breakdown_passes=len(kept))


@dataclass(frozen=True)
class BenchComparison:
    """Two benchmarks: the measured speed-up of B over A next to the mult-add ratio A / B."""

    a: BenchResult
    b: BenchResult

    @property
    def speedup(self) -> float:
        """Median latency of A / median latency of B (> 1: B is faster)."""
        return self.a.latency.median / self.b.latency.median

    @property
    def mult_add_ratio(self) -> float | None:
        """Mult-adds of A / mult-adds of B: the speed-up if time followed mult-adds."""
        return self.a.mult_adds / self.b.mult_adds if self.b.mult_adds else None
