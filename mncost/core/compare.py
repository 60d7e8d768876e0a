"""Two Reports side by side: which model a side names, how layers align, and exact ratios.

Pure Python (no rich, no torch). ``mncost compare`` parses its two arguments with
``parse_side``, analyses each, and hands both Reports to ``compare``.

**Side syntax.** ``NAME[@key=value,key=value...]``:

* ``NAME`` that is an identifier (``separable``, ``standard``, ``shallow``) is a variant of
  the shared ``--spec``;
* any other ``NAME`` is a spec file (or a built-in spec name) used with its default variant;
  ``PATH:VARIANT`` picks a variant of that file (``nets/tiny.yaml:standard``);
* after ``@``, comma-separated overrides of the shared hyperparameters: ``alpha``,
  ``resolution``, ``rho``, ``depth_multiplier``, ``min_channels``, ``rounding``,
  ``repeat_multiplier``. A side's ``resolution``
  replaces a shared ``--rho`` and its ``rho`` a shared ``--resolution``.

**Alignment rule.** Each report's layers are grouped by the part of their name before the
first dot (``block3.dw`` and ``block3.pw`` form group ``block3``; ``conv1`` is its own group).
Layer names are numbered on a spec's base list before a variant drops or converts anything, so
variants of one spec share group names. The two sequences of group names are aligned with
``difflib.SequenceMatcher`` (autojunk off): equal names are paired, a name on one side only is
shown as missing on the other, and where both sides have a run of unmatched names (typically
two different spec files) those groups are paired in order, the longer run's surplus missing.
Within a pair of groups:

* the same kinds of layer on both sides: one row per layer (``same`` or ``changed``);
* one standard conv against a depthwise + pointwise pair: one row,
  ``separable_vs_standard``, with the actual ratio next to the theoretical ``1/N + 1/D_K²``;
* anything else: one row for the whole group (``different``).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Mapping

from mncost.core.costing import LayerReport, Report
from mncost.core import settings
from mncost.core.errors import ConfigError
from mncost.core.ir import Shape, pair
from mncost.core.yamlio import did_you_mean, path_kind

SIDE_SYNTAX = "NAME[@key=value,...]"
SIDE_KEYS = ("alpha", "resolution", "rho", "depth_multiplier", "min_channels", "rounding",
             "repeat_multiplier")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_DECIMAL_KEYS = ("alpha", "rho")


# -- side syntax ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Side:
    """One argument of ``mncost compare``: which spec and variant, and its own overrides.

    ``spec`` is None when the side is a variant of the shared ``--spec``; ``variant`` is None
    for the spec's default variant. Override fields are None when the side does not set them.
    """

    text: str
    spec: str | None
    variant: str | None
    alpha: Fraction | None = None
    resolution: tuple[int, int] | None = None
    rho: Fraction | None = None
    depth_multiplier: int | None = None
    min_channels: int | None = None
    rounding: str | None = None
    repeat_multiplier: Fraction | None = None

    def overrides(self) -> dict[str, Any]:
        return {key: getattr(self, key) for key in SIDE_KEYS if getattr(self, key) is not None}

    def resolve_kwargs(self, shared: Mapping[str, Any]) -> dict[str, Any]:
        """Keyword arguments for ``spec.resolve``: the shared flags, then this side's overrides.

        ``shared`` holds ``alpha``, ``resolution``, ``rho``, ``depth_multiplier`` and
        ``min_channels`` as given to the command (None where unset).
        """
        kwargs = {key: shared.get(key) for key in SIDE_KEYS}
        own = self.overrides()
        if "resolution" in own:
            kwargs["rho"] = None
        if "rho" in own:
            kwargs["resolution"] = None
        kwargs.update(own)
        kwargs["variant"] = self.variant
        return kwargs


def _bad(text: str, message: str) -> ConfigError:
    return ConfigError(f"{message} (in {text!r}; syntax: {SIDE_SYNTAX}, or PATH[:VARIANT]"
                       f"[@key=value,...])")


def _split_name(text: str, name: str) -> tuple[str | None, str | None]:
    """(spec, variant) for the part before ``@``."""
    if not name:
        raise _bad(text, "the model name is empty")
    if _IDENTIFIER.match(name):
        return None, name
    if path_kind(name) == "file":
        return name, None
    head, colon, tail = name.rpartition(":")
    if colon:
        if not head:
            raise _bad(text, "no spec before ':'")
        if not _IDENTIFIER.match(tail):
            if path_kind(head) == "file" or not tail:
                raise _bad(text, f"variant names are identifiers, got {tail!r}")
            return name, None
        return head, tail
    return name, None


def _value(text: str, key: str, raw: str) -> Any:
    """One override, validated by the same rule as the command's flag (``core.settings``)."""
    if not raw:
        raise _bad(text, f"{key} has no value")
    try:
        if key in _DECIMAL_KEYS:
            return settings.parse_multiplier(raw, key)
        if key == "resolution":
            return settings.parse_resolution(raw)
        if key == "rounding":
            return settings.parse_rounding(raw)
        if key == "repeat_multiplier":
            return settings.parse_repeat_multiplier(raw)
        maximum = settings.MAX_DEPTH_MULTIPLIER if key == "depth_multiplier" \
            else settings.MAX_CHANNELS
        return settings.parse_count(raw, key.replace("_", " "), maximum)
    except ConfigError as exc:
        raise _bad(text, str(exc)) from None


