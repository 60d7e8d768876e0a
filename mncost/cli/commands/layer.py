"""``mncost layer``: one layer, standard vs depthwise separable, with α and ρ (paper Table 3)."""

from __future__ import annotations

import csv as csv_module
import io
from fractions import Fraction

import click

from mncost.core import spec as spec_module
from mncost.cli.common import emit, format_option, multiplier_text
from mncost.core.costing import PARAMS_CONVENTIONS
from mncost.core.single_layer import DEFAULT_PARAMS, SingleLayer, single_layer


def millions(n: int) -> str:
    """The paper's unit: 462422016 → '462', 52283392 → '52.3', 266752 → '0.267'."""
    return f"{n / 1e6:.3g}"


def ratio_text(value: Fraction) -> str:
    """0.1131… → '0.1131 (8.8× fewer)'; 1 → '1'."""
    if value == 1:
        return "1"
    if value < 1:
        return f"{float(value):.4f} ({float(1 / value):.1f}× fewer)"
    return f"{float(value):.4f} ({float(value):.1f}× more)"


def layer_table(result: SingleLayer):
    from mncost.views.formats import Column, TableData, grouped

    columns = (
        Column("label", "Layer / modification"), Column("input", "Input"),
        Column("output", "Output"), Column("mult_adds", "Mult-adds", numeric=True),
        Column("million_ma", "≈ M", numeric=True),
        Column("params", f"Params ({result.params_convention})", numeric=True),
        Column("million_p", "≈ M", numeric=True),
        Column("ratio_ma", "Mult-adds ÷ standard", numeric=True),
        Column("ratio_p", "Params ÷ standard", numeric=True),
    )
    rows = tuple(
        {"label": row.label, "input": str(row.input_shape), "output": str(row.output_shape),
         "mult_adds": grouped(row.mult_adds), "million_ma": millions(row.mult_adds),
         "params": grouped(row.params), "million_p": millions(row.params),
         "ratio_ma": ratio_text(result.mult_adds_ratio(row)),
         "ratio_p": ratio_text(result.params_ratio(row))}
        for row in result.rows
    )
    n, k = result.c_out, result.kernel
    separable = result.row("separable")
    actual = result.mult_adds_ratio(separable)
    verdict = "equal, exactly" if actual == result.theory else "differs"
    notes = [
        f"Depthwise separable / standard mult-adds: {actual.numerator:,}/"
        f"{actual.denominator:,} = {float(actual):.6f}; the paper's 1/N + 1/D_K² = "
        f"1/{n} + 1/{k}² = {float(result.theory):.6f} ({verdict}).",
    ]
    if result.rho is not None:
        rho_row = result.row("rho")
        notes.append(f"ρ = {result.rho}: D_F = floor({result.size}·{result.rho} + 1/2) = "
                     f"{rho_row.input_shape.h} (round half up).")
    if result.params_convention == "paper":
        notes.append("Params count weights only (the paper's convention); --params trainable "
                     "adds batch-norm γ and β.")
    title = (f"One layer: {result.size}×{result.size}×{result.c_in} → {result.c_out} "
             f"channels, {k}×{k} kernel, stride {result.stride} (paper Table 3)")
    return TableData(title=title, columns=columns, rows=rows, notes=tuple(notes))


def layer_dict(result: SingleLayer) -> dict:
    return {
        "params_convention": result.params_convention,
        "theory": float(result.theory),
        "rows": [
            {"row": row.row, "mult_adds": row.mult_adds, "params": row.params,
             "input_shape": list(row.input_shape), "output_shape": list(row.output_shape),
             "mult_adds_ratio": float(result.mult_adds_ratio(row)),
             "params_ratio": float(result.params_ratio(row))}
            for row in result.rows
        ],
    }


CSV_FIELDS = ("row", "input_shape", "output_shape", "mult_adds", "params", "mult_adds_ratio",
              "params_ratio")


