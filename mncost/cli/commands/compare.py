"""``mncost compare``: two models side by side — totals, ratios and aligned layers."""

from __future__ import annotations

import csv as csv_module
import io
from fractions import Fraction
from typing import Any

import click

from mncost.cli.common import (dtype_option, emit, format_option, hyper_options,
                                    params_option, spec_option)
from mncost.core.compare import AlignedRow, Comparison, Side, TotalRow, compare as compare_reports
from mncost.core.compare import group_shapes, parse_side
from mncost.core.errors import ConfigError


def _side_argument(ctx: click.Context, param: click.Parameter, value: str) -> Side:
    try:
        return parse_side(value)
    except ConfigError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from None


def _float(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


def ratio_cell(value: Fraction | None) -> str:
    """A ratio for display: '8.56', '10.9', '1,154', '0.113'; '–' when undefined."""
    if value is None:
        return "–"
    number = float(value)
    if number >= 100:
        return f"{number:,.0f}"
    if number >= 0.001 or number == 0:
        return f"{number:.3g}"
    return f"{number:.2e}"


# -- views ----------------------------------------------------------------------------------

def side_title(label: str, comparison: Comparison, which: str) -> str:
    report = comparison.a if which == "a" else comparison.b
    net = report.network
    return (f"{label} = {net.model} · {net.variant} · α={net.alpha:g} · "
            f"{net.resolution_text}"
            + (f" · depth multiplier {net.depth_multiplier}" if net.depth_multiplier != 1
               else ""))


def _layers_text(layers) -> str:
    if not layers:
        return "(missing)"
    parts = []
    for lr in layers:
        stride = f" /s{lr.layer.stride}" if lr.layer.stride != 1 else ""
        parts.append(f"{lr.layer.filter_shape}{stride}")
    return " + ".join(parts)


def _int_cell(value: int | None) -> str:
    from mncost.views.formats import grouped
    return "–" if value is None else grouped(value)


def _theory_cell(row: AlignedRow) -> tuple[str, str]:
    if row.separable is None:
        return "", ""
    sep = row.separable
    mark = "✓ exact" if sep.agree else "≠"
    actual = float(sep.actual)
    return (f"{actual:.5f}" if actual >= 0.001 else f"{actual:.2e}",
            f"1/{sep.n} + 1/{sep.kernel}² = {float(sep.theory):.5f} {mark}")


def totals_table(comparison: Comparison, side_a: str, side_b: str):
    from mncost.views.formats import Column, TableData, grouped, human, human_bytes

    def show(total: TotalRow, value: int) -> str:
        if total.countable:
            return f"{grouped(value)} ({human(value)})"
        return f"{grouped(value)} ({human_bytes(value)})"

    rows = []
    for total in comparison.totals:
        label = (f"params ({comparison.a.params_convention})" if total.key == "params"
                 else total.label)
        if total.key in ("weight_bytes", "peak_activation_bytes"):
            label += f" ({comparison.a.dtype})"
        diff = total.difference
        rows.append({"metric": label, "a": show(total, total.a), "b": show(total, total.b),
                     "difference": ("+" if diff > 0 else "") + grouped(diff),
                     "ratio": ratio_cell(total.ratio), "words": total.words})
    columns = (Column("metric", "Total"), Column("a", "A", numeric=True),
               Column("b", "B", numeric=True), Column("difference", "B − A", numeric=True),
               Column("ratio", "A ÷ B", numeric=True), Column("words", "B vs A"))
    notes = (side_title("A", comparison, "a") + f"   [{side_a}]",
             side_title("B", comparison, "b") + f"   [{side_b}]")
    return TableData(title=f"{side_a} vs {side_b}", columns=columns, rows=tuple(rows),
                     notes=notes)


def rows_table(comparison: Comparison):
    from mncost.views.formats import Column, TableData

    pairs = comparison.separable_rows
    columns = (
        Column("name", "Layer"), Column("a_layers", "A"),
        Column("a_mult_adds", "A mult-adds", numeric=True),
        Column("b_layers", "B"), Column("b_mult_adds", "B mult-adds", numeric=True),
        Column("ratio", "A ÷ B", numeric=True),
    )
    if pairs:
        columns += (Column("actual", "sep ÷ std", numeric=True),
                    Column("theory", "1/N + 1/D_K²"))
    rows = []
    for row in comparison.rows:
        actual, theory = _theory_cell(row)
        rows.append({"name": row.name, "a_layers": _layers_text(row.a),
                     "a_mult_adds": _int_cell(row.a_mult_adds),
                     "b_layers": _layers_text(row.b),
                     "b_mult_adds": _int_cell(row.b_mult_adds),
                     "ratio": ratio_cell(row.mult_adds_ratio), "actual": actual,
                     "theory": theory})
    notes = []
    if pairs:
        matched = [r for r in pairs if r.separable.shapes_match]
        agree = [r for r in matched if r.separable.agree]
        notes.append(
            f"Separable vs standard: {len(pairs)} rows. sep ÷ std is the dw + pw mult-adds over "
            f"the conv's; {len(matched)} of the rows meet the formula's assumptions (same "
            f"input, kernel and output, no depth multiplier), and in {len(agree)} of those it "
            f"equals 1/N + 1/D_K² exactly (✓).")
    only_a = sum(1 for r in comparison.rows if r.status == "only_a")
    only_b = sum(1 for r in comparison.rows if r.status == "only_b")
    if only_a or only_b:
        notes.append(f"Missing: {only_a} layers of A are not in B; {only_b} layers of B are "
                     f"not in A.")
    notes.extend(_paper_table4_notes(comparison))
    title = "Layers aligned by name" + (" (blockN.dw + blockN.pw ↔ blockN.conv)" if pairs else "")
    return TableData(title=title, columns=columns, rows=tuple(rows), notes=tuple(notes))


def _paper_table4_notes(comparison: Comparison) -> list[str]:
    """The spec's notes on published comparisons (the paper's Table 4 for MobileNet v1)."""
    from mncost.views.report import erratum_notes

    for report in (comparison.a, comparison.b):
        notes = erratum_notes(report, "compare")
        if notes:
            return list(notes)
    return []


def _side_dict(layers) -> dict[str, Any] | None:
    shapes = group_shapes(layers)
    if shapes is None:
        return None
    return {"layers": [lr.name for lr in layers], "kinds": [lr.kind for lr in layers],
            "input_shape": list(shapes[0]), "output_shape": list(shapes[1]),
            "mult_adds": sum(lr.mult_adds for lr in layers),
            "params": sum(lr.params for lr in layers)}


def row_dict(row: AlignedRow) -> dict[str, Any]:
    separable = None
    if row.separable is not None:
        sep = row.separable
        separable = {"side": sep.separable_side, "actual": float(sep.actual),
                     "theory": float(sep.theory), "n": sep.n, "kernel": sep.kernel,
                     "shapes_match": sep.shapes_match, "agree": sep.agree}
    return {"name": row.name, "status": row.status, "a": _side_dict(row.a),
            "b": _side_dict(row.b), "mult_adds_ratio": _float(row.mult_adds_ratio),
            "params_ratio": _float(row.params_ratio), "separable": separable}


def comparison_dict(comparison: Comparison, side_a: str, side_b: str) -> dict[str, Any]:
    from mncost.views.report import report_dict

    return {
        "sides": [side_a, side_b],
        "models": [report_dict(comparison.a), report_dict(comparison.b)],
        "ratio": {t.key: _float(t.ratio) for t in comparison.totals},
        "difference": {t.key: t.difference for t in comparison.totals},
        "rows": [row_dict(row) for row in comparison.rows],
    }


CSV_FIELDS = ("name", "status", "a_layers", "a_mult_adds", "a_params", "b_layers",
              "b_mult_adds", "b_params", "mult_adds_ratio", "separable_actual",
              "separable_theory")


def comparison_csv(comparison: Comparison) -> str:
    """One row per aligned row, then a ``total`` row; ratios as floats, empty when undefined."""
    out = io.StringIO()
    writer = csv_module.writer(out, lineterminator="\n")
    writer.writerow(CSV_FIELDS)

    def cell(value) -> str:
        if value is None:
            return ""
        return repr(float(value)) if isinstance(value, Fraction) else str(value)

    for row in comparison.rows:
        sep = row.separable
        writer.writerow([row.name, row.status, " ".join(lr.name for lr in row.a),
                         cell(row.a_mult_adds), cell(row.a_params),
                         " ".join(lr.name for lr in row.b), cell(row.b_mult_adds),
                         cell(row.b_params), cell(row.mult_adds_ratio),
                         cell(sep.actual if sep else None), cell(sep.theory if sep else None)])
    a, b = comparison.a, comparison.b
    writer.writerow(["total", "total", "", a.mult_adds, a.params, "", b.mult_adds, b.params,
                     cell(comparison.totals[0].ratio), "", ""])
    return out.getvalue()


# -- the command ----------------------------------------------------------------------------

def _analyze(side: Side, param: str, shared_spec: str | None, shared: dict[str, Any],
             params: str, dtype: str, cache: dict):
    from mncost.core import costing as engine
    from mncost.core import spec as spec_module

    def load(source: str | None):
        if source not in cache:
            cache[source] = spec_module.load(source)
        return cache[source]

    model_spec = load(side.spec if side.spec is not None else shared_spec)
    kwargs = side.resolve_kwargs(shared)
    if (side.spec is None and side.variant not in model_spec.variant_names
            and side.variant in spec_module.BUILTIN_SPECS):
        # A bare built-in spec name that is not a variant: that spec, default variant.
        model_spec, kwargs["variant"] = load(side.variant), None
    try:
        network = spec_module.resolve(model_spec, **kwargs)
    except ConfigError as exc:
        raise click.BadParameter(str(exc), param_hint=f"'{param}'") from None
    return engine.analyze(network, params=params, dtype=dtype)


@click.command()
@click.argument("side_a", metavar="A", callback=_side_argument)
@click.argument("side_b", metavar="B", callback=_side_argument)
@spec_option
@hyper_options
@params_option
@dtype_option
@format_option()
def compare(side_a: Side, side_b: Side, spec: str | None, alpha, resolution, rho,
            depth_multiplier, min_channels, rounding, params: str, dtype: str,
            fmt: str) -> None:
    """Two models side by side: totals, ratios and the layers aligned.

    A and B are each NAME[@key=value,...]. NAME is a variant of --spec (built-in: separable,
    standard, shallow), or a spec file (PATH, or PATH:VARIANT). After @ come overrides of the
    shared flags for that side only: alpha, resolution, rho, depth_multiplier, min_channels
    (a side's resolution replaces a shared --rho and vice versa).

    Totals (mult-adds, params, weight and peak activation memory) are shown with B − A, A ÷ B
    and in words ("8.6× fewer mult-adds"). Layers are aligned by the part of their name
    before the first dot: blockN.dw + blockN.pw on one side against blockN.conv on the other
    is one row, with the actual ratio next to the paper's 1/N + 1/D_K²; layers one side lacks
    (shallow drops block7-block11) show as missing.

    \b
    Examples:
      mncost compare standard separable                 # Conv MobileNet vs MobileNet
      mncost compare separable shallow
      mncost compare separable separable@alpha=0.5,resolution=160
      mncost compare separable my_net.yaml:standard@alpha=0.75 --params paper
      mncost compare standard separable --format json | jq .ratio
    """
    if resolution is not None and rho is not None:
        raise click.UsageError("--resolution and --rho are mutually exclusive; give one")
    from mncost.views import formats

    shared = {"alpha": alpha, "resolution": resolution, "rho": rho,
              "depth_multiplier": depth_multiplier, "min_channels": min_channels,
              "rounding": rounding}
    cache: dict = {}
    report_a = _analyze(side_a, "A", spec, shared, params, dtype, cache)
    report_b = _analyze(side_b, "B", spec, shared, params, dtype, cache)
    comparison = compare_reports(report_a, report_b)

    def tables():
        return totals_table(comparison, side_a.text, side_b.text), rows_table(comparison)

    def rich():
        from mncost.render.terminal import rich_tables
        return rich_tables(*tables())

    emit(fmt,
         rich=rich,
         markdown=lambda: "\n".join(formats.markdown(t) for t in tables()),
         csv=lambda: comparison_csv(comparison),
         json=lambda: comparison_dict(comparison, side_a.text, side_b.text))
