"""``mncost bench``: measured CPU latency of the PyTorch model, per layer kind."""

from __future__ import annotations

import contextlib
import csv
import io
from typing import Any, Callable, Iterator

import click

from mncost.cli.common import (console, emit, format_option, max_memory_option,
                                    max_memory_value, model_options)
from mncost.core.errors import ConfigError
from mncost.core.settings import ModelSettings

KIND_CSV_FIELDS = ("kind", "layers", "mult_adds", "mult_add_share", "time_ms", "time_share")
COMPARE_CSV_FIELDS = ("model", "variant", "alpha", "resolution", "mult_adds", "median_ms",
                      "q1_ms", "q3_ms", "min_ms", "max_ms", "gmacs_per_s")


@click.command()
@model_options
@click.option("--threads", type=click.IntRange(min=1), default=None, metavar="N",
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
@format_option()
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
    with _progress() as start_task:
        for label, network in targets:
            total = bench_module.forward_passes(network, runs=runs, warmup=warmup)
            results.append(bench_module.run(network, runs=runs, warmup=warmup, threads=threads,
                                            progress=start_task(label, total),
                                            max_memory=max_memory_value(max_memory)))

    if compare_sides is None:
        result = results[0]
        emit(fmt,
             rich=lambda: _rich(bench_tables(result)),
             markdown=lambda: _markdown(bench_tables(result)),
             csv=lambda: kinds_csv(result),
             json=lambda: bench_dict(result))
        return
    comparison = bench_module.BenchComparison(results[0], results[1])
    labels = (targets[0][0], targets[1][0])
    emit(fmt,
         rich=lambda: _rich(compare_tables(comparison, labels)),
         markdown=lambda: _markdown(compare_tables(comparison, labels)),
         csv=lambda: compare_csv(comparison, labels),
         json=lambda: compare_dict(comparison, labels))


def _targets(model: ModelSettings, sides: tuple[str, str] | None):
    from mncost.core import spec as spec_module

    if sides is None:
        network = spec_module.resolve(spec_module.load(model.spec), settings=model)
        return [(_label(network), network)]
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


def _label(network) -> str:
    return (f"{network.model} · {network.variant} · α={network.alpha:g} · "
            f"{network.resolution_text}")


@contextlib.contextmanager
def _progress() -> Iterator[Callable[[str, int], Callable[[int], None]]]:
    """A rich progress bar on stderr when it is a terminal; silent otherwise."""
    err = console(stderr=True)
    if not err.is_terminal:
        yield lambda label, total: (lambda n: None)
        return
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                               TimeElapsedColumn)

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("passes"), TimeElapsedColumn(), console=err,
                  transient=True) as progress:
        def start(label: str, total: int) -> Callable[[int], None]:
            task = progress.add_task(f"bench {label}", total=total)
            return lambda n: progress.advance(task, n)
        yield start


# -- views ----------------------------------------------------------------------------------------

def _ms(seconds: float) -> float:
    return round(seconds * 1000, 4)


def _pct(share: float) -> str:
    return f"{100 * share:.1f}%"