def layer_csv(result: SingleLayer) -> str:
    out = io.StringIO()
    writer = csv_module.writer(out, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for row in result.rows:
        writer.writerow([row.row, "x".join(map(str, row.input_shape)),
                         "x".join(map(str, row.output_shape)), row.mult_adds, row.params,
                         repr(float(result.mult_adds_ratio(row))),
                         repr(float(result.params_ratio(row)))])
    return out.getvalue()


@click.command()
@click.option("--size", "size", required=True, metavar="D_F",
              type=click.IntRange(min=1, max=spec_module.MAX_RESOLUTION),
              help="Input feature map size D_F (height = width).")
@click.option("--in", "c_in", required=True, metavar="M",
              type=click.IntRange(min=1, max=spec_module.MAX_CHANNELS),
              help="Input channels M.")
@click.option("--out", "c_out", required=True, metavar="N",
              type=click.IntRange(min=1, max=spec_module.MAX_CHANNELS),
              help="Output channels N.")
@click.option("--kernel", "-k", default=3, show_default=True, metavar="D_K",
              type=click.IntRange(min=1, max=spec_module.MAX_KERNEL),
              help="Kernel size D_K of the standard and the depthwise conv.")
@click.option("--stride", "-s", default=1, show_default=True, metavar="S",
              type=click.IntRange(min=1, max=spec_module.MAX_RESOLUTION),
              help="Stride (carried by the depthwise conv; padding (D_K−1)//2).")
@click.option("--alpha", "-a", default=None, metavar="A", callback=multiplier_text("alpha"),
              help="Add a row with width multiplier α: M, N become floor(α·M), floor(α·N).")
@click.option("--rho", default=None, metavar="R", callback=multiplier_text("rho"),
              help="Add a row with resolution multiplier ρ on top of α: D_F becomes "
                   "floor(ρ·D_F + 1/2).")
@click.option("--params", "params", type=click.Choice(PARAMS_CONVENTIONS),
              default=DEFAULT_PARAMS, show_default=True,
              help="Parameter convention: paper = weights only (Table 3); trainable = + "
                   "batch-norm γ, β; all = + running stats.")
@format_option()
def layer(size: int, c_in: int, c_out: int, kernel: int, stride: int, alpha: str | None,
          rho: str | None, params: str, fmt: str) -> None:
    """One layer, standard vs depthwise separable, with α and ρ: the paper's Table 3.

    A standard D_K×D_K conv from D_F×D_F×M to N channels costs D_K·D_K·M·N·D_F·D_F
    mult-adds and D_K·D_K·M·N weights; a depthwise separable one (D_K×D_K depthwise on M
    channels, then 1×1 pointwise M → N) costs D_K·D_K·M·D_F·D_F + M·N·D_F·D_F mult-adds and
    D_K·D_K·M + M·N weights: 1/N + 1/D_K² of the standard layer. --size is the input's
    D_F; with a stride the formulas use the output size (padding (D_K−1)//2). Rows:
    standard, separable, then α applied (--alpha), then ρ applied on top (--rho), each
    with its ratio to the standard row. Params are weights only unless --params says
    otherwise.

    \b
    Examples:
      mncost layer --size 14 --in 512 --out 512                 # Table 3, first two rows
      mncost layer --size 14 --in 512 --out 512 --alpha 0.75 --rho 0.714
      mncost layer --size 112 --in 32 --out 64 --stride 2 --kernel 5
      mncost layer --size 14 --in 512 --out 512 --format json | jq '.rows[1]'
    """
    from mncost.views import formats

    result = single_layer(size, c_in, c_out, kernel=kernel, stride=stride, alpha=alpha,
                          rho=rho, params=params)

    def rich():
        from mncost.render.terminal import rich_table
        return rich_table(layer_table(result))

    emit(fmt,
         rich=rich,
         markdown=lambda: formats.markdown(layer_table(result)),
         csv=lambda: layer_csv(result),
         json=lambda: layer_dict(result))
