"""``mncost check``: model budgets that fail CI when a model grows."""

from __future__ import annotations

import contextlib
import os

import click

from mncost.cli.common import format_option, output
from mncost.core.fileio import interrupts_deferred
from mncost.views.budget import CheckView, _escape_data, _escape_property, _relative


@click.command()
@click.argument("budgets", metavar="BUDGETS")
@click.option("--baseline", "baseline_path", metavar="FILE", default=None,
              help="Baseline JSON of the last accepted numbers. A metric that grew past "
                   "baseline + tolerance fails even under its limit.")
@click.option("--update-baseline", is_flag=True, default=False,
              help="Write the current numbers to --baseline FILE (atomically), only when "
                   "every error-level limit holds. Growth is reported but accepted.")
@format_option(CheckView.formats())
def check(budgets: str, baseline_path: str | None, update_baseline: bool, fmt: str) -> None:
    """Check models against a budget file; exit 1 when a limit is exceeded.

    BUDGETS is a YAML file of named entries, each naming a model (spec, variant, alpha,
    resolution) and limits on mult_adds, params, weight_bytes and peak_activation_bytes, as
    plain ints or units ("80M", "1.4M", "2 MiB", "4.2e6"). A limit is an error (the default)
    or a warning ({max: 1.4M, level: warn}). See docs/check.md for every key.

    Formats: rich (a table, one row per entry × metric), markdown (for a CI job summary or a
    PR comment), github (::error / ::warning workflow commands pointing at the budget's
    line), junit (JUnit XML, one test case per entry × metric), json (also printed when the
    check fails).

    Exit codes: 0 every error-level limit holds (warnings are printed); 1 a limit was
    exceeded or a metric grew past its baseline + tolerance; 2 bad input (a malformed budget
    or baseline file, a bad flag).

    \b
    Examples:
      mncost check configs/budgets.yaml
      mncost check configs/budgets.yaml --format markdown >> "$GITHUB_STEP_SUMMARY"
      mncost check budgets.yaml --baseline budgets.baseline.json --format github
      mncost check budgets.yaml --baseline budgets.baseline.json --update-baseline
      mncost check budgets.yaml --format junit > mncost-junit.xml
    """
    from mncost.core import budget
    from mncost.core.errors import CheckFailed, SpecError

    if update_baseline and baseline_path is None:
        raise click.UsageError("--update-baseline needs --baseline FILE")
    try:
        budget_file = budget.load(budgets, torch_spec=_torch_spec)
        baseline = None
        if baseline_path is not None and (os.path.exists(baseline_path) or not update_baseline):
            if not os.path.exists(baseline_path):
                raise click.BadParameter(f"{baseline_path}: no such file; create it with "
                                         "--update-baseline", param_hint="--baseline")
            baseline = budget.load_baseline(baseline_path)
    except SpecError as exc:
        if fmt == "github" and exc.file is not None:  # annotate the bad line, then exit 2
            line = f",line={exc.line}" if exc.line is not None else ""
            click.echo(f"::error file={_escape_property(_relative(exc.file))}{line},"
                       f"title=mncost check%3A invalid input::"
                       f"{_escape_data((exc.field + ': ' if exc.field else '') + exc.message)}")
        raise

    result = budget.check(budget_file, baseline, enforce_growth=not update_baseline)
    # From replacing the baseline to saying so, a Ctrl-C waits: it can never leave a
    # replaced file unreported.
    with interrupts_deferred() if update_baseline else contextlib.nullcontext():
        updated: bool | None = None
        if update_baseline and result.ok:
            updated = budget.write_atomic(baseline_path, budget.baseline_json(result))
        view = CheckView(result, budgets, baseline_path, updated)
        output(view, fmt)
        if fmt in ("json", "junit"):  # the report itself is for machines; tell the human too
            for message in view.warning_messages():
                click.echo(f"Warning: {message}", err=True)
        if update_baseline:
            click.echo(view.baseline_line(), err=True)
    if not result.ok:
        raise CheckFailed(view.failure_summary())


def _torch_spec(target: str, resolution: tuple[int, int]):
    """A budget entry's ``torch: MODULE:CALLABLE``, imported (needs the verify extra)."""
    from mncost.torch.bench import require_torch

    require_torch("mncost check with a torch: entry")
    from mncost.torch import importer

    model, shown = importer.build_model(target)
    imported = importer.trace(model, resolution, name=shown, source=shown)
    return importer.to_network(imported)[0]
