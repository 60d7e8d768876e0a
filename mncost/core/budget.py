"""Model budgets: a YAML file of limits per model configuration, checked against Reports.

Pure core: reads YAML through ``yamlio`` (every problem a ``BudgetError`` naming file, line and
field), resolves each entry's model with ``spec``, costs it with ``engine``, and compares. It
never prints and never imports rich or torch; ``mncost.commands.check`` renders the results.

The file (docs/check.md documents it key by key)::

    defaults:                 # optional; any model key below, plus tolerance
      tolerance: 0.5          # percent a metric may grow past its baseline
    budgets:
      - name: mobilenet-0.5-160
        spec: nets/mine.yaml  # optional: relative to this file; default the built-in one
        variant: separable
        alpha: 0.5
        resolution: 160       # or rho: 0.714
        params_convention: trainable
        dtype: float32
        limits:
          mult_adds: 80M
          params: {max: 1.4M, level: warn, tolerance: 0}
          weight_bytes: 6 MiB
          peak_activation_bytes: 1.5 MiB

Quantities are exact. A limit is an int, a YAML float, or a string: a decimal number
(``1.4``, ``4.2e6``, ``1_000``) and an optional unit. Count units multiply by powers of ten
(``K``/``k`` 10³, ``M`` 10⁶, ``G`` 10⁹, ``T`` 10¹²) and fit every metric; byte units fit only
the ``*_bytes`` metrics (``B``; ``kB``/``KB``, ``MB``, ``GB``, ``TB`` powers of 1000; ``KiB``,
``MiB``, ``GiB``, ``TiB`` powers of 1024). The value is computed exactly (``"1.4M"`` is
1,400,000, not a float near it); a value that is not a whole number is rounded *down*
(``"1.2345678M"`` is 1,234,567), which is exactly equivalent to comparing the integer count
with the unrounded value. Zero, negative, NaN, infinite and boolean values are refused.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from mncost.core import costing as engine
from mncost.core import settings
from mncost.core import spec as spec_module
from mncost.core.costing import DEFAULT_DTYPE, DEFAULT_PARAMS, DTYPE_BYTES, PARAMS_CONVENTIONS, Report
from mncost.core.errors import BudgetError, ConfigError, MncostError, SpecError
from mncost.core.fileio import write_atomically
from mncost.core.ir import Network
from mncost.core.yamlio import (Located, describe_value, did_you_mean, load_file, path_kind,
                                read_text)

# The peer tools' totals (``mncost table --count-as TOOL``) are budgetable too, so a team whose
# dashboards speak fvcore or torch FLOPs can keep those numbers under a limit.
PRESET_METRICS = ("count_as_fvcore", "count_as_torch", "count_as_ptflops",
                  "count_as_ptflops_aten", "count_as_thop", "count_as_torchinfo",
                  "count_as_calflops")
METRICS = ("mult_adds", "params", "weight_bytes", "peak_activation_bytes") + PRESET_METRICS
BYTE_METRICS = ("weight_bytes", "peak_activation_bytes")
LEVELS = ("error", "warn")

COUNT_UNITS: dict[str, int] = {"": 1, "K": 10**3, "k": 10**3, "M": 10**6, "G": 10**9,
                               "T": 10**12}
BYTE_UNITS: dict[str, int] = {
    "B": 1, "kB": 10**3, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12,
    "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40,
}
# Far beyond any real network (10²⁴ is a yotta); refusing more keeps "1e999999" from
# materialising a million-digit int.
MAX_QUANTITY = 10**24
MAX_BUDGETS = 1000
MAX_TOLERANCE = Fraction(10**6)

BASELINE_FORMAT = 1

MODEL_KEYS = ["spec", "torch", "variant", "alpha", "resolution", "rho", "depth_multiplier",
              "min_channels", "repeat_multiplier", "params_convention", "dtype"]

# ``torch: MODULE:CALLABLE`` entries: (target, (height, width)) → ModelSpec. The core never
# imports torch; the command passes the importer in (``load(..., torch_spec=...)``).
TorchSpecLoader = Callable[[str, "tuple[int, int]"], "spec_module.ModelSpec"]
DEFAULT_KEYS = MODEL_KEYS + ["tolerance"]
ENTRY_KEYS = ["name"] + MODEL_KEYS + ["tolerance", "limits"]
LIMIT_KEYS = ["max", "level", "tolerance"]
TOP_KEYS = ["defaults", "budgets"]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")
_DIGITS = r"[0-9](?:_?[0-9])*"
_QUANTITY = re.compile(
    rf"^(?P<sign>[+-]?)(?P<number>{_DIGITS}(?:\.(?:{_DIGITS})?)?|\.{_DIGITS})"
    r"(?:[eE](?P<exponent>[+-]?[0-9]+))?\s*(?P<unit>[A-Za-z]*)$")
_PERCENT = re.compile(rf"^(?P<number>{_DIGITS}(?:\.(?:{_DIGITS})?)?|\.{_DIGITS})\s*%?$")


# -- quantities ---------------------------------------------------------------------------------

def parse_quantity(value: object, metric: str = "mult_adds") -> int:
    """An exact positive int from ``80000000``, ``"80M"``, ``"1.4M"``, ``"2 MiB"``, ``"4.2e6"``.

    Raises ``ValueError`` with a message meant for the user. Non-integral values round down.
    """
    bytes_ok = metric in BYTE_METRICS
    if isinstance(value, bool) or value is None or not isinstance(value, (int, float, str)):
        raise ValueError("must be a number or a string like \"80M\", got "
                         f"{describe_value(value)}")
    if isinstance(value, int):
        exact = Fraction(value)
        text = str(value)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"must be a finite number, got {value}")
        exact = Fraction(Decimal(repr(value)))
        text = repr(value)
    else:
        text = value.strip()
        exact = _parse_quantity_text(text, bytes_ok)
    if exact < 0:
        raise ValueError(f"must not be negative, got {text}")
    if exact == 0:
        raise ValueError(f"must be greater than 0, got {text}")
    if exact > MAX_QUANTITY:
        raise ValueError(f"is unreasonably large (more than 10^24), got {text}")
    result = exact.numerator // exact.denominator  # floor: count <= x  <=>  count <= floor(x)
    if result < 1:
        raise ValueError(f"must be at least 1 once rounded down to a whole number, got {text}")
    return result


def _parse_quantity_text(text: str, bytes_ok: bool) -> Fraction:
    match = _QUANTITY.match(text)
    if not match:
        lowered = text.lower().lstrip("+-")
        if lowered in ("nan", "inf", "infinity", ".nan", ".inf"):
            raise ValueError(f"must be a finite number, got {text!r}")
        raise ValueError(f"must be a number with an optional unit, like \"80M\", \"1.4M\", "
                         f"\"2 MiB\" or \"4.2e6\", got {text!r}")
    unit = match.group("unit")
    if unit in BYTE_UNITS and unit not in COUNT_UNITS:
        if not bytes_ok:
            hint = " (write \"G\" for 10^9)" if unit == "B" else ""
            raise ValueError(f"{unit!r} is a byte unit, only for {' and '.join(BYTE_METRICS)}"
                             f"{hint}; count units: K, M, G, T")
        scale = BYTE_UNITS[unit]
    elif unit in COUNT_UNITS:
        scale = COUNT_UNITS[unit]
    else:
        known = [u for u in COUNT_UNITS if u] + (list(BYTE_UNITS) if bytes_ok else [])
        same_letters = [u for u in known if u.lower() == unit.lower()]
        hint = f" (did you mean {same_letters[0]!r}?)" if same_letters else \
            did_you_mean(unit, known)
        raise ValueError(f"unknown unit {unit!r}{hint}; units: {', '.join(known)}")
    exponent = int(match.group("exponent") or 0)
    if abs(exponent) > 100:
        raise ValueError(f"exponent out of range, got {text!r}")
    try:
        number = Fraction(Decimal(match.group("number").replace("_", "")))
    except InvalidOperation:  # the regex admits only decimals; kept for safety
        raise ValueError(f"must be a number, got {text!r}") from None
    number *= Fraction(10) ** exponent
    if match.group("sign") == "-":
        number = -number
    return number * scale


def parse_percent(value: object) -> Fraction:
    """A tolerance in percent, exact: ``0.5``, ``2``, ``"1.5%"``. Must be >= 0 and finite."""
    if isinstance(value, bool) or value is None or not isinstance(value, (int, float, str)):
        raise ValueError("must be a percentage like 0.5 or \"0.5%\", got "
                         f"{describe_value(value)}")
    if isinstance(value, int):
        result = Fraction(value)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"must be a finite percentage, got {value}")
        result = Fraction(Decimal(repr(value)))
    else:
        text = value.strip()
        if text.startswith("-"):
            raise ValueError(f"must not be negative, got {text!r}")
        match = _PERCENT.match(text)
        if not match:
            raise ValueError(f"must be a percentage like 0.5 or \"0.5%\", got {text!r}")
        result = Fraction(Decimal(match.group("number").replace("_", "")))
    if result < 0:
        raise ValueError(f"must not be negative, got {value}")
    if result > MAX_TOLERANCE:
        raise ValueError(f"must be at most {MAX_TOLERANCE} percent, got {value}")
    return result


# -- the budget file ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Limit:
    """One metric's limit in one entry, with where it was written."""

    metric: str
    max: int
    level: str
    tolerance: Fraction
    text: str          # the limit as written ("80M"), for messages
    line: int | None   # line of the limit's value in the budget file
    field: str         # e.g. budgets[0].limits.mult_adds


