"""The ``mncost`` command line: a thin shell over the core.

Commands live in ``mncost.commands.<name>`` and are imported only when invoked, so
``mncost table`` never pays for (or needs) torch, fvcore or matplotlib.
"""

from __future__ import annotations

import importlib
import sys

import click

from mncost import __version__
from mncost.core.errors import CheckFailed, MncostError

# name -> (module, attribute, one-line help shown by `mncost --help`)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "table": ("mncost.cli.commands.table", "table",
              "Per-layer cost table of one model (the paper's Table 1 plus costs)."),
    "compare": ("mncost.cli.commands.compare", "compare",
                "Two models side by side: totals, ratios and aligned layers."),
    "layer": ("mncost.cli.commands.layer", "layer",
              "One layer, standard vs depthwise separable, with α and ρ (paper Table 3)."),
    "check": ("mncost.cli.commands.check", "check",
              "Check models against a budget file; exit 1 when a limit is exceeded."),
    "verify": ("mncost.cli.commands.verify", "verify",
               "Build the model in PyTorch, profile it with fvcore, reconcile every number."),
    "sweep": ("mncost.cli.commands.sweep", "sweep",
              "Costs over a grid of α and resolution, with optional plots."),
    "bench": ("mncost.cli.commands.bench", "bench",
              "Measured CPU latency of the PyTorch model, per layer kind."),
}


class MncostClickError(click.ClickException):
    """Bad input found by the core: one 'Error: …' line on stderr, exit 2."""

    exit_code = 2


class CheckFailedExit(click.ClickException):
    exit_code = 1

    def show(self, file=None) -> None:  # the command already printed its report
        if self.message:
            click.echo(f"Error: {self.message}", err=True)


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attribute, _ = COMMANDS[name]
        return getattr(importlib.import_module(module), attribute)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # Short help comes from COMMANDS so `mncost --help` imports no command module.
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except MncostError as exc:
            raise MncostClickError(str(exc)) from None
        except CheckFailed as exc:
            raise CheckFailedExit(str(exc)) from None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"],
                                               "max_content_width": 100})
@click.version_option(__version__, prog_name="mncost")
def main() -> None:
    """Exact cost of MobileNet-style CNNs — mult-adds, parameters, memory — from a YAML spec.

    A standard k×k convolution costs k·k·M·N·D_F·D_F mult-adds; a depthwise separable one
    costs k·k·M·D_F·D_F + M·N·D_F·D_F, a ratio of 1/N + 1/k² (Howard et al., 2017).

    \b
    Examples:
      mncost table --alpha 0.5 --resolution 160
      mncost table --variant standard --format json
      mncost table --spec my_net.yaml --params paper --format markdown

    Exit codes: 0 ok, 1 a check failed, 2 bad input or usage.
    """


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
