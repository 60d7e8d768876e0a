"""``mncost table``: one model's per-layer costs."""

from __future__ import annotations

import click

from mncost.cli.common import dtype_option, format_option, model_options, output, params_option
from mncost.core.kinds import PEERS as PRESET_NAMES  # the presets, without loading them
from mncost.core.settings import ModelSettings
from mncost.views.report import ReportView


@click.command()
@model_options
@params_option
@dtype_option
@format_option(ReportView.formats())
@click.option("--count-as", "count_as", type=click.Choice(PRESET_NAMES), default=None,
              help="Also show the total that tool reports for this model, computed from "
                   "mncost's numbers with the tool's own counting rule, labelled MACs or "
                   "FLOPs: paper = conv + FC; fvcore = + 2 per batch-norm element + 1 per "
                   "pooled element; torch (FlopCounterMode) = 2 × (conv + FC) FLOPs; ptflops, "
                   "ptflops-aten, thop, torchinfo, calflops (FLOPs): see docs/verify.md. Adds a 'count_as' "
                   "object to JSON; not available with --format csv.")
def table(model: ModelSettings, params: str, dtype: str, fmt: str,
          count_as: str | None) -> None:
    """Per-layer cost table of one model: the paper's Table 1 plus costs.

    Rows give each layer's type and stride, filter shape in the paper's notation, input and
    output size (H×W×C), mult-adds (one multiply-accumulate = 1; conv and FC only), parameters
    under the chosen convention and share of mult-adds. Totals, the peak activation memory
    (by liveness) and a breakdown by layer type (the paper's Table 2) follow.

    \b
    Examples:
      mncost table                                  # 1.0 MobileNet-224
      mncost table --alpha 0.5 --resolution 160     # 0.5 MobileNet-160
      mncost table --resolution 160x120             # height × width
      mncost table --rho 0.714 --variant shallow
      mncost table --params paper --format json | jq .totals
      mncost table --count-as fvcore                # the total fvcore would report
    """
    from mncost import api

    if count_as is not None and fmt == "csv":
        raise click.UsageError("--count-as has no CSV view; use --format rich, markdown or json")
    report = api.analyze(settings=model, params=params, dtype=dtype)
    counted = None
    if count_as is not None:
        from mncost.core import presets
        counted = presets.count_as(count_as, report)
    output(ReportView(report, counted), fmt)