def _ms_text(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def bench_dict(result) -> dict[str, Any]:
    """The JSON contract of `mncost bench` (docs/sweep.md "mncost bench")."""

    lat = result.latency
    return {
        **result.network.describe(),
        "device": "cpu", "dtype": "float32", "batch": 1, "threads": result.threads,
        "runs": result.runs, "warmup": result.warmup, "torch_version": result.torch_version,
        "mult_adds": result.mult_adds,
        "latency_ms": {"median": _ms(lat.median), "q1": _ms(lat.q1), "q3": _ms(lat.q3),
                       "min": _ms(lat.minimum), "max": _ms(lat.maximum)},
        "samples_ms": [_ms(s) for s in lat.samples],
        # 6 significant digits, not 3 decimals: a tiny model runs at 0.0x GMAC/s
        "gmacs_per_s": float(f"{result.gmacs_per_second:.6g}"),
        "kinds": [
            {"kind": k.kind, "layers": k.layers, "mult_adds": k.mult_adds,
             "mult_add_share": round(k.mult_add_share, 6), "time_ms": _ms(k.seconds),
             "time_share": round(k.time_share, 6)}
            for k in result.kinds
        ],
        "other_time_share": round(result.other_share, 6),
        "breakdown_passes": result.breakdown_passes,
        "layers": [{"name": lt.name, "kind": lt.kind, "mult_adds": lt.mult_adds,
                    "time_ms": _ms(lt.seconds)} for lt in result.layers],
    }


def compare_dict(comparison, labels: tuple[str, str]) -> dict[str, Any]:
    ratio = comparison.mult_add_ratio
    return {
        "labels": list(labels),
        "models": [bench_dict(comparison.a), bench_dict(comparison.b)],
        "speedup": round(comparison.speedup, 4),
        "mult_add_ratio": None if ratio is None else round(ratio, 4),
    }


def kinds_csv(result) -> str:
    """One row per layer kind, then ``other``; shares as fractions of 1."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(KIND_CSV_FIELDS)
    for k in result.kinds:
        writer.writerow([k.kind, k.layers, k.mult_adds, f"{k.mult_add_share:.6f}",
                         f"{k.seconds * 1000:.4f}", f"{k.time_share:.6f}"])
    writer.writerow(["other", 0, 0, "0.000000", "", f"{result.other_share:.6f}"])
    return out.getvalue()


def compare_csv(comparison, labels: tuple[str, str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COMPARE_CSV_FIELDS)
    for label, result in zip(labels, (comparison.a, comparison.b)):
        lat = result.latency
        writer.writerow([label, result.network.variant, f"{result.network.alpha:g}",
                         result.network.resolution, result.mult_adds,
                         *(f"{v * 1000:.4f}" for v in (lat.median, lat.q1, lat.q3, lat.minimum,
                                                       lat.maximum)),
                         f"{result.gmacs_per_second:.3f}"])
    return out.getvalue()


def _latency_table(results, labels: tuple[str, ...] | None = None):
    from mncost.views.formats import Column, TableData, grouped

    columns = [Column("median", "Median", numeric=True),
               Column("iqr", "IQR (q1–q3)", numeric=True),
               Column("range", "Min–max", numeric=True),
               Column("runs", "Runs", numeric=True),
               Column("mult_adds", "Mult-adds", numeric=True),
               Column("gmacs", "Effective GMAC/s", numeric=True)]
    if labels is not None:
        columns.insert(0, Column("model", "Model"))
    rows = []
    for i, result in enumerate(results):
        lat = result.latency
        rows.append({"model": labels[i] if labels else "",
                     "median": _ms_text(lat.median),
                     "iqr": f"{lat.q1 * 1000:.2f}–{lat.q3 * 1000:.2f} ms",
                     "range": f"{lat.minimum * 1000:.2f}–{lat.maximum * 1000:.2f} ms",
                     "runs": str(result.runs), "mult_adds": grouped(result.mult_adds),
                     "gmacs": f"{result.gmacs_per_second:.1f}"})
    first = results[0]
    title = "Measured latency" if labels else f"{_label(first.network)} · measured latency"
    setup = (f"CPU, float32, batch 1, {first.threads} thread{'s' if first.threads != 1 else ''},"
             f" torch {first.torch_version}; {first.warmup} warm-up + {first.runs} timed "
             "passes each.")
    return TableData(title=title, columns=tuple(columns), rows=tuple(rows), notes=(setup,))


def _kinds_table(result, label: str | None = None):
    from mncost.views.formats import Column, TableData, grouped

    columns = (Column("kind", "Kind"), Column("layers", "Layers", numeric=True),
               Column("mult_adds", "Mult-adds", numeric=True),
               Column("ma_share", "% mult-adds", numeric=True),
               Column("time", "Time (median)", numeric=True),
               Column("time_share", "% time", numeric=True),
               Column("ratio", "% time ÷ % mult-adds", numeric=True))
    rows = [{"kind": k.kind, "layers": str(k.layers), "mult_adds": grouped(k.mult_adds),
             "ma_share": _pct(k.mult_add_share), "time": _ms_text(k.seconds),
             "time_share": _pct(k.time_share),
             "ratio": "–" if k.time_per_mult_add_share is None
             else f"{k.time_per_mult_add_share:.2f}×"}
            for k in result.kinds]
    rows.append({"kind": "other (between layers)", "layers": "", "mult_adds": "",
                 "ma_share": "", "time": "", "time_share": _pct(result.other_share),
                 "ratio": ""})
    title = "Measured time by layer kind"
    if label:
        title += f" · {label}"
    dropped = result.runs - result.breakdown_passes
    note = (f"Forward hooks on every layer, {result.breakdown_passes} passes"
            + (f" ({dropped} outlier{'s' if dropped != 1 else ''} left out)" if dropped else "")
            + "; a conv's time includes its batch norm and ReLU. Ratio above 1: slower per "
              "mult-add than the model as a whole.")
    return TableData(title=title, columns=columns, rows=tuple(rows), notes=(note,))


def bench_tables(result):
    return [_latency_table([result]), _kinds_table(result)]


def compare_tables(comparison, labels: tuple[str, str]):
    latency = _latency_table([comparison.a, comparison.b], labels)
    ratio = comparison.mult_add_ratio
    predicted = "undefined (B has no mult-adds)" if ratio is None else f"{ratio:.2f}×"
    summary = (f"Measured speed-up of {labels[1]} over {labels[0]}: {comparison.speedup:.2f}× "
               f"(median latency {labels[0]} / {labels[1]}); mult-add ratio "
               f"{labels[0]} / {labels[1]}: {predicted}.")
    from mncost.views.formats import TableData
    latency = TableData(title=latency.title, columns=latency.columns, rows=latency.rows,
                        notes=latency.notes + (summary,))
    return [latency, _kinds_table(comparison.a, labels[0]),
            _kinds_table(comparison.b, labels[1])]


def _rich(tables):
    from mncost.render.terminal import rich_tables
    return rich_tables(*tables)


def _markdown(tables) -> str:
    from mncost.views.formats import markdown
    return "\n".join(markdown(t) for t in tables)
