"""``mncost import``: a spec from the PyTorch model you have."""

from __future__ import annotations

import click

from mncost.cli.common import setting
from mncost.core.settings import parse_resolution


@click.command("import")
@click.argument("target", metavar="MODULE:CALLABLE")
@click.option("--resolution", "-r", default="224", show_default=True, metavar="N|HxW",
              callback=setting(parse_resolution),
              help="Input size the spec is written for (a model with a linear layer on "
                   "unpooled features fixes it).")
@click.option("--output", "-o", "output_path", default=None, metavar="FILE",
              help="Write the spec here (atomically) instead of to stdout.")
@click.option("--force", is_flag=True, help="Let --output replace an existing file.")
@click.option("--allow-unknown", is_flag=True,
              help="Write operations without a rule as free 'opaque' layers (shape kept) and "
                   "list them, instead of refusing the model.")
@click.option("--flat", is_flag=True,
              help="One layer per module; do not group inverted residuals and separable "
                   "pairs into blocks.")
@click.option("--name", "model_name", default=None, metavar="TEXT",
              help="The spec's model name (default: MODULE:CALLABLE).")
def import_model(target: str, resolution: tuple[int, int], output_path: str | None,
                 force: bool, allow_unknown: bool, flat: bool, model_name: str | None) -> None:
    """Write a spec of the PyTorch model MODULE:CALLABLE returns.

    MODULE is imported with the working directory on the Python path (as python -m does) and
    CALLABLE (a factory function or a class) is called with no arguments, under
    torch.device("meta") so its weights take no memory. Its forward is traced with torch.fx:
    no weights are downloaded or read and no activations are computed. Every operation maps
    to a layer kind (conv, batch norm, the activations, linear, pools, mean over H×W,
    flatten/view, dropout, identity, add, mul, cat); each layer is named by its module's path
    (features.3.conv.1.0), and runs of layers that form an inverted residual or a separable
    pair are written as that block, named by their common module path (features.3).

    An operation with no rule is refused (exit 2, naming each one and the module it sits in)
    unless --allow-unknown. The spec's mult-adds equal fvcore's conv + linear count and its
    parameters the model's numel; a summary says so on stderr.

    \b
    Examples:
      mncost import torchvision.models:mobilenet_v3_large -o v3.yaml
      mncost import my_project.nets:build_student --resolution 160 > student.yaml
      mncost table --spec v3.yaml --alpha 0.75
      mncost verify --spec v3.yaml --against torchvision.models:mobilenet_v3_large
    """
    from mncost.torch.bench import require_torch

    require_torch("mncost import")
    from mncost.core import spec_writer
    from mncost.core.costing import analyze
    from mncost.torch import importer

    from mncost.core import fileio

    target_path = None
    if output_path:
        target_path = fileio.check_target(output_path, overwrite=force, what="spec")
    model, shown = importer.build_model(target)
    imported = importer.trace(model, resolution, name=model_name or shown,
                              allow_unknown=allow_unknown, flat=flat, source=shown)
    _, network = importer.to_network(imported)
    report = analyze(network)
    notes = {layer.name: layer.note for layer in imported.layers if layer.note}
    text = spec_writer.dump(imported.doc, importer.header(imported, resolution), notes)
    if target_path is None:
        click.echo(text, nl=False)
    else:
        fileio.write_file(target_path, lambda stream: stream.write(text.encode("utf-8")),
                          overwrite=force, what="spec")
    blocks = sum(1 for layer in imported.layers if layer.kind in ("inverted_residual",
                                                                    "separable"))
    same = ("equal to the model's" if report.params == imported.model_params
            else f"the model has {imported.model_params:,}")
    summary = (f"{shown}: {len(network.nodes)} layers ({blocks} blocks) at "
               f"{resolution[0]}×{resolution[1]}; {report.mult_adds:,} mult-adds; "
               f"{report.params:,} params ({same})")
    click.echo(("Wrote " + str(target_path) + ": " if target_path else "") + summary, err=True)
    for op, where in imported.unknown:
        click.echo(f"unknown, counted as free: {op} in {where}", err=True)
    for path, count in imported.uncounted:
        click.echo(f"not counted: the {count:,} parameters of {path} (forward never calls it, "
                   "or it is an unknown operation)", err=True)
