"""``mncost verify``: build the model in PyTorch, profile it, reconcile every number."""

from __future__ import annotations

import time
from typing import Any

import click

from mncost.cli.common import (console, emit, format_option, max_memory_option,
                                    max_memory_value, model_options)
from mncost.core.errors import VerifyMismatch
from mncost.core.settings import ModelSettings

VERIFY_FORMATS = ("rich", "markdown", "json")


@click.command()
@model_options
@click.option("--grid", is_flag=True,
              help="Verify every variant of the spec at α ∈ {1.0, 0.75, 0.5, 0.25} × resolution "
                   "∈ {224, 192, 160, 128} (with a progress bar on stderr) instead of one "
                   "model. --depth-multiplier and --min-channels still apply.")
@max_memory_option
@format_option(VERIFY_FORMATS)
def verify(model: ModelSettings, grid: bool, max_memory: int | None, fmt: str) -> None:
    """Build the model in PyTorch, profile it with fvcore and torch, reconcile every number.

    The spec is instantiated as a real torch.nn.Module (module names = layer names) and run on
    the CPU in eval mode with a batch of 1. For every layer, mncost's mult-adds are compared
    with fvcore's conv + linear count for that module and with FlopCounterMode's FLOPs
    (= 2 × mult-adds); its parameters, under each convention, with fvcore's parameter_count
    and the module's tensors; its output shape with the one a forward hook sees. fvcore's
    extra counts must follow their closed forms: batch_norm = 2 × output elements (eval mode,
    affine), adaptive_avg_pool2d = 1 × input elements; fvcore's total() must equal
    `mncost table --count-as fvcore`.

    Exit 0 when every number reconciles exactly; exit 1, after a table naming each layer and
    number that differs, when one does not. Operators fvcore skips (relu, flatten, softmax)
    are summarised in one line. Needs the 'verify' extra (torch, fvcore).

    \b
    Examples:
      mncost verify                                 # 1.0 MobileNet-224
      mncost verify --alpha 0.5 --resolution 97 --variant shallow
      mncost verify --grid                          # 3 variants × 4 α × 4 resolutions
      mncost verify --format json | jq .fvcore
    """
    from mncost.torch import verify as verify_module

    verify_module.require_extra()
    if grid:
        ctx = click.get_current_context()
        given = [f"--{name.replace('_', '-')}" for name in ("variant", "alpha", "resolution", "rho")
                 if ctx.get_parameter_source(name) == click.core.ParameterSource.COMMANDLINE]
        if given:
            raise click.UsageError(f"--grid chooses variants, α and resolutions itself; "
                                   f"drop {', '.join(given)}")
        _run_grid(model, fmt, max_memory_value(max_memory))
        return

    from mncost import api

    network = api.network(settings=model)
    result = verify_module.crosscheck(network, max_memory=max_memory_value(max_memory))

    def rich():
        from rich.console import Group
        from rich.text import Text

        from mncost.render.terminal import rich_table
        parts: list[Any] = []
        for i, table in enumerate(_tables(result)):
            if i:
                parts.append(Text(""))
            parts.append(rich_table(table))
        parts += [Text(""), Text(result.skipped_summary(), style="dim"),
                  Text(_verdict(result), style="bold green" if result.ok else "bold red")]
        return Group(*parts)

    def markdown():
        from mncost.views.formats import markdown as md
        body = "\n".join(md(t) for t in _tables(result))
        return f"{body}\n{result.skipped_summary()}\n\n{_verdict(result)}\n"

    emit(fmt, rich=rich, markdown=markdown, json=result.as_dict)
    if not result.ok:
        raise VerifyMismatch(_failure_message(result.mismatches))


# -- one model ----------------------------------------------------------------------------------

def _title(net) -> str:
    return (f"verify · {net.model} · {net.variant} · α={net.alpha:g} · "
            f"{net.resolution_text}"
            + (f" · depth multiplier {net.depth_multiplier}" if net.depth_multiplier != 1 else ""))