@dataclass(frozen=True)
class ModelConfig:
    """What identifies an entry's model; recorded in the baseline so a change can be noted."""

    spec: str | None
    variant: str
    alpha: float
    resolution: int
    depth_multiplier: int
    min_channels: int
    params_convention: str
    dtype: str

    def as_dict(self) -> dict[str, Any]:
        return {"spec": self.spec, "variant": self.variant, "alpha": self.alpha,
                "resolution": self.resolution, "depth_multiplier": self.depth_multiplier,
                "min_channels": self.min_channels,
                "params_convention": self.params_convention, "dtype": self.dtype}


@dataclass(frozen=True)
class BudgetEntry:
    """One named model configuration and its limits, validated and resolved."""

    name: str
    line: int | None
    index: int
    config: ModelConfig
    network: Network
    limits: tuple[Limit, ...]


@dataclass(frozen=True)
class BudgetFile:
    source: str        # the path as shown in messages
    entries: tuple[BudgetEntry, ...]


def load(path: str | os.PathLike, display: str | None = None, *,
         torch_spec: TorchSpecLoader | None = None) -> BudgetFile:
    """Read, validate and resolve a budget file; any problem is a ``BudgetError``.
    ``torch_spec`` reads entries that name ``torch: MODULE:CALLABLE``."""
    try:
        doc, shown = load_file(path, display)
    except BudgetError:
        raise
    except SpecError as exc:  # yamlio speaks SpecError; a budget's problems are BudgetErrors
        raise BudgetError(exc.message, file=exc.file, line=exc.line, field=exc.field) from None
    return parse(doc, shown, base_dir=Path(path).parent, torch_spec=torch_spec)


