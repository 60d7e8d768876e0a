"""``mncost bench``: measured CPU latency of the PyTorch model, per layer kind."""

from __future__ import annotations

import click

from mncost.cli.common import (format_option, max_memory_option, max_memory_value,
                               model_options, output, progress)
from mncost.core.errors import ConfigError
from mncost.core.settings import ModelSettings
from mncost.views.bench import BenchComparisonView, BenchView, label



@click.command()
@model_options
@click.option("--threads", type=click.IntRange(min=1, max=1024), default=None, metavar="N",
              help="torch intra-op threads (torch.set_num_threads). Default: torch's own "
                   "choice, usually the number of physical cores.")
@click.option("--runs", type=click.IntRange(min=1), default=30, show_default=True,
              metavar="N", help="Timed forward passes (and as many again with per-layer "
                                "hooks for the per-kind breakdown).")
@click.option("--warmup", type=click.IntRange(min=0), default=5, show_default=True,
              metavar="N", help="Untimed forward passes first.")
@click.option("--compare", "compare_sides", nargs=2, default=None, metavar="A B",
              help="Benchmark two models (variant names or spec files, with optional "
                   "@alpha=..,resolution=.. as in `mncost compare`) and report the measured "
                   "speed-up of B over A next to the mult-add ratio A / B.")
@max_memory_option
@format_option(BenchView.formats())
def bench(model: ModelSettings, threads: int | None, runs: int, warmup: int,
          compare_sides: tuple[str, str] | None, max_memory: int | None, fmt: str) -> None:
    """Measured CPU latency of the model in PyTorch, next to its mult-adds.

    Builds the spec's network with PyTorch (needs the 'verify' extra), puts it in eval mode
    and times batch-1 float32 inference on the CPU under torch.no_grad(): WARMUP untimed
    passes, then RUNS timed ones. Reports the median latency with its quartiles and extremes,
    the analytic mult-adds and the effective GMAC/s (mult-adds / median latency).

    Then the time by layer kind (the paper's Table 2 kinds: Conv 3×3, Conv DW 3×3, Conv 1×1,
    Fully connected, ...), measured with forward hooks on every layer in another RUNS passes,
    next to the same kind's share of mult-adds: mult-adds are only a proxy for latency, and
    this shows by how much each kind departs from it. A conv's time includes its batch norm
    and ReLU. Times vary from run to run and machine to machine; mult-adds do not.

    --compare A B benchmarks two models and reports how much faster B runs than A, next to
    how much fewer mult-adds it needs. A progress bar is shown on stderr when it is a
    terminal.

    \b
    Examples:
      mncost bench                                  # 1.0 MobileNet-224
      mncost bench --alpha 0.5 --resolution 160 --threads 1 --runs 50
      mncost bench --compare standard separable     # Conv MobileNet vs MobileNet
      mncost bench --compare separable separable@alpha=0.5 --format json
    """
    from mncost.torch import bench as bench_module

    bench_module.require_torch()
    if compare_sides is not None and model.variant is not None:
        raise click.UsageError("--variant does not combine with --compare; name the variants "
                               "as A and B (e.g. --compare standard separable)")
    targets = _targets(model, compare_sides)

    results = []
    with progress("passes") as start_task:
        for label, network in targets:
            total = bench_module.forward_passes(network, runs=runs, warmup=warmup)
            results.append(bench_module.run(network, runs=runs, warmup=warmup, threads=threads,
                                            progress=start_task(f"bench {label}", total),
                                            max_memory=max_memory_value(max_memory)))

    if compare_sides is None:
        output(BenchView(results[0]), fmt)
        return
    comparison = bench_module.BenchComparison(results[0], results[1])
    output(BenchComparisonView(comparison, (targets[0][0], targets[1][0])), fmt)


def _targets(model: ModelSettings, sides: tuple[str, str] | None):
    from mncost.core import spec as spec_module

    if sides is None:
        network = spec_module.resolve(spec_module.load(model.spec), settings=model)
        return [(label(network), network)]
    from mncost.core.compare import parse_side

    shared = {"alpha": model.alpha, "resolution": model.resolution, "rho": model.rho,
              "depth_multiplier": model.depth_multiplier, "min_channels": model.min_channels,
              "rounding": model.rounding}
    targets = []
    for text in sides:
        try:
            side = parse_side(text)
        except ConfigError as exc:
            raise click.BadParameter(str(exc), param_hint="'--compare'") from None
        loaded = spec_module.load(side.spec if side.spec is not None else model.spec)
        targets.append((side.text, spec_module.resolve(loaded, **side.resolve_kwargs(shared))))
    return targets