def _mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def _tables(result) -> list:
    from mncost.views.formats import Column, TableData, grouped

    net = result.network
    rows = tuple(
        {"index": str(i), "name": layer.name,
         "ma": grouped(layer.analytic_mult_adds), "fv_ma": grouped(layer.fvcore_mult_adds),
         "params": grouped(layer.analytic_params), "fv_params": grouped(layer.fvcore_params),
         "shape": str(layer.observed_shape) if layer.observed_shape else "-",
         "ok": _mark(layer.match)}
        for i, layer in enumerate(result.layers, start=1)
    )
    all_layers_ok = all(layer.match for layer in result.layers)
    footer = {"index": "", "name": f"Total ({len(result.layers)} layers)",
              "ma": grouped(result.report.mult_adds), "fv_ma": grouped(result.fvcore_mult_adds),
              "params": grouped(result.report.params_as("trainable")),
              "fv_params": grouped(result.fvcore_params), "shape": str(net.output_shape),
              "ok": _mark(all_layers_ok)}
    layer_table = TableData(
        title=_title(net),
        columns=(Column("index", "#", numeric=True), Column("name", "Layer"),
                 Column("ma", "Mult-adds", numeric=True),
                 Column("fv_ma", "fvcore conv+fc", numeric=True),
                 Column("params", "Params", numeric=True),
                 Column("fv_params", "parameter_count", numeric=True),
                 Column("shape", "Output (hook)"), Column("ok", "Match")),
        rows=rows, footer=footer,
        notes=("Mult-adds and Params (trainable) are mncost's; fvcore conv+fc and "
               "parameter_count are fvcore's for the layer's module. Also checked per layer: "
               "FlopCounterMode FLOPs = 2 × mult-adds; params (paper) = conv/linear weights; "
               "params (all) = + batch-norm running stats; fvcore's batch_norm and pooling "
               "closed forms; the output shape.",))

    def value(v) -> str:
        if isinstance(v, int):
            return grouped(v)
        if isinstance(v, tuple):
            return "×".join(map(str, v))
        return "-" if v is None else str(v)

    total_table = TableData(
        title="Totals",
        columns=(Column("check", "Check"), Column("expected", "mncost", numeric=True),
                 Column("measured", "measured", numeric=True), Column("ok", "Match")),
        rows=tuple({"check": c.quantity, "expected": value(c.expected),
                    "measured": value(c.measured), "ok": _mark(c.ok)} for c in result.totals))
    tables = [layer_table, total_table]
    if result.mismatches:
        tables.append(_mismatch_table(result.mismatches, value))
    return tables


def _mismatch_table(mismatches, value, prefix: dict[str, str] | None = None):
    from mncost.views.formats import Column, TableData

    columns = (Column("layer", "Layer"), Column("quantity", "Quantity"),
               Column("expected", "mncost", numeric=True),
               Column("measured", "measured", numeric=True),
               Column("difference", "difference", numeric=True))
    if prefix is not None:
        columns = (Column("model", "Model"),) + columns
    rows = []
    for item in mismatches:
        model_label, m = item if isinstance(item, tuple) else ("", item)
        diff = m.difference
        rows.append({"model": model_label, "layer": m.layer, "quantity": m.quantity,
                     "expected": value(m.expected), "measured": value(m.measured),
                     "difference": f"{diff:+,}" if diff is not None else "-"})
    return TableData(title="Differences", columns=columns, rows=tuple(rows))


def _verdict(result) -> str:
    if result.ok:
        return (f"✓ verify: all {len(result.layers)} layers and {len(result.totals)} totals "
                f"reconcile exactly ({result.check_count} checks).")
    return f"✗ verify: {len(result.mismatches)} of {result.check_count} checks differ."


def _failure_message(mismatches) -> str:
    """``verify: 5 numbers differ, in layer block3.dw and 3 totals``."""
    layers: list[str] = []
    for m in mismatches:
        if m.layer != "total" and m.layer not in layers:
            layers.append(m.layer)
    totals = sum(m.layer == "total" for m in mismatches)
    where = []
    if layers:
        shown = ", ".join(layers[:5]) + (f" and {len(layers) - 5} more" if len(layers) > 5 else "")
        where.append(f"layer{'s' if len(layers) != 1 else ''} {shown}")
    if totals:
        where.append(f"{totals} total{'s' if totals != 1 else ''}")
    count = len(mismatches)
    return f"verify: {count} number{'s' if count != 1 else ''} differ, in {' and '.join(where)}"


# -- the grid -----------------------------------------------------------------------------------