def parse(doc: object, source: str, base_dir: str | os.PathLike = ".", *,
          torch_spec: TorchSpecLoader | None = None) -> BudgetFile:
    """Validate a parsed YAML document (from ``yamlio.load_yaml``) into a BudgetFile."""
    try:
        return _Parser(source, Path(base_dir), torch_spec).parse(doc)
    except BudgetError:
        raise
    except SpecError as exc:
        if exc.file == source:  # raised by Located on the budget file itself
            raise BudgetError(exc.message, file=exc.file, line=exc.line,
                              field=exc.field) from None
        raise  # a problem inside a referenced spec file: its own file and line


class _Parser:
    def __init__(self, source: str, base_dir: Path,
                 torch_spec: TorchSpecLoader | None = None) -> None:
        self.source = source
        self.base_dir = base_dir
        self.torch_spec = torch_spec
        self.specs: dict[str, spec_module.ModelSpec] = {}
        self.networks: dict[tuple, Network] = {}

    def parse(self, doc: object) -> BudgetFile:
        root = Located(doc, self.source)
        if doc is None:
            raise BudgetError("is empty, expected a mapping with a 'budgets' list",
                              file=self.source)
        root.mapping(TOP_KEYS)
        defaults = root.get("defaults", {})
        if defaults.value is None:
            defaults = Located({}, self.source, "defaults", defaults.line)
        defaults.mapping(DEFAULT_KEYS)
        items = root.get("budgets", required=True).sequence(allow_empty=False)
        if len(items) > MAX_BUDGETS:
            raise root.get("budgets").error(f"more than {MAX_BUDGETS} entries")
        entries: list[BudgetEntry] = []
        seen: dict[str, int] = {}
        for index, item in enumerate(items):
            entry = self.entry(item, index, defaults)
            if entry.name in seen:
                raise item.get("name").error(
                    f"duplicate budget name {entry.name!r} (first on line {seen[entry.name]})")
            seen[entry.name] = entry.line or 0
            entries.append(entry)
        return BudgetFile(source=self.source, entries=tuple(entries))

    def setting(self, item: Located, defaults: Located, key: str) -> Located | None:
        """The entry's own value for ``key``, else the default's, else None."""
        if item.has(key):
            return item.get(key)
        if defaults.has(key):
            return defaults.get(key)
        return None

    def entry(self, item: Located, index: int, defaults: Located) -> BudgetEntry:
        item.mapping(ENTRY_KEYS)
        name_node = item.get("name", required=True)
        name = name_node.string()
        if len(name) > 100 or not _NAME.match(name):
            raise name_node.error("must start with a letter or digit and use only letters, "
                                  f"digits, '_', '.', '-' (at most 100), got {name!r}")

        spec_node = self.setting(item, defaults, "spec")
        torch_node = self.setting(item, defaults, "torch")
        if torch_node is not None and item.has("spec"):
            raise item.get("spec").error("give either spec or torch, not both")
        if torch_node is not None and not item.has("spec"):
            spec_text, model_spec = self.torch_model(torch_node, item, defaults)
        else:
            spec_text, model_spec = self.model_spec(spec_node)

        variant_node = self.setting(item, defaults, "variant")
        variant = model_spec.default_variant
        if variant_node is not None:
            variant = variant_node.string()
            if variant not in model_spec.variant_names:
                raise variant_node.error(
                    f"unknown variant {variant!r}{did_you_mean(variant, list(model_spec.variant_names))}"
                    f"; {model_spec.source} declares: {', '.join(model_spec.variant_names)}")

        alpha_node = self.setting(item, defaults, "alpha")
        alpha: Fraction | None = None  # the spec's own (mnasnet0_5: 0.5)
        if alpha_node is not None:
            alpha = _positive_fraction(alpha_node, "alpha")
        repeats_node = self.setting(item, defaults, "repeat_multiplier")
        repeats = None if repeats_node is None else \
            _setting(repeats_node, settings.parse_repeat_multiplier)

        # resolution and rho are one setting: an entry giving either replaces both defaults.
        scope = item if (item.has("resolution") or item.has("rho")) else defaults
        resolution_node = scope.get("resolution") if scope.has("resolution") else None
        rho_node = scope.get("rho") if scope.has("rho") else None
        if resolution_node is not None and rho_node is not None:
            raise rho_node.error("give either resolution or rho, not both")
        resolution = None if resolution_node is None else \
            _setting(resolution_node, settings.parse_resolution)
        rho = None if rho_node is None else _positive_fraction(rho_node, "rho")

        dm_node = self.setting(item, defaults, "depth_multiplier")
        depth_multiplier = 1 if dm_node is None else _setting(
            dm_node, lambda v: settings.parse_count(v, "depth multiplier",
                                                    settings.MAX_DEPTH_MULTIPLIER))
        mc_node = self.setting(item, defaults, "min_channels")
        min_channels = 1 if mc_node is None else _setting(
            mc_node, lambda v: settings.parse_count(v, "min channels", settings.MAX_CHANNELS))

        conv_node = self.setting(item, defaults, "params_convention")
        convention = DEFAULT_PARAMS if conv_node is None else \
            conv_node.string(choices=list(PARAMS_CONVENTIONS))
        dtype_node = self.setting(item, defaults, "dtype")
        dtype = DEFAULT_DTYPE if dtype_node is None else \
            dtype_node.string(choices=list(DTYPE_BYTES))

        tolerance_node = self.setting(item, defaults, "tolerance")
        tolerance = Fraction(0) if tolerance_node is None else _percent(tolerance_node)

        # Entries that name one model share one resolved network (a thousand budgets on one
        # large spec resolve it once, and hold it once).
        key = (id(model_spec), variant, alpha, resolution, rho, depth_multiplier, min_channels,
               repeats)
        network = self.networks.get(key)
        if network is None:
            try:
                network = spec_module.resolve(model_spec, variant=variant, alpha=alpha,
                                              resolution=resolution, rho=rho,
                                              depth_multiplier=depth_multiplier,
                                              min_channels=min_channels,
                                              repeat_multiplier=repeats)
            except ConfigError as exc:
                where = resolution_node or rho_node or alpha_node or repeats_node or item
                raise where.error(str(exc)) from None
            self.networks[key] = network

        limits_node = item.get("limits", required=True)
        limits_node.mapping()
        if not limits_node.value:
            raise limits_node.error("must set at least one of: " + ", ".join(METRICS))
        limits = tuple(self.limit(metric, node, tolerance)
                       for metric, node in limits_node.items())

        config = ModelConfig(spec=spec_text, variant=network.variant, alpha=network.alpha,
                             resolution=network.resolution, depth_multiplier=depth_multiplier,
                             min_channels=min_channels, params_convention=convention,
                             dtype=dtype)
        return BudgetEntry(name=name, line=item.line, index=index, config=config,
                           network=network, limits=limits)

    def torch_model(self, node: Located, item: Located,
                    defaults: Located) -> tuple[str, spec_module.ModelSpec]:
        """A ``torch: MODULE:CALLABLE`` entry: the model imported at the entry's resolution
        (224 when it gives none; a ``rho`` scales that)."""
        target = node.string()
        scope = item if item.has("resolution") or item.has("rho") else defaults
        size = (224, 224)
        if scope.has("resolution"):
            size = _setting(scope.get("resolution"), settings.parse_resolution)
        key = f"torch:{target}@{size[0]}x{size[1]}"
        if key not in self.specs:
            if self.torch_spec is None:
                raise node.error("torch: entries need the 'verify' extra (torch): "
                                 "pip install 'mncost[verify]'")
            try:
                self.specs[key] = self.torch_spec(target, size)
            except MncostError as exc:
                raise node.error(str(exc)) from None
        return f"torch:{target}", self.specs[key]

    def model_spec(self, node: Located | None) -> tuple[str | None, spec_module.ModelSpec]:
        if node is None or node.value is None:
            key = "<built-in>"
            if key not in self.specs:
                self.specs[key] = spec_module.load(None)
            return None, self.specs[key]
        text = node.string()
        candidate = self.base_dir / text
        if text in spec_module.BUILTIN_SPECS and path_kind(candidate) is None:
            if text not in self.specs:
                self.specs[text] = spec_module.load(text)
            return text, self.specs[text]
        shown = os.path.normpath(str(candidate))
        if path_kind(candidate) is None:
            raise node.error(f"no such spec file: {shown} (paths are relative to the budget "
                             f"file; built-in specs: {', '.join(spec_module.BUILTIN_SPECS)})")
        if path_kind(candidate) == "dir":
            raise node.error(f"is a directory, expected a spec file: {shown}")
        if shown not in self.specs:
            self.specs[shown] = spec_module.load(shown)
        return text, self.specs[shown]

    def limit(self, metric: Any, node: Located, tolerance: Fraction) -> Limit:
        if metric not in METRICS:
            raise node.error(f"unknown metric{did_you_mean(str(metric), list(METRICS))}; "
                             f"expected one of: {', '.join(METRICS)}")
        level = "error"
        value_node = node
        if isinstance(node.value, dict):
            node.mapping(LIMIT_KEYS)
            value_node = node.get("max", required=True)
            level = node.get("level", "error").string(choices=list(LEVELS))
            if node.has("tolerance"):
                tolerance = _percent(node.get("tolerance"))
        try:
            maximum = parse_quantity(value_node.value, metric)
        except ValueError as exc:
            raise value_node.error(str(exc)) from None
        text = value_node.value.strip() if isinstance(value_node.value, str) \
            else str(value_node.value)
        return Limit(metric=metric, max=maximum, level=level, tolerance=tolerance, text=text,
                     line=value_node.line, field=value_node.path)


