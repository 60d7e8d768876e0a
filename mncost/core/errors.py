"""Every failure mncost reports to a user is one of these.

The CLI maps them to exit codes: ``MncostError`` and its subclasses are bad input (exit 2),
``CheckFailed`` is a check that ran and did not hold (exit 1).
"""

from __future__ import annotations


class MncostError(Exception):
    """Bad input: a spec, budget file, flag or environment mncost cannot work with."""

    exit_code = 2


class SpecError(MncostError):
    """A problem in a YAML file, located by file, line and field path.

    Renders as ``configs/x.yaml:14: layers[3].stride: must be a positive integer, got 0``;
    each part is left out when unknown.
    """

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 field: str | None = None) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.field = field
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.file is not None:
            where = f"{self.file}:{self.line}: " if self.line is not None else f"{self.file}: "
        field = f"{self.field}: " if self.field else ""
        return f"{where}{field}{self.message}"


class ConfigError(MncostError):
    """Hyperparameters that are each valid but cannot be applied to this network."""


class BudgetError(SpecError):
    """A malformed budget or baseline file."""


class MissingExtra(MncostError):
    """An optional dependency (torch, fvcore, matplotlib) is not installed."""

    def __init__(self, extra: str, command: str) -> None:
        hint = (" (install torch first as your platform needs it, e.g. a CPU-only build: an "
                "unpinned 'torch' can pull several GB of CUDA packages)"
                if extra == "verify" else "")
        super().__init__(f"{command} needs the '{extra}' extra: pip install 'mncost[{extra}]'"
                         f"{hint}")


class CheckFailed(Exception):
    """A check ran and did not hold (budget exceeded, verify mismatch): exit 1."""

    exit_code = 1


class VerifyMismatch(CheckFailed):
    """The analytic numbers and the profiled model disagree."""
