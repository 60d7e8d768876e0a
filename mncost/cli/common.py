"""What every command shares: model-selection flags, output flags, and printing.

Commands stay thin: parse flags with these decorators, call the core, build the result's view
(``mncost.views``) and hand it to ``output``, which renders it by format name.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from typing import Any, Callable, Iterator

import click

from mncost.core.errors import ConfigError
from mncost.core.settings import ModelSettings
from mncost.core.costing import DEFAULT_DTYPE, DEFAULT_PARAMS, DTYPE_BYTES, PARAMS_CONVENTIONS

FORMATS = ("rich", "markdown", "csv", "json")


def setting(parse: Callable[[Any], Any]) -> Callable[[click.Context, click.Parameter, Any], Any]:
    """A click callback validating a value with the core's one rule (``core.settings``)."""
    def check(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        if value is None:
            return None
        try:
            return parse(value)
        except ConfigError as exc:
            raise click.BadParameter(str(exc)) from None
    return check


def multiplier_text(name: str) -> Callable[[click.Context, click.Parameter, Any], Any]:
    """Validate α or ρ by the core's rule but keep the user's text for labels (α = 0.75)."""
    from mncost.core.settings import parse_multiplier

    return setting(lambda value: (parse_multiplier(value, name), str(value).strip())[1])


def spec_option(f: Callable) -> Callable:
    return click.option(
        "--spec", "spec", metavar="NAME|PATH", default=None,
        help="Architecture spec: a built-in name (mobilenet_v1, mobilenet_v2, "
             "mobilenet_v3_large, efficientnet_b0, ...: `mncost specs` lists them) or a YAML "
             "file. Default: the built-in MobileNet v1 (Table 1 of the paper).")(f)


def hyper_options(f: Callable) -> Callable:
    """--alpha, --resolution/--rho, --depth-multiplier, --min-channels, --repeat-multiplier,
    --rounding."""
    from mncost.core import settings as s

    options = [
        click.option("--alpha", "-a", default=None, metavar="A",
                     callback=setting(lambda v: s.parse_multiplier(v, "alpha")),
                     help="Width multiplier α > 0 (default: the spec's, 1 for most; "
                          "efficientnet_b3 is 1.2): a layer with c channels gets "
                          "max(min-channels, floor(c·α)) under floor rounding, make-divisible "
                          "under divisible:N. Replaces the spec's α. The classifier is not "
                          "scaled."),
        click.option("--resolution", "-r", default=None, metavar="N|HxW",
                     callback=setting(s.parse_resolution),
                     help="Input resolution in pixels: N (square) or HxW such as 160x120. "
                          "Default: the spec's (224)."),
        click.option("--rho", default=None, metavar="R",
                     callback=setting(lambda v: s.parse_multiplier(v, "rho")),
                     help="Resolution multiplier ρ > 0: each side = round(base·ρ), halves up "
                          "(base: the spec's resolution). Exclusive with --resolution."),
        click.option("--depth-multiplier", default=None, metavar="D",
                     callback=setting(lambda v: s.parse_count(v, "depth multiplier",
                                                              s.MAX_DEPTH_MULTIPLIER)),
                     help="Keras' depthwise channel multiplier (default 1): a dw conv on c "
                          "channels outputs c·D."),
        click.option("--min-channels", default=None, metavar="C",
                     callback=setting(lambda v: s.parse_count(v, "min channels",
                                                              s.MAX_CHANNELS)),
                     help="Floor on channels after α (default 1; TF-slim uses 8)."),
        click.option("--repeat-multiplier", default=None, metavar="D",
                     callback=setting(s.parse_repeat_multiplier),
                     help="EfficientNet's depth coefficient d > 0: each stage marked "
                          "scale_repeat repeats ceil(n·d) times (default: the spec's; "
                          "efficientnet_b3 is 1.4). Adds layers; unrelated to "
                          "--depth-multiplier, which widens depthwise convs."),
        click.option("--rounding", default=None, metavar="floor|divisible:N",
                     callback=setting(s.parse_rounding),
                     help="Channel rounding under α: floor (MobileNet v1, Keras) or "
                          "divisible:N (torchvision's make-divisible). Default: the spec's."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


HYPER_KEYS = ("alpha", "resolution", "rho", "depth_multiplier", "min_channels", "rounding",
              "repeat_multiplier")


def model_options(f: Callable) -> Callable:
    """--spec, --variant and the settings; the command receives ``model: ModelSettings``."""
    @functools.wraps(f)
    def wrapper(*args: Any, spec: str | None, variant: str | None, **kwargs: Any) -> Any:
        hyper = {key: kwargs.pop(key) for key in HYPER_KEYS}
        if hyper["resolution"] is not None and hyper["rho"] is not None:
            raise click.UsageError("--resolution and --rho are mutually exclusive; give one")
        try:
            model = ModelSettings.parse(spec=spec, variant=variant, **hyper)
        except ConfigError as exc:
            raise click.BadParameter(str(exc)) from None
        return f(*args, model=model, **kwargs)

    wrapper = hyper_options(wrapper)
    wrapper = click.option("--variant", "-v", default=None, metavar="NAME",
                           help="Variant declared by the spec (built-in MobileNet v1: "
                                "separable, standard, shallow). Default: the spec's "
                                "default.")(wrapper)
    return spec_option(wrapper)


def params_option(f: Callable) -> Callable:
    return click.option(
        "--params", "params", type=click.Choice(PARAMS_CONVENTIONS), default=DEFAULT_PARAMS,
        show_default=True,
        help="Parameter convention: paper = weights only; trainable = + biases and batch-norm "
             "γ, β (PyTorch, fvcore); all = + batch-norm running stats (Keras total).")(f)


def dtype_option(f: Callable) -> Callable:
    return click.option(
        "--dtype", type=click.Choice(tuple(DTYPE_BYTES)), default=DEFAULT_DTYPE,
        show_default=True, help="Element type for weight and activation memory.")(f)


def _wide(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    ctx.meta["mncost.wide"] = value
    return value


def format_option(choices: tuple[str, ...] = FORMATS) -> Callable[[Callable], Callable]:
    def decorate(f: Callable) -> Callable:
        if "rich" in choices:
            f = click.option("--wide", is_flag=True, expose_value=False, callback=_wide,
                             help="Show every column of rich tables, however wide; by default "
                                  "the least needed are left out to fit the terminal "
                                  "(or COLUMNS).")(f)
        return click.option(
            "--format", "-f", "fmt", type=click.Choice(choices), default=choices[0],
            show_default=True,
            help="Output format" + (". json and csv carry exact integers for scripts."
                                    if "csv" in choices else
                                    ". json carries exact integers for scripts."))(f)
    return decorate


def console(stderr: bool = False):
    """A rich Console: colour off when not a TTY or when NO_COLOR is set (rich honours both);
    wide enough for our tables when output is piped."""
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    is_tty = hasattr(stream, "isatty") and stream.isatty()
    width = None if is_tty else _columns(os.environ.get("COLUMNS"))
    # markup and emoji off: table cells are data (a spec may name a layer "[x]"), never markup.
    return Console(file=stream, width=width, no_color=bool(os.environ.get("NO_COLOR")) or None,
                   highlight=False, soft_wrap=False, markup=False, emoji=False)


def _columns(value: str | None, default: int = 160) -> int:
    """``COLUMNS`` when it is a sensible width (20 to 10,000), else ``default``: a bad value
    in the environment must not crash every table."""
    text = (value or "").strip()
    if text.isdigit() and 20 <= int(text) <= 10_000:
        return int(text)
    return default


@contextlib.contextmanager
def progress(unit: str, enabled: bool = True) -> Iterator[Callable[[str, int],
                                                                   Callable[[int], None]]]:
    """A rich progress bar on stderr, shown only on a terminal (and when ``enabled``).

    Yields ``start(label, total)``, which adds a task and returns ``advance(n)``; off a
    terminal both do nothing and rich is not even imported.
    """
    err = console(stderr=True) if enabled else None
    if err is None or not err.is_terminal:
        yield lambda label, total: (lambda n: None)
        return
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                               TimeElapsedColumn)

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                  TextColumn(unit), TimeElapsedColumn(), console=err,
                  transient=True) as bar:
        def start(label: str, total: int) -> Callable[[int], None]:
            task = bar.add_task(label, total=total)
            return lambda n: bar.advance(task, n)
        yield start


def output(view: Any, fmt: str) -> None:
    """Render ``view`` in ``fmt`` (``mncost.render``) and print it.

    Rich tables fit the terminal: its width on a terminal, ``COLUMNS`` when piped (natural
    width without it), every column with ``--wide``. Piped output has no trailing padding.
    """
    from mncost.render import render

    if fmt != "rich":  # text formats: no console, so JSON and CSV never load rich
        result = render(view, fmt)
        if isinstance(result, str):
            click.echo(result, nl=False)
            return
        if not hasattr(result, "__rich_console__"):  # chunks, written as they come
            for chunk in result:
                click.echo(chunk, nl=False)
            return
    out = console()
    ctx = click.get_current_context(silent=True)
    wide = bool(ctx is not None and ctx.meta.get("mncost.wide"))
    limit = None if wide or not (out.is_terminal or os.environ.get("COLUMNS")) else out.width
    result = render(view, fmt, limit)
    if isinstance(result, str):
        click.echo(result, nl=False)
        return
    if limit is None:  # --wide, or piped without COLUMNS: every table at its natural width
        out.width = max(out.width, _table_width(out, result))
    if out.is_terminal:
        out.print(result)
        return
    with out.capture() as captured:
        out.print(result)
    click.echo("\n".join(line.rstrip() for line in captured.get().split("\n")), nl=False)


def max_memory_option(f: Callable) -> Callable:
    """--max-memory SIZE: the most the PyTorch builder may allocate (verify, bench)."""
    def parse(ctx: click.Context, param: click.Parameter, value: Any) -> int | None:
        if value is None:
            return None
        if str(value).strip().lower() == "none":
            return 0
        from mncost.core.budget import parse_quantity
        try:
            return parse_quantity(value, "weight_bytes")
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from None

    return click.option(
        "--max-memory", metavar="SIZE", default=None, callback=parse,
        help="Refuse to build a model needing more than SIZE of float32 weights + activations "
             "(e.g. 16GiB; 'none' for no limit). Default: 4 GiB.")(f)


def max_memory_value(option: int | None) -> int | None:
    """The builder's max_memory for a --max-memory value: default, a size, or 0 = no limit."""
    from mncost.core.memory import DEFAULT_MAX_MEMORY

    if option is None:
        return DEFAULT_MAX_MEMORY
    return None if option == 0 else option


def _table_width(out, renderable) -> int:
    """The natural width of the widest rich Table in ``renderable`` (a Table or a Group)."""
    from rich.console import Group
    from rich.measure import Measurement
    from rich.table import Table

    if isinstance(renderable, Table):
        return Measurement.get(out, out.options.update_width(1 << 16), renderable).maximum
    if isinstance(renderable, Group):
        return max((_table_width(out, part) for part in renderable.renderables), default=0)
    return 0