def _setting(node: Located, parse) -> Any:
    """A model setting read by the one rule every command uses (``core.settings``), its
    problem reported at the budget file's line."""
    if isinstance(node.value, (dict, list)) and parse is not settings.parse_resolution:
        raise node.error(f"must be a number, got {describe_value(node.value)}")
    try:
        return parse(node.value)
    except ConfigError as exc:
        raise node.error(str(exc)) from None


def _positive_fraction(node: Located, what: str) -> Fraction:
    value = node.value
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise node.error(f"must be a number, got {describe_value(value)}")
    return _setting(node, lambda v: settings.parse_multiplier(v, what))


def _percent(node: Located) -> Fraction:
    try:
        return parse_percent(node.value)
    except ValueError as exc:
        raise node.error(str(exc)) from None


# -- baselines ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class BaselineEntry:
    config: dict[str, Any]
    metrics: dict[str, int]


@dataclass(frozen=True)
class Baseline:
    source: str
    entries: dict[str, BaselineEntry] = field(default_factory=dict)


def load_baseline(path: str | os.PathLike) -> Baseline:
    """Read a baseline JSON file written by ``baseline_json``; problems are BudgetErrors."""
    shown = str(path)
    try:
        text = read_text(path, shown)
    except SpecError as exc:
        raise BudgetError(exc.message, file=exc.file, line=exc.line, field=exc.field) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BudgetError(f"invalid JSON: {exc.msg}", file=shown, line=exc.lineno) from None
    except RecursionError:
        raise BudgetError("invalid JSON: nested too deeply", file=shown) from None

    def bad(message: str, where: str | None = None) -> BudgetError:
        return BudgetError(message + "; delete it and rerun with --update-baseline",
                           file=shown, field=where)

    if not isinstance(data, dict) or data.get("mncost_baseline") != BASELINE_FORMAT:
        raise bad(f"is not an mncost baseline (expected \"mncost_baseline\": {BASELINE_FORMAT})")
    raw_entries = data.get("entries")
    if not isinstance(raw_entries, dict):
        raise bad("must be a mapping of budget names", "entries")
    entries: dict[str, BaselineEntry] = {}
    for name, raw in raw_entries.items():
        where = f"entries.{name}"
        if not isinstance(raw, dict):
            raise bad("must be a mapping", where)
        config = raw.get("model")
        if not isinstance(config, dict):
            raise bad("must be a mapping", f"{where}.model")
        metrics = raw.get("metrics")
        if not isinstance(metrics, dict):
            raise bad("must be a mapping", f"{where}.metrics")
        clean: dict[str, int] = {}
        for metric, value in metrics.items():
            if metric not in METRICS:
                raise bad(f"unknown metric; expected one of: {', '.join(METRICS)}",
                          f"{where}.metrics.{metric}")
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise bad(f"must be a non-negative integer, got {value!r}",
                          f"{where}.metrics.{metric}")
            clean[metric] = value
        entries[name] = BaselineEntry(config=config, metrics=clean)
    return Baseline(source=shown, entries=entries)


