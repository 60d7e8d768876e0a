"""``mncost table``: one model's per-layer costs."""

from __future__ import annotations

import click

from mncost import api
from mncost.commands.common import (ModelChoice, dtype_option, emit, format_option,
                                    model_options, params_option)


@click.command()
@model_options
@params_option
@dtype_option
@format_option()
def table(model: ModelChoice, params: str, dtype: str, fmt: str) -> None:
    """Per-layer cost table of one model: the paper's Table 1 plus costs.

    Rows give each layer's type and stride, filter shape in the paper's notation, input and
    output size (H×W×C), mult-adds (one multiply-accumulate = 1; conv and FC only), parameters
    under the chosen convention and share of mult-adds. Totals and a breakdown by layer type
    (the paper's Table 2) follow.

    \b
    Examples:
      mncost table                                  # 1.0 MobileNet-224
      mncost table --alpha 0.5 --resolution 160     # 0.5 MobileNet-160
      mncost table --rho 0.714 --variant shallow
      mncost table --params paper --format json | jq .totals
    """
    from mncost import formats

    report = api.analyze(model.spec, params=params, dtype=dtype, **model.resolve_kwargs())

    def rich():
        from mncost.render import rich_tables
        return rich_tables(*formats.report_tables(report))

    emit(fmt,
         rich=rich,
         markdown=lambda: "\n".join(formats.markdown(t) for t in formats.report_tables(report)),
         csv=lambda: formats.report_csv(report),
         json=lambda: formats.report_dict(report))
