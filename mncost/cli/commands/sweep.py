"""``mncost sweep``: costs over a grid of α and resolution, with optional plots."""

from __future__ import annotations

import click

from mncost.cli.common import (dtype_option, format_option, output, params_option, progress,
                               setting)
from mncost.core.errors import ConfigError
from mncost.core.settings import parse_repeat_multiplier, parse_rounding
from mncost.core.sweep import PAPER_ALPHAS, PAPER_RESOLUTIONS
from mncost.views.sweep import FamilySweepView, SweepView

# The fast path costs about 100,000 configurations a second here: show progress above that.
PROGRESS_FROM = 100_000


@click.command()
@click.option("--spec", "specs", metavar="NAME|PATH", multiple=True,
              help="Spec to sweep: a built-in name (`mncost specs`) or a YAML file; repeat "
                   "it to sweep several families together (one table each; --plot puts them "
                   "on one figure). Default: the built-in MobileNet v1.")
@click.option("--variant", "-v", default=None, metavar="NAME",
              help="Variant declared by the spec (built-in: separable, standard, shallow). "
                   "Default: the spec's default.")
@click.option("--alpha", "-a", "alphas", default=None, metavar="LIST|RANGE",
              help="Width multipliers: a list 1,0.75,0.5 or a range START:STOP[:STEP] such "
                   "as 0.25:1.0:0.05 (exact decimals; STOP included when on the grid). "
                   f"Default: {PAPER_ALPHAS} for a spec built at α 1, else the spec's own α.")
@click.option("--resolution", "-r", "resolutions", default=None, metavar="LIST|RANGE",
              help="Input resolutions in pixels: a list 224,192 or a range such as 96:224:32. "
                   f"Default: {PAPER_RESOLUTIONS} for a 224-pixel spec, else the spec's own.")
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
@click.option("--repeat-multiplier", default=None, metavar="D",
              callback=setting(parse_repeat_multiplier),
              help="EfficientNet's depth coefficient: stages marked scale_repeat repeat "
                   "ceil(n·D) times. Default: the spec's own.")
@click.option("--rounding", default=None, metavar="floor|divisible:N",
              callback=setting(parse_rounding),
              help="Channel rounding under α. Default: the spec's own.")
@params_option
@dtype_option
@format_option(SweepView.formats())
@click.option("--plot", "plot_path", default=None, metavar="FILE.png",
              help="Also draw the trade-off (needs the 'plot' extra): mult-adds vs params, and "
                   "the paper's accuracy vs mult-adds where it reports one. .png, .svg or .pdf.")
@click.option("--force", is_flag=True,
              help="Let --plot replace an existing file (by default it refuses).")
def sweep(specs: tuple[str, ...], variant: str | None, alphas: str | None,
          resolutions: str | None, rhos: str | None, depth_multiplier: int, min_channels: int,
          repeat_multiplier, rounding: str | None, params: str, dtype: str, fmt: str,
          plot_path: str | None, force: bool) -> None:
    """Costs of every (α, resolution) pair of a grid: the paper's trade-off surface.

    One row per configuration: α, resolution, mult-adds, parameters, weight bytes, peak
    activation bytes, each exactly what `mncost table` reports for that configuration. Where
    a paper reports ImageNet top-1 for a configuration of a built-in (MobileNet v1's Tables
    6-7; MobileNetV2, V3 and EfficientNet B0/B7 at their published settings) it is shown in
    a "Top-1 (paper)" column, cited; mncost never measures accuracy. Below the rows, matrix
    views α × resolution of mult-adds and parameters, like the paper's Tables 6–7.

    Several --spec options sweep several families: one table each, JSON {"sweeps": [...]},
    CSV with a leading spec column, and one --plot with every family (cost vs params, and
    published accuracy vs mult-adds).

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
      mncost sweep --spec mobilenet_v2 --alpha 1.4,1,0.75,0.5,0.35
      mncost sweep --spec mobilenet_v1 --spec mobilenet_v2 --spec mobilenet_v3_large \\
                   --spec efficientnet_b0 --alpha 1 --resolution 224 --plot family.png
    """
    from mncost.core import spec as spec_module
    from mncost.core import sweep as sweep_module

    if resolutions is not None and rhos is not None:
        raise click.UsageError("--resolution and --rho are mutually exclusive; give one")
    loaded = [spec_module.load(name) for name in (specs or (None,))]
    grids = [_grid(model_spec, alphas, resolutions, rhos) for model_spec in loaded]
    if plot_path is not None:
        from mncost.render.plot import check_target
        check_target(plot_path, overwrite=force)  # fail before the work, not after

    count = sum(len(a) * len(r) for a, r in grids)
    results = []
    # decided before any console exists: a JSON run of a small grid loads no rich at all
    # The points are computed as they are written (JSON and CSV stream a million of them in
    # constant memory), so the progress bar runs while the output is written.
    with progress("configurations", enabled=count >= PROGRESS_FROM) as start:
        for model_spec, (alpha_values, resolution_values) in zip(loaded, grids):
            results.append(sweep_module.run(
                model_spec, alpha_values, resolution_values, variant=variant,
                depth_multiplier=depth_multiplier, min_channels=min_channels,
                rounding=rounding, repeat_multiplier=repeat_multiplier, params=params,
                dtype=dtype, progress=start(model_spec.name or model_spec.model,
                                            len(alpha_values) * len(resolution_values))))
        if plot_path is not None:
            from mncost.render.plot import plot_families, plot_sweep
            # The single-model figure's accuracy panel is the v1 paper's Tables 6-7; any
            # other published accuracy is drawn as the family figure draws it.
            single = len(results) == 1 and (not results[0].has_accuracy
                                            or results[0].spec_name == "mobilenet_v1")
            written = (plot_sweep(results[0], plot_path, overwrite=force) if single
                       else plot_families(results, plot_path, overwrite=force))
        output(SweepView(results[0]) if len(results) == 1
               else FamilySweepView(tuple(results)), fmt)
    if plot_path is not None:
        click.echo(f"Wrote {written}", err=True)


def _grid(model_spec, alphas: str | None, resolutions: str | None, rhos: str | None):
    """(α values, resolutions) for one spec: the flags, or the defaults for that spec."""
    from mncost.core import sweep as sweep_module
    from mncost.core.settings import format_decimal

    default_alphas = PAPER_ALPHAS if model_spec.alpha == 1 else format_decimal(model_spec.alpha)
    try:
        alpha_values = sweep_module.parse_alphas(alphas or default_alphas)
    except ConfigError as exc:
        raise click.BadParameter(str(exc).removeprefix("alpha: "),
                                 param_hint="'--alpha'") from None
    h, w = model_spec.input_size
    default_resolutions = PAPER_RESOLUTIONS if (h, w) == (224, 224) else str(h)
    try:
        resolution_values = (sweep_module.parse_rhos(rhos, model_spec.resolution)
                             if rhos is not None else
                             sweep_module.parse_resolutions(resolutions or default_resolutions))
    except ConfigError as exc:
        flag = "--rho" if rhos is not None else "--resolution"
        raise click.BadParameter(str(exc).split(": ", 1)[1],
                                 param_hint=f"'{flag}'") from None
    return alpha_values, resolution_values