def baseline_json(results: "CheckResult") -> str:
    """The baseline file's text for a run: every metric of every entry, in budget order."""
    entries = {}
    for entry, report in zip(results.budget.entries, results.reports):
        used = [limit.metric for limit in entry.limits]
        entries[entry.name] = {"model": entry.config.as_dict(),
                               "metrics": metric_values(report, METRICS[:4] + tuple(used))}
    data = {"mncost_baseline": BASELINE_FORMAT,
            "note": "Accepted costs for `mncost check`; update with --update-baseline.",
            "entries": entries}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def write_atomic(path: str | os.PathLike, text: str) -> bool:
    """Replace ``path`` with ``text`` atomically (temporary file in the same directory, then
    ``os.replace``). Returns False, touching nothing, when the file already holds ``text``."""
    target = Path(path)
    data = text.encode("utf-8")
    try:
        if target.is_file() and target.read_bytes() == data:
            return False
    except OSError:
        pass
    try:
        write_atomically(target, lambda stream: stream.write(data))
    except OSError as exc:
        raise BudgetError(f"cannot write baseline: {exc.strerror or exc}",
                          file=str(path)) from None
    return True


# -- evaluation ---------------------------------------------------------------------------------

def metric_values(report: Report, metrics: Iterable[str] = METRICS[:4]) -> dict[str, int]:
    """Budgetable totals of a Report, as exact ints: the four of every run, and the peer
    tools' totals (``count_as_fvcore`` …: ``presets.count_as``) when asked for."""
    values = {"mult_adds": report.mult_adds, "params": report.params,
              "weight_bytes": report.weight_bytes,
              "peak_activation_bytes": report.peak_activation_bytes}
    for metric in metrics:
        if metric in PRESET_METRICS:
            from mncost.core import presets
            preset = metric.removeprefix("count_as_").replace("_", "-")
            values[metric] = presets.count_as(preset, report).total
    return values


