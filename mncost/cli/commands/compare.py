"""``mncost compare``: two models side by side — totals, ratios and aligned layers."""

from __future__ import annotations

import click

from mncost.cli.common import (dtype_option, format_option, hyper_options, output,
                               params_option, spec_option)
from mncost.core.compare import Side, compare as compare_reports, parse_side, resolve_side
from mncost.core.errors import ConfigError
from mncost.views.comparison import ComparisonView


def _side_argument(ctx: click.Context, param: click.Parameter, value: str) -> Side:
    try:
        return parse_side(value)
    except ConfigError as exc:
        raise click.BadParameter(str(exc), ctx=ctx, param=param) from None


@click.command()
@click.argument("side_a", metavar="A", callback=_side_argument)
@click.argument("side_b", metavar="B", callback=_side_argument)
@spec_option
@hyper_options
@params_option
@dtype_option
@format_option(ComparisonView.formats())
def compare(side_a: Side, side_b: Side, spec: str | None, alpha, resolution, rho,
            depth_multiplier, min_channels, rounding, repeat_multiplier, params: str,
            dtype: str, fmt: str) -> None:
    """Two models side by side: totals, ratios and the layers aligned.

    A and B are each NAME[@key=value,...]. NAME is a variant of --spec (built-in MobileNet
    v1: separable, standard, shallow), a built-in spec (mobilenet_v2, efficientnet_b0, ...;
    see `mncost specs`) or a spec file (PATH, or PATH:VARIANT). After @ come overrides of the
    shared flags for that side only: alpha, resolution, rho, depth_multiplier, min_channels,
    rounding, repeat_multiplier (a side's resolution replaces a shared --rho and vice versa).

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
      mncost compare mobilenet_v2 mobilenet_v3_large
      mncost compare mobilenet_v2@alpha=1.4 efficientnet_b0
    """
    if resolution is not None and rho is not None:
        raise click.UsageError("--resolution and --rho are mutually exclusive; give one")
    shared = {"alpha": alpha, "resolution": resolution, "rho": rho,
              "depth_multiplier": depth_multiplier, "min_channels": min_channels,
              "rounding": rounding, "repeat_multiplier": repeat_multiplier}
    from mncost.core import costing
    cache: dict = {}
    reports = []
    for side, param in ((side_a, "A"), (side_b, "B")):
        try:
            network = resolve_side(side, spec, shared, cache)
        except ConfigError as exc:
            raise click.BadParameter(str(exc), param_hint=f"'{param}'") from None
        reports.append(costing.analyze(network, params=params, dtype=dtype))
    comparison = compare_reports(*reports)

    output(ComparisonView(comparison, side_a.text, side_b.text), fmt)