def parse_side(text: str) -> Side:
    """Parse ``NAME[@key=value,...]`` (see the module docstring); bad syntax raises ConfigError."""
    text = str(text).strip()
    if not text:
        raise _bad(text, "empty model")
    if path_kind(text) == "file":
        name, settings = text, None
    else:
        name, at, rest = text.rpartition("@")
        name, settings = (name, rest) if at else (text, None)
        if at and not rest.strip():
            raise _bad(text, "nothing after '@'")
    spec, variant = _split_name(text, name.strip())
    values: dict[str, Any] = {}
    if settings is not None:
        for item in settings.split(","):
            item = item.strip()
            if not item:
                raise _bad(text, "an empty setting between commas")
            key, eq, raw = item.partition("=")
            key = key.strip().replace("-", "_")
            if not eq:
                raise _bad(text, f"expected key=value, got {item!r}")
            if key not in SIDE_KEYS:
                raise _bad(text, f"unknown key {key!r}{did_you_mean(key, list(SIDE_KEYS))}; "
                                 f"keys: {', '.join(SIDE_KEYS)}")
            if key in values:
                raise _bad(text, f"{key} is given twice")
            values[key] = _value(text, key, raw.strip())
    if "resolution" in values and "rho" in values:
        raise _bad(text, "give either resolution or rho, not both")
    return Side(text=text, spec=spec, variant=variant, **values)


def resolve_side(side: Side, shared_spec: str | None, shared: Mapping[str, Any],
                 cache: dict) -> Any:
    """The Network a side names: its own spec (or the shared ``--spec``), variant and
    settings; ``cache`` keeps each spec file loaded once. A bare built-in spec name that is
    not a variant of the shared spec means that spec with its default variant."""
    from mncost.core import spec as spec_module

    def load(source: str | None):
        if source not in cache:
            cache[source] = spec_module.load(source)
        return cache[source]

    model_spec = load(side.spec if side.spec is not None else shared_spec)
    kwargs = side.resolve_kwargs(shared)
    if (side.spec is None and side.variant not in model_spec.variant_names
            and spec_module.is_builtin(str(side.variant))):
        model_spec, kwargs["variant"] = load(side.variant), None
    return spec_module.resolve(model_spec, **kwargs)


# -- alignment ------------------------------------------------------------------------------

STATUSES = ("same", "changed", "separable_vs_standard", "different", "only_a", "only_b")


def group_key(name: str) -> str:
    """The alignment key of a layer: its name up to the first dot (``block3.dw`` → ``block3``)."""
    return name.split(".", 1)[0]


def _groups(report: Report) -> list[tuple[str, tuple[LayerReport, ...]]]:
    groups: dict[str, list[LayerReport]] = {}
    for lr in report.layers:
        groups.setdefault(group_key(lr.name), []).append(lr)
    return [(key, tuple(layers)) for key, layers in groups.items()]