@dataclass(frozen=True)
class MetricResult:
    """One entry × metric: the actual value against its limit and, if any, its baseline."""

    entry: BudgetEntry
    limit: Limit
    actual: int
    baseline: int | None
    growth_enforced: bool = True

    @property
    def name(self) -> str:
        return self.entry.name

    @property
    def metric(self) -> str:
        return self.limit.metric

    @property
    def level(self) -> str:
        return self.limit.level

    @property
    def within_limit(self) -> bool:
        return self.actual <= self.limit.max

    @property
    def headroom(self) -> Fraction:
        """Percent of the limit still unused; negative when exceeded."""
        return Fraction(100 * (self.limit.max - self.actual), self.limit.max)

    @property
    def growth(self) -> Fraction | None:
        """Percent change from the baseline; None without one (or from a zero baseline)."""
        if self.baseline is None or self.baseline == 0:
            return None
        return Fraction(100 * (self.actual - self.baseline), self.baseline)

    @property
    def within_tolerance(self) -> bool:
        """False when the metric grew past baseline + tolerance (exact arithmetic)."""
        if self.baseline is None:
            return True
        return 100 * self.actual <= self.baseline * (100 + self.limit.tolerance)

    @property
    def grew_past_tolerance(self) -> bool:
        return not self.within_tolerance

    @property
    def ok(self) -> bool:
        """The limit holds and, when enforced, so does the baseline tolerance."""
        return self.within_limit and (self.within_tolerance or not self.growth_enforced)

    @property
    def status(self) -> str:
        """``ok``; ``warn`` (a warn-level check did not hold); ``fail`` (an error-level one)."""
        if self.ok:
            return "ok"
        return "warn" if self.level == "warn" else "fail"

    @property
    def reason(self) -> str | None:
        """Why the result is not ok: ``limit`` (takes precedence) or ``growth``."""
        if self.ok:
            return None
        return "limit" if not self.within_limit else "growth"


