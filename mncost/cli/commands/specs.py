"""``mncost specs``: list the built-in specs."""

from __future__ import annotations

import click

from mncost.cli.common import format_option, output
from mncost.views.specs import SpecsView


@click.command()
@format_option(SpecsView.formats())
def specs(fmt: str) -> None:
    """List the built-in specs: name, model, default width α, repeat multiplier and
    resolution, cost at those defaults, and variants.

    Names follow torchvision's model factories (mobilenet_v2, mobilenet_v3_large,
    mnasnet1_0, efficientnet_b3, ...) and each gives what torchvision's model of that name
    gives, exactly; mobilenet_v1 is the paper's Table 1 and keras_mobilenet is
    keras.applications.MobileNet. Pass a name to --spec of any command.

    \b
    Examples:
      mncost specs
      mncost specs --format json | jq '.specs[].name'
      mncost table --spec efficientnet_b3 --alpha 1.0
    """
    from mncost.core.catalog import builtin_specs

    output(SpecsView(builtin_specs()), fmt)