def align_keys(keys_a: list[str], keys_b: list[str]) -> list[tuple[int | None, int | None]]:
    """Pair positions of two key sequences: equal keys together, one-sided keys alone.

    Unmatched runs facing each other (a ``replace`` of SequenceMatcher) are paired in order.
    """
    matcher = difflib.SequenceMatcher(a=keys_a, b=keys_b, autojunk=False)
    pairs: list[tuple[int | None, int | None]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pairs.extend(zip(range(i1, i2), range(j1, j2)))
            continue
        a_run, b_run = list(range(i1, i2)), list(range(j1, j2))
        common = min(len(a_run), len(b_run))
        pairs.extend(zip(a_run[:common], b_run[:common]))
        pairs.extend((i, None) for i in a_run[common:])
        pairs.extend((None, j) for j in b_run[common:])
    return pairs


@dataclass(frozen=True)
class SeparableRatio:
    """A depthwise separable pair against the standard conv it replaces.

    ``actual`` is separable mult-adds / standard mult-adds, exactly; ``theory`` is the paper's
    ``1/N + 1/D_K²`` with ``N`` the pointwise conv's output channels and ``D_K`` the depthwise
    kernel. ``shapes_match`` says whether the layers meet the formula's assumptions: the same
    input (H×W×M) on both sides, the same kernel, a depthwise conv without channel multiplier
    whose output has the standard conv's spatial size, and the same final output (H'×W'×N).
    When they do, ``actual == theory`` exactly, at any stride: the depthwise conv carries the
    stride and the pointwise conv runs at the output resolution, as the standard conv's output
    does, so ``D_F`` in the formula is the output size on both sides.
    """

    separable_side: str  # "a" or "b"
    actual: Fraction
    n: int
    kernel: int
    shapes_match: bool

    @property
    def theory(self) -> Fraction:
        kh, kw = pair(self.kernel)
        return Fraction(1, self.n) + Fraction(1, kh * kw)

    @property
    def agree(self) -> bool:
        return self.actual == self.theory


def separable_ratio(standard: LayerReport, dw: LayerReport, pw: LayerReport,
                    separable_side: str) -> SeparableRatio:
    conv, depthwise, pointwise = standard.layer, dw.layer, pw.layer
    shapes_match = (
        conv.input_shape == depthwise.input_shape
        and conv.kernel == depthwise.kernel
        and depthwise.output_shape.c == depthwise.input_shape.c
        and depthwise.output_shape[:2] == conv.output_shape[:2]
        and pointwise.input_shape == depthwise.output_shape
        and pointwise.output_shape == conv.output_shape
    )
    return SeparableRatio(separable_side=separable_side,
                          actual=Fraction(dw.mult_adds + pw.mult_adds, standard.mult_adds),
                          n=pointwise.output_shape.c, kernel=depthwise.kernel,
                          shapes_match=shapes_match)


def ratio(a: int, b: int) -> Fraction | None:
    """``a / b`` exactly, or None when it is undefined (``b`` is 0)."""
    return Fraction(a, b) if b else None


@dataclass(frozen=True)
class AlignedRow:
    """One row of the aligned view: a layer (or a group of layers) of A against B's.

    ``a`` / ``b`` are empty when the row is missing on that side.
    """

    name: str
    status: str
    a: tuple[LayerReport, ...]
    b: tuple[LayerReport, ...]
    separable: SeparableRatio | None = None

    @property
    def a_mult_adds(self) -> int | None:
        return sum(lr.mult_adds for lr in self.a) if self.a else None

    @property
    def b_mult_adds(self) -> int | None:
        return sum(lr.mult_adds for lr in self.b) if self.b else None

    @property
    def a_params(self) -> int | None:
        return sum(lr.params for lr in self.a) if self.a else None

    @property
    def b_params(self) -> int | None:
        return sum(lr.params for lr in self.b) if self.b else None

    @property
    def mult_adds_ratio(self) -> Fraction | None:
        """A / B mult-adds; None when a side is missing or B costs nothing."""
        if not self.a or not self.b:
            return None
        return ratio(self.a_mult_adds or 0, self.b_mult_adds or 0)

    @property
    def params_ratio(self) -> Fraction | None:
        if not self.a or not self.b:
            return None
        return ratio(self.a_params or 0, self.b_params or 0)


def _same(a: LayerReport, b: LayerReport) -> bool:
    return (a.kind == b.kind and a.input_shape == b.input_shape
            and a.output_shape == b.output_shape and a.mult_adds == b.mult_adds
            and a.params == b.params)


def _pair_name(a: str, b: str) -> str:
    return a if a == b else f"{a} ↔ {b}"


def _rows_for(key_a: str | None, group_a: tuple[LayerReport, ...], key_b: str | None,
              group_b: tuple[LayerReport, ...]) -> list[AlignedRow]:
    if not group_b:
        return [AlignedRow(lr.name, "only_a", (lr,), ()) for lr in group_a]
    if not group_a:
        return [AlignedRow(lr.name, "only_b", (), (lr,)) for lr in group_b]
    kinds_a = tuple(lr.kind for lr in group_a)
    kinds_b = tuple(lr.kind for lr in group_b)
    if kinds_a == kinds_b:
        return [AlignedRow(_pair_name(a.name, b.name), "same" if _same(a, b) else "changed",
                           (a,), (b,)) for a, b in zip(group_a, group_b)]
    name = _pair_name(key_a or "", key_b or "")
    if kinds_a == ("conv",) and kinds_b == ("dw", "pw"):
        return [AlignedRow(name, "separable_vs_standard", group_a, group_b,
                           separable_ratio(group_a[0], group_b[0], group_b[1], "b"))]
    if kinds_a == ("dw", "pw") and kinds_b == ("conv",):
        return [AlignedRow(name, "separable_vs_standard", group_a, group_b,
                           separable_ratio(group_b[0], group_a[0], group_a[1], "a"))]
    return [AlignedRow(name, "different", group_a, group_b)]


def align(report_a: Report, report_b: Report) -> tuple[AlignedRow, ...]:
    """The aligned rows of two reports (the rule is in the module docstring)."""
    groups_a, groups_b = _groups(report_a), _groups(report_b)
    rows: list[AlignedRow] = []
    for i, j in align_keys([k for k, _ in groups_a], [k for k, _ in groups_b]):
        key_a, group_a = groups_a[i] if i is not None else (None, ())
        key_b, group_b = groups_b[j] if j is not None else (None, ())
        rows.extend(_rows_for(key_a, group_a, key_b, group_b))
    return tuple(rows)


# -- totals ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class TotalRow:
    """One total of A against B: the difference is ``b - a``, the ratio ``a / b``."""

    key: str
    label: str
    a: int
    b: int
    countable: bool  # "fewer"/"more" (counts) or "less"/"more" (memory)

    @property
    def difference(self) -> int:
        return self.b - self.a

    @property
    def ratio(self) -> Fraction | None:
        return ratio(self.a, self.b)

    @property
    def words(self) -> str:
        return ratio_words(self.a, self.b, self.label, countable=self.countable)


def ratio_words(a: int, b: int, noun: str, *, countable: bool = True) -> str:
    """B against A in words: ``8.6× fewer mult-adds``, ``12.5% more params``, ``same``.

    At least 1.5× apart the factor is given, else the percentage of A.
    """
    if a == b:
        return f"same {noun}"
    if a == 0:
        return f"{noun}: none in A"
    if b == 0:
        return f"no {noun}"
    less = "fewer" if countable else "less"
    if b < a:
        if a >= Fraction(3, 2) * b:
            return f"{_factor(Fraction(a, b))}× {less} {noun}"
        return f"{100 * float(Fraction(a - b, a)):.1f}% {less} {noun}"
    if b >= Fraction(3, 2) * a:
        return f"{_factor(Fraction(b, a))}× more {noun}"
    return f"{100 * float(Fraction(b - a, a)):.1f}% more {noun}"


def _factor(value: Fraction) -> str:
    number = float(value)
    return f"{number:,.0f}" if number >= 100 else f"{number:.1f}"


@dataclass(frozen=True)
class Comparison:
    """Two reports, their aligned rows and their totals."""

    a: Report
    b: Report
    rows: tuple[AlignedRow, ...]

    @property
    def totals(self) -> tuple[TotalRow, ...]:
        a, b = self.a, self.b
        return (
            TotalRow("mult_adds", "mult-adds", a.mult_adds, b.mult_adds, True),
            TotalRow("params", "params", a.params, b.params, True),
            TotalRow("weight_bytes", "weight memory", a.weight_bytes, b.weight_bytes, False),
            TotalRow("peak_activation_bytes", "peak activation memory",
                     a.peak_activation_bytes, b.peak_activation_bytes, False),
        )

    @property
    def separable_rows(self) -> tuple[AlignedRow, ...]:
        return tuple(row for row in self.rows if row.separable is not None)


def compare(report_a: Report, report_b: Report) -> Comparison:
    """Align two reports and total them; both should use the same params convention."""
    if report_a.params_convention != report_b.params_convention:
        raise ConfigError("both sides must count parameters under the same convention, got "
                          f"{report_a.params_convention} and {report_b.params_convention}")
    return Comparison(a=report_a, b=report_b, rows=align(report_a, report_b))


def group_shapes(layers: tuple[LayerReport, ...]) -> tuple[Shape, Shape] | None:
    """(input of the first layer, output of the last) or None for a missing side."""
    if not layers:
        return None
    return layers[0].input_shape, layers[-1].output_shape