@dataclass(frozen=True)
class CheckResult:
    budget: BudgetFile
    reports: tuple[Report, ...]
    results: tuple[MetricResult, ...]
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Every error-level limit (and enforced tolerance) holds; warnings do not count."""
        return all(r.status != "fail" for r in self.results)

    @property
    def failures(self) -> tuple[MetricResult, ...]:
        return tuple(r for r in self.results if r.status == "fail")

    @property
    def warnings(self) -> tuple[MetricResult, ...]:
        return tuple(r for r in self.results if r.status == "warn")


def evaluate_entry(entry: BudgetEntry, report: Report,
                   baseline: BaselineEntry | None = None, *,
                   enforce_growth: bool = True) -> tuple[MetricResult, ...]:
    """Compare one entry's Report with its limits (and baseline, when it matches the model)."""
    values = metric_values(report, [limit.metric for limit in entry.limits])
    results = []
    for limit in entry.limits:
        base = None if baseline is None else baseline.metrics.get(limit.metric)
        results.append(MetricResult(entry=entry, limit=limit, actual=values[limit.metric],
                                    baseline=base, growth_enforced=enforce_growth))
    return tuple(results)


def check(budget: BudgetFile, baseline: Baseline | None = None, *,
          enforce_growth: bool = True) -> CheckResult:
    """Analyse every entry and compare it with its limits and the baseline.

    ``enforce_growth=False`` (used by ``--update-baseline``) still reports growth but does
    not fail on it: updating a baseline is how growth is accepted.
    """
    reports, results, notes = [], [], []
    analysed: dict[tuple, Report] = {}  # one analysis per distinct network and convention
    for entry in budget.entries:
        key = (id(entry.network), entry.config.params_convention, entry.config.dtype)
        report = analysed.get(key)
        if report is None:
            report = analysed[key] = engine.analyze(
                entry.network, params=entry.config.params_convention, dtype=entry.config.dtype)
        base = None
        if baseline is not None:
            base = baseline.entries.get(entry.name)
            if base is None:
                notes.append(f"{entry.name}: not in the baseline yet (new budget)")
            elif base.config != entry.config.as_dict():
                # Still compared: a budget is judged by its name, and a changed resolution
                # or dtype that grows a metric is exactly what the baseline must catch.
                changed = sorted(k for k, v in entry.config.as_dict().items()
                                 if base.config.get(k) != v)
                notes.append(f"{entry.name}: the model configuration changed since the "
                             f"baseline ({', '.join(changed) or 'keys'}); compared by name")
        reports.append(report)
        results.extend(evaluate_entry(entry, report, base, enforce_growth=enforce_growth))
    shrunk = [r for r in results if r.baseline is not None and r.actual < r.baseline]
    if shrunk:
        notes.append(f"{len(shrunk)} metric(s) shrank below the baseline; --update-baseline "
                     "records the improvement")
    return CheckResult(budget=budget, reports=tuple(reports), results=tuple(results),
                       notes=tuple(notes))


