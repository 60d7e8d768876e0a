"""``mncost verify``: build the model in PyTorch, profile it, reconcile every number."""

from __future__ import annotations

import time

import click

from mncost.cli.common import (format_option, max_memory_option, max_memory_value,
                               model_options, output, progress)
from mncost.core.errors import VerifyMismatch
from mncost.core.settings import ModelSettings
from mncost.views.verify import (CrosscheckView, GridView, failure_message, grid_label,
                                 grid_summary)



@click.command()
@model_options
@click.option("--grid", is_flag=True,
              help="Verify every variant of the spec at α ∈ {1.0, 0.75, 0.5, 0.25} × resolution "
                   "∈ {224, 192, 160, 128} (with a progress bar on stderr) instead of one "
                   "model. --depth-multiplier and --min-channels still apply.")
@click.option("--against", "against", default=None, metavar="MODULE:CALLABLE",
              help="Match the spec with your own PyTorch model instead of mncost's build of "
                   "it: node by node, by structure and execution order, with fvcore's counts "
                   "for each module. Exit 1 on any difference, naming the first.")
@max_memory_option
@format_option(CrosscheckView.formats())
def verify(model: ModelSettings, grid: bool, against: str | None, max_memory: int | None,
           fmt: str) -> None:
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
      mncost verify --spec v3.yaml --against torchvision.models:mobilenet_v3_large
      mncost verify --spec mobilenet_v2 --alpha 0.75 --resolution 160 \\
                    --against my_models:mobilenet_v2_075

    With --against MODULE:CALLABLE the spec is matched with the model that CALLABLE()
    returns (MODULE imported from the working directory), as your CI would: every node
    that differs is listed with the spec's name, the torch module's path and both numbers,
    the first divergence first.
    """
    from mncost.torch import verify as verify_module

    verify_module.require_extra()
    if against is not None:
        if grid:
            raise click.UsageError("--against checks one model; drop --grid")
        _run_against(model, against, fmt)
        return
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

    output(CrosscheckView(result), fmt)
    if not result.ok:
        raise VerifyMismatch(failure_message(result.mismatches))


def _run_against(model: ModelSettings, target: str, fmt: str) -> None:
    from mncost import api
    from mncost.torch.against import against
    from mncost.views.against import AgainstView

    network = api.network(settings=model)
    result = against(network, target)
    output(AgainstView(result), fmt)
    if not result.ok:
        first = result.first_divergence
        if first is None:
            totals = ", ".join(t.check.split(":")[0] for t in result.totals if not t.ok)
            raise VerifyMismatch(f"verify --against {target}: every node matches, but the "
                                 f"totals differ ({totals}): the model has parts the spec "
                                 "does not describe")
        raise VerifyMismatch(f"verify --against {target}: {len(result.mismatches)} nodes "
                             f"differ, first at spec {first.spec_node or '(none)'} ↔ "
                             f"{first.torch_module or '(none)'}")


# -- the grid -----------------------------------------------------------------------------------

def _run_grid(model: ModelSettings, fmt: str, max_memory: int | None) -> None:
    from mncost.core import spec as spec_module
    from mncost.torch import verify as verify_module

    model_spec = spec_module.load(model.spec)
    points = verify_module.grid_points(model_spec.variant_names)
    results = []
    start = time.perf_counter()
    with progress("models") as start_task:
        advance = start_task("verify --grid", len(points))
        for point in points:
            network = spec_module.resolve(model_spec, variant=point.variant, alpha=point.alpha,
                                          resolution=point.resolution,
                                          depth_multiplier=model.depth_multiplier,
                                          min_channels=model.min_channels,
                                          rounding=model.rounding)
            results.append(verify_module.crosscheck(network, max_memory=max_memory))
            advance(1)
    seconds = time.perf_counter() - start
    failed = [r for r in results if not r.ok]
    summary = grid_summary(results, len(model_spec.variant_names),
                           len(verify_module.GRID_ALPHAS), len(verify_module.GRID_RESOLUTIONS),
                           seconds)

    output(GridView(model_spec.model, tuple(results), summary), fmt)
    if failed:
        raise VerifyMismatch(f"verify --grid: {len(failed)} of {len(results)} models differ: "
                             + ", ".join(grid_label(r) for r in failed[:5])
                             + (" …" if len(failed) > 5 else ""))
