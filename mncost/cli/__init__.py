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
    "import": ("mncost.cli.commands.import_", "import_model",
               "Write a spec of your own PyTorch model (MODULE:CALLABLE)."),
    "specs": ("mncost.cli.commands.specs", "specs",
              "List the built-in specs (MobileNet v1-v3, MnasNet, EfficientNet B0-B7)."),
}


class MncostClickError(click.ClickException):
    """Bad input found by the core: one 'Error: …' line on stderr, exit 2."""

    exit_code = 2


class CheckFailedExit(click.ClickException):
    exit_code = 1

    def show(self, file=None) -> None:  # the command already printed its report
        if self.message:
            click.echo(f"Error: {_one_line(self.message)}", err=True)


class Interrupted(click.ClickException):
    """Ctrl-C: one line, exit 130 (128 + SIGINT), never "Aborted!" with the exit code of a
    failed check."""

    exit_code = 130

    def __init__(self) -> None:
        super().__init__("interrupted")


EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a reader that went away


def _one_line(message: str) -> str:
    """A message as one line of printable text: user-supplied names (spec files, budget keys)
    reach stderr with their newlines and escape sequences shown, never obeyed (a newline plus
    ``::error file=…::`` would be a GitHub Actions command)."""
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii")
                   for ch in message)


class LazyGroup(click.Group):
    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True,
             **extra):
        """click's main, but every failure is one ``Error:`` line on stderr: usage errors
        without click's four-line usage block, Ctrl-C as exit 130, a closed or full stdout
        as a message instead of a traceback."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False,
                                  **extra)
        except click.UsageError as exc:
            command = exc.ctx.command_path if exc.ctx is not None else "mncost"
            _fail(f"{exc.format_message()} (see '{command} --help')", exc.exit_code)
        except click.ClickException as exc:
            if isinstance(exc, CheckFailedExit):
                exc.show()
                sys.exit(exc.exit_code)
            _fail(exc.format_message(), exc.exit_code)
        except (click.Abort, KeyboardInterrupt):
            _fail("interrupted", Interrupted.exit_code)
        except (BrokenPipeError, _PipeClosed):
            _quiet_stdout()
            sys.exit(EXIT_BROKEN_PIPE)
        except OSError as exc:  # stdout on a full disk, say
            _fail(f"cannot write the output: {exc.strerror or exc}", 2)
        _flush_stdout()
        sys.exit(result if isinstance(result, int) else 0)

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
        except KeyboardInterrupt:
            raise Interrupted() from None
        except BrokenPipeError:
            # Not an OSError any more: click would turn EPIPE into a silent exit 1, the code
            # of a failed check.
            raise _PipeClosed() from None


class _PipeClosed(Exception):
    """stdout's reader went away."""


def _fail(message: str, code: int) -> None:
    try:
        click.echo(f"Error: {_one_line(message)}", err=True)
    except OSError:
        pass
    sys.exit(code)


def _flush_stdout() -> None:
    """Write what is buffered now, so a full disk or a closed pipe is reported here."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _quiet_stdout()
        sys.exit(EXIT_BROKEN_PIPE)
    except OSError as exc:
        _quiet_stdout()
        _fail(f"cannot write the output: {exc.strerror or exc}", 2)


def _quiet_stdout() -> None:
    """After a write failed, point stdout at devnull so the interpreter's own flush at exit
    cannot print a second error."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


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