def describe(result: MetricResult) -> str:
    """One sentence on a result, e.g. ``half mult_adds: 76,524,800 exceeds the error limit
    75,000,000 (75M) by 1,524,800 (2.0%)``."""
    head = f"{result.name} {result.metric}: {result.actual:,}"
    limit = f"{result.limit.max:,}"
    if result.limit.text.replace("_", "") != str(result.limit.max):
        limit += f" ({result.limit.text})"
    parts = []
    if not result.within_limit:
        over = result.actual - result.limit.max
        parts.append(f"{head} exceeds the {result.level} limit {limit} by {over:,} "
                     f"({format_percent(-result.headroom)})")
    if result.baseline is not None and result.grew_past_tolerance:
        grown = f"grew {format_percent(result.growth, signed=True)} from the baseline " \
            f"{result.baseline:,}" if result.growth is not None else \
            f"grew from the baseline {result.baseline:,}"
        tolerance = f"tolerance {float(result.limit.tolerance):g}%"
        accepted = "" if result.growth_enforced else " (accepted: updating the baseline)"
        parts.append((f"{head} {grown}, past its {tolerance}" if not parts
                      else f"and {grown}, past its {tolerance}") + accepted)
    if not parts:
        return f"{head} is within the limit {limit} ({format_percent(result.headroom)} headroom)"
    return " ".join(parts)


def format_percent(value: Fraction | None, *, signed: bool = False) -> str:
    """``12.3%``; never rounds a non-zero value to zero: ``<0.1%`` / ``-<0.1%``."""
    if value is None:
        return "-"
    sign = "+" if signed and value > 0 else ""
    if value != 0 and abs(value) < Fraction(1, 20):
        return f"{'-' if value < 0 else sign}<0.1%"
    return f"{sign}{float(value):.1f}%"


def results_by_entry(results: Iterable[MetricResult]) -> Mapping[str, list[MetricResult]]:
    grouped: dict[str, list[MetricResult]] = {}
    for result in results:
        grouped.setdefault(result.name, []).append(result)
    return grouped