def _run_grid(model: ModelSettings, fmt: str, max_memory: int | None) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, \
        TimeElapsedColumn

    from mncost.core import spec as spec_module
    from mncost.torch import verify as verify_module

    model_spec = spec_module.load(model.spec)
    points = verify_module.grid_points(model_spec.variant_names)
    err = console(stderr=True)
    results = []
    start = time.perf_counter()
    with Progress(TextColumn("verify"), BarColumn(), MofNCompleteColumn(),
                  TextColumn("{task.description}"), TimeElapsedColumn(), console=err,
                  transient=True, disable=not err.is_terminal) as progress:
        task = progress.add_task("", total=len(points))
        for point in points:
            progress.update(task, description=f"{point.variant} α={point.alpha} "
                                              f"{point.resolution}")
            network = spec_module.resolve(model_spec, variant=point.variant, alpha=point.alpha,
                                          resolution=point.resolution,
                                          depth_multiplier=model.depth_multiplier,
                                          min_channels=model.min_channels,
                                          rounding=model.rounding)
            results.append(verify_module.crosscheck(network, max_memory=max_memory))
            progress.advance(task)
    seconds = time.perf_counter() - start
    failed = [r for r in results if not r.ok]
    summary = _grid_summary(results, model_spec, seconds)

    def label(r) -> str:
        n = r.network
        return f"{n.variant} α={n.alpha:g} {n.resolution}"

    def grid_table():
        from mncost.views.formats import Column, TableData, grouped
        return TableData(
            title=f"verify --grid · {model_spec.model}",
            columns=(Column("variant", "Variant"), Column("alpha", "α", numeric=True),
                     Column("resolution", "Res.", numeric=True),
                     Column("ma", "Mult-adds", numeric=True),
                     Column("fv", "fvcore conv+fc", numeric=True),
                     Column("flops", "FlopCounterMode", numeric=True),
                     Column("params", "Params", numeric=True),
                     Column("fv_params", "parameter_count", numeric=True),
                     Column("ok", "Match")),
            rows=tuple({"variant": r.network.variant, "alpha": f"{r.network.alpha:g}",
                        "resolution": str(r.network.resolution),
                        "ma": grouped(r.report.mult_adds), "fv": grouped(r.fvcore_mult_adds),
                        "flops": grouped(r.flop_counter_flops),
                        "params": grouped(r.report.params_as("trainable")),
                        "fv_params": grouped(r.fvcore_params), "ok": _mark(r.ok)}
                       for r in results))

    def tables():
        out = [grid_table()]
        if failed:
            def value(v):
                return f"{v:,}" if isinstance(v, int) else ("×".join(map(str, v))
                                                             if isinstance(v, tuple) else str(v))
            out.append(_mismatch_table([(label(r), m) for r in failed for m in r.mismatches],
                                       value, prefix={}))
        return out

    def rich():
        from rich.console import Group
        from rich.text import Text

        from mncost.render.terminal import rich_table
        parts: list[Any] = []
        for i, table in enumerate(tables()):
            if i:
                parts.append(Text(""))
            parts.append(rich_table(table))
        parts.append(Text(summary, style="bold red" if failed else "bold green"))
        return Group(*parts)

    def markdown():
        from mncost.views.formats import markdown as md
        return "\n".join(md(t) for t in tables()) + f"\n{summary}\n"

    def as_json():
        return {
            "ok": not failed,
            "models": [
                {"variant": r.network.variant, "alpha": r.network.alpha,
                 "resolution": r.network.resolution, "ok": r.ok,
                 "analytic": {"mult_adds": r.report.mult_adds,
                              "params": r.report.params_as("trainable")},
                 "fvcore": {"mult_adds": r.fvcore_mult_adds, "total": r.fvcore_total,
                            "params": r.fvcore_params},
                 "flop_counter": {"flops": r.flop_counter_flops},
                 "mismatches": r.as_dict()["mismatches"]}
                for r in results
            ],
            "summary": {"models": len(results), "failed": len(failed),
                        "checks": sum(r.check_count for r in results)},
        }

    emit(fmt, rich=rich, markdown=markdown, json=as_json)
    if failed:
        raise VerifyMismatch(f"verify --grid: {len(failed)} of {len(results)} models differ: "
                             + ", ".join(label(r) for r in failed[:5])
                             + (" …" if len(failed) > 5 else ""))


def _grid_summary(results, model_spec, seconds: float) -> str:
    from mncost.torch import verify as verify_module
    failed = sum(not r.ok for r in results)
    variants = len(model_spec.variant_names)
    shape = (f"{variants} variant{'s' if variants != 1 else ''} × "
             f"{len(verify_module.GRID_ALPHAS)} α × {len(verify_module.GRID_RESOLUTIONS)} "
             f"resolutions")
    checks = sum(r.check_count for r in results)
    if failed:
        return (f"✗ verify --grid: {failed} of {len(results)} models ({shape}) differ; "
                f"{seconds:.1f} s.")
    return (f"✓ verify --grid: all {len(results)} models ({shape}, {checks:,} checks) reconcile "
            f"exactly in {seconds:.1f} s.")
