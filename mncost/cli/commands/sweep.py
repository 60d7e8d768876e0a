"""``mncost sweep``: costs over a grid of α and resolution, with optional plots."""

from __future__ import annotations

import click

from mncost.cli.common import (dtype_option, format_option, output, params_option, progress,
                               spec_option)
from mncost.core.errors import ConfigError
from mncost.core.sweep import PAPER_ALPHAS, PAPER_RESOLUTIONS
from mncost.views.sweep import SweepView

# The fast path costs about 100,000 configurations a second here: show progress above that.
PROGRESS_FROM = 100_000


@click.command()
@spec_option
@click.option("--variant", "-v", default=None, metavar="NAME",
              help="Variant declared by the spec (built-in: separable, standard, shallow). "
                   "Default: the spec's default.")
@click.option("--alpha", "-a", "alphas", default=PAPER_ALPHAS, show_default=True,
              metavar="LIST|RANGE",
              help="Width multipliers: a list 1,0.75,0.5 or a range START:STOP[:STEP] such "
                   "as 0.25:1.0:0.05 (exact decimals; STOP included when on the grid).")
@click.option("--resolution", "-r", "resolutions", default=None, metavar="LIST|RANGE",
              help="Input resolutions in pixels: a list 224,192 or a range such as 96:224:32. "
                   f"Default: {PAPER_RESOLUTIONS}.")
@click.option("--rho", "rhos", default=None, metavar="LIST|RANGE",
              help="Resolution multipliers instead of --resolution: 1,0.857,0.714,0.571 or "
                   "0.5:1:0.125; each gives round(base·ρ) pixels, halves up, as --rho does "
                   "elsewhere.")
@click.option("--depth-multiplier", type=click.IntRange(min=1, max=1024), default=1,
              show_default=True,
              metavar="D", help="Keras' depthwise channel multiplier: a dw conv on c channels "
                                "outputs c·D.")
@click.option("--min-channels", type=click.IntRange(min=1, max=1 << 24), default=1,
              show_default=True,
              metavar="C", help="Floor on channels after α (TF-slim uses 8).")
@params_option
@dtype_option
@format_option(SweepView.formats())
@click.option("--plot", "plot_path", default=None, metavar="FILE.png",
              help="Also draw the trade-off (needs the 'plot' extra): mult-adds vs params, and "
                   "the paper's accuracy vs mult-adds where it reports one. .png, .svg or .pdf.")
@click.option("--force", is_flag=True,
              help="Let --plot replace an existing file (by default it refuses).")
def sweep(spec: str | None, variant: str | None, alphas: str, resolutions: str | None,
          rhos: str | None,
          depth_multiplier: int, min_channels: int, params: str, dtype: str, fmt: str,
          plot_path: str | None, force: bool) -> None:
    """Costs of every (α, resolution) pair of a grid: the paper's trade-off surface.

    One row per configuration: α, resolution, mult-adds, parameters, weight bytes, peak
    activation bytes, each exactly what `mncost table` reports for that configuration. For
    MobileNet v1 (built-in, separable) the ImageNet top-1 the paper reports (Tables 6 and 7)
    is shown in a "Top-1 (paper)" column; it is cited data, not something mncost measures.
    Below the rows, matrix views α × resolution of mult-adds and parameters, like the paper's
    Tables 6–7.

    Lists keep their order; ranges START:STOP[:STEP] are exact (0.25:1.0:0.05 gives 16
    values ending at 1.0; STOP is included when it lands on the grid). Default grid: the
    paper's α 1, 0.75, 0.5, 0.25 and resolutions 224, 192, 160, 128.

    --plot writes a figure atomically and never replaces an existing file unless --force.

    \b
    Examples:
      mncost sweep                                        # the paper's 16 models
      mncost sweep --alpha 1,0.75,0.5,0.25 --resolution 224,192,160,128 --plot out.png
      mncost sweep --alpha 0.25:1.0:0.05 --resolution 96:224:32 --format csv
      mncost sweep --alpha 1,0.5 --rho 1,0.857,0.714,0.571     # the paper's Table 7
      mncost sweep --variant standard --alpha 1 --resolution 224 --format json
    """
    from mncost.core import spec as spec_module
    from mncost.core import sweep as sweep_module

    try:
        alpha_values = sweep_module.parse_alphas(alphas)
    except ConfigError as exc:
        raise click.BadParameter(str(exc).removeprefix("alpha: "),
                                 param_hint="'--alpha'") from None
    if resolutions is not None and rhos is not None:
        raise click.UsageError("--resolution and --rho are mutually exclusive; give one")
    model_spec = spec_module.load(spec)
    try:
        resolution_values = (sweep_module.parse_rhos(rhos, model_spec.resolution)
                             if rhos is not None else
                             sweep_module.parse_resolutions(resolutions or PAPER_RESOLUTIONS))
    except ConfigError as exc:
        flag = "--rho" if rhos is not None else "--resolution"
        raise click.BadParameter(str(exc).split(": ", 1)[1],
                                 param_hint=f"'{flag}'") from None
    if plot_path is not None:
        from mncost.render.plot import check_target
        check_target(plot_path, overwrite=force)  # fail before the work, not after

    count = len(alpha_values) * len(resolution_values)
    # decided before any console exists: a JSON run of a small grid loads no rich at all
    with progress("configurations", enabled=count >= PROGRESS_FROM) as start:
        result = sweep_module.run(model_spec, alpha_values, resolution_values,
                                  variant=variant, depth_multiplier=depth_multiplier,
                                  min_channels=min_channels, params=params, dtype=dtype,
                                  progress=start("sweep", count))
    if plot_path is not None:
        from mncost.render.plot import plot_sweep
        written = plot_sweep(result, plot_path, overwrite=force)

    output(SweepView(result), fmt)
    if plot_path is not None:
        click.echo(f"Wrote {written}", err=True)
