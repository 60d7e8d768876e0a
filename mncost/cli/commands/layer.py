"""``mncost layer``: one layer, standard vs depthwise separable, with α and ρ (paper Table 3)."""

from __future__ import annotations

import click

from mncost.cli.common import format_option, multiplier_text, output
from mncost.core import spec as spec_module
from mncost.core.costing import PARAMS_CONVENTIONS
from mncost.core.single_layer import DEFAULT_PARAMS, single_layer
from mncost.views.layer import SingleLayerView


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
@format_option(SingleLayerView.formats())
def layer(size: int, c_in: int, c_out: int, kernel: int, stride: int, alpha: str | None,
          rho: str | None, params: str, fmt: str) -> None:
    """One layer, standard vs depthwise separable, with α and ρ: the paper's Table 3.

    A standard D_K×D_K conv from D_F×D_F×M to N channels costs D_K·D_K·M·N·D_F·D_F
    mult-adds and D_K·D_K·M·N weights; a depthwise separable one (D_K×D_K depthwise on M
    channels, then 1×1 pointwise M → N) costs D_K·D_K·M·D_F·D_F + M·N·D_F·D_F mult-adds and
    D_K·D_K·M + M·N weights: 1/N + 1/D_K² of the standard layer. --size is the input's
    D_F; with a stride the formulas use the output size (padding (D_K−1)//2). Rows:
    standard, separable, then α applied (--alpha), then ρ applied on top (--rho), each
    with its ratio to the standard row. Params are trainable (weights + batch-norm γ, β) as
    in every command; the paper's Table 3 counts weights only: --params paper.

    \b
    Examples:
      mncost layer --size 14 --in 512 --out 512 --params paper  # Table 3, first two rows
      mncost layer --size 14 --in 512 --out 512 --alpha 0.75 --rho 0.714
      mncost layer --size 112 --in 32 --out 64 --stride 2 --kernel 5
      mncost layer --size 14 --in 512 --out 512 --format json | jq '.rows[1]'
    """
    result = single_layer(size, c_in, c_out, kernel=kernel, stride=stride, alpha=alpha,
                          rho=rho, params=params)
    output(SingleLayerView(result), fmt)
