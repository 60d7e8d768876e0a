"""Costs over a grid of width multipliers α and input resolutions: the paper's trade-off surface.

Pure Python (no rich, torch or matplotlib). ``parse_alphas`` / ``parse_resolutions`` read the
command line's lists and ranges exactly; ``run`` costs every (α, resolution) pair of the grid.

**Lists and ranges.** ``1,0.75,0.5,0.25`` is a list, kept in the order given (a value written
twice is kept once). ``START:STOP:STEP`` is a range computed in exact fractions, never floats:
``0.25:1.0:0.05`` is 0.25, 0.30, …, 1.00 (16 values) and ``96:224:32`` is 96, 128, 160, 192,
224. ``STOP`` is included when it lands on the grid ``START + i·STEP`` and never overshot
(``96:200:32`` stops at 192). A negative step counts down (``224:128:-32``). ``START:STOP``
alone means step 1. Lists and ranges can be mixed: ``0.25,0.5:1:0.25``.

**Fast path.** Resolving and analysing 10,000 networks one by one costs about 0.2 ms each.
But in a Network every activation shape factors as ``(h·w from the resolution) × (c from α)``:
channel counts depend only on α and spatial sizes only on the resolution (and the variant).
So the sweep resolves the spec once per distinct α and once per distinct resolution, pairs the
two node lists by name, and prices each configuration from those factors. The factors are the
kinds' own: every kind states its cost as terms *channel part × spatial factor*
(``Kind.cost_terms``, which is also how the engine costs a node), so the channel parts come
from the α-network's nodes and the spatial factors from the resolution-network's. Peak memory
uses the same liveness sets as ``memory.peak`` (they depend on the graph only), each tensor's
elements being its pixels × its channels.

Every total is an exact Python int; ``tests/test_sweep.py`` checks the fast path against
``engine.analyze`` at many points, every parameter convention and dtype, and ``run`` checks
its first point against a full analysis on every call. A kind that breaks the factoring
(``flatten``: its channels grow with the resolution) sends the sweep to ``engine.analyze``
one configuration at a time instead (same results, slower).
"""

from __future__ import annotations

import json
import operator
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from pathlib import Path
from typing import Callable, Iterable, Iterator

from mncost.core import costing as engine
from mncost.core import spec as spec_module
from mncost.core.errors import ConfigError
from mncost.core import memory, settings
from mncost.core.ir import INPUT, Network
from mncost.core.kinds import kind, spatial_factor

# What `mncost sweep` uses when --alpha / --resolution are not given: the paper's grid
# (Tables 6 and 7, Figures 4 and 5).
PAPER_ALPHAS = "1,0.75,0.5,0.25"
PAPER_RESOLUTIONS = "224,192,160,128"

MAX_VALUES = 10_000         # per axis
MAX_CONFIGURATIONS = 1_000_000

ACCURACY_FILE = Path(__file__).parent.parent / "data" / "paper_accuracy.json"
FAMILY_ACCURACY_FILE = ACCURACY_FILE.with_name("family_accuracy.json")


# -- parsing ------------------------------------------------------------------------------------

def _number(text: str, what: str, whole: str) -> Fraction:
    text = text.strip()
    if not text:
        raise ConfigError(f"{what}: empty value in {whole!r}")
    try:
        return settings.parse_decimal(text, what)
    except ConfigError as exc:
        where = f" (in {whole!r})" if whole.strip() != text else ""
        if "out of range" in str(exc) or "characters" in str(exc):
            raise ConfigError(f"{what}: {text!r} is out of range{where}") from None
        raise ConfigError(f"{what}: {text!r} is not a number{where}") from None


def _range(part: str, what: str, whole: str) -> list[Fraction]:
    pieces = part.split(":")
    if len(pieces) not in (2, 3):
        raise ConfigError(f"{what}: range {part!r} must be START:STOP or START:STOP:STEP")
    start = _number(pieces[0], what, whole)
    stop = _number(pieces[1], what, whole)
    step = _number(pieces[2], what, whole) if len(pieces) == 3 else Fraction(1)
    if step == 0:
        raise ConfigError(f"{what}: range {part!r} has step 0")
    if (stop - start) * step < 0:
        direction = "up" if step > 0 else "down"
        raise ConfigError(f"{what}: range {part!r} counts {direction} from {pieces[0].strip()} "
                          f"but never reaches {pieces[1].strip()}")
    count = int((stop - start) / step) + 1  # exact: floor of a non-negative Fraction
    if count > MAX_VALUES:
        raise ConfigError(f"{what}: range {part!r} has {count:,} values; at most "
                          f"{MAX_VALUES:,} per axis")
    return [start + i * step for i in range(count)]


def parse_values(text: str, what: str) -> tuple[Fraction, ...]:
    """Comma-separated numbers and ``START:STOP[:STEP]`` ranges, as exact Fractions.

    Order is kept; repeated values are kept once. Raises ConfigError naming ``what``.
    """
    text = str(text)
    values: list[Fraction] = []
    seen: set[Fraction] = set()
    for part in text.split(","):
        new = _range(part, what, text) if ":" in part else [_number(part, what, text)]
        for value in new:
            if value not in seen:
                seen.add(value)
                values.append(value)
            if len(values) > MAX_VALUES:
                raise ConfigError(f"{what}: more than {MAX_VALUES:,} values")
    return tuple(values)


def parse_alphas(text: str) -> tuple[Fraction, ...]:
    """Width multipliers: every value must be greater than 0."""
    values = parse_values(text, "alpha")
    for value in values:
        if value <= 0 or value > settings.MAX_MULTIPLIER:
            raise ConfigError(f"alpha: every value must be greater than 0 and at most "
                              f"{settings.MAX_MULTIPLIER}, got {format_number(value)}")
    return values


def parse_resolutions(text: str) -> tuple[int, ...]:
    """Input resolutions in pixels: whole numbers from 1 to spec.MAX_RESOLUTION."""
    values = parse_values(text, "resolution")
    for value in values:
        if value.denominator != 1 or not 1 <= value <= spec_module.MAX_RESOLUTION:
            raise ConfigError(f"resolution: every value must be a whole number of pixels from "
                              f"1 to {spec_module.MAX_RESOLUTION}, got {format_number(value)}")
    return tuple(int(v) for v in values)


def parse_rhos(text: str, base: int | tuple[int, int]) -> tuple[int, ...]:
    """Resolution multipliers ρ, each turned into the resolution the flag ``--rho`` gives
    (``settings.scale_resolution``: round half up) for a square spec of side ``base``; two
    values that land on one resolution are kept once."""
    if not isinstance(base, int):
        raise ConfigError("rho: the spec's input is not square; give --resolution values "
                          "(HxW sweeps are not supported)")
    values = parse_values(text, "rho")
    resolutions: list[int] = []
    for value in values:
        if value <= 0 or value > settings.MAX_MULTIPLIER:
            raise ConfigError(f"rho: every value must be greater than 0 and at most "
                              f"{settings.MAX_MULTIPLIER}, got {format_number(value)}")
        size = settings.scale_resolution(base, value)
        if not 1 <= size <= spec_module.MAX_RESOLUTION:
            raise ConfigError(f"rho: {format_number(value)} gives {size} pixels from {base}; "
                              f"resolutions run from 1 to {spec_module.MAX_RESOLUTION}")
        if size not in resolutions:
            resolutions.append(size)
    return tuple(resolutions)


def format_number(value: Fraction) -> str:
    """Exact decimal text (``0.75``, ``1``) or ``p/q``: ``settings.format_decimal``."""
    return settings.format_decimal(value)


# -- the paper's accuracy -------------------------------------------------------------------------

@dataclass(frozen=True)
class PaperAccuracy:
    """ImageNet top-1 the paper reports for some configurations of one built-in spec."""

    spec: str
    variant: str
    citation: str
    top1: dict[tuple[Fraction, int], float]
    tables: dict[tuple[Fraction, int], str]

    def lookup(self, alpha: Fraction, resolution: int) -> float | None:
        return self.top1.get((alpha, resolution))


def load_paper_accuracy(path: Path = ACCURACY_FILE) -> PaperAccuracy:
    return _accuracy(json.loads(path.read_text(encoding="utf-8")))


def accuracy_for_spec(name: str | None) -> PaperAccuracy | None:
    """The published accuracies for built-in ``name`` (MobileNet v1: the paper's Tables 6–7;
    the family: ``family_accuracy.json``), or None."""
    if name is None:
        return None
    v1 = load_paper_accuracy()
    if name == v1.spec:
        return v1
    data = json.loads(FAMILY_ACCURACY_FILE.read_text(encoding="utf-8"))
    for source in data["sources"]:
        if source["spec"] == name:
            return _accuracy(source)
    return None


def _accuracy(data: dict) -> PaperAccuracy:
    top1, tables = {}, {}
    for entry in data["entries"]:
        key = (Fraction(entry["alpha"]), int(entry["resolution"]))
        top1[key] = float(entry["top1"])
        tables[key] = entry["table"]
    return PaperAccuracy(spec=data["spec"], variant=data["variant"], citation=data["citation"],
                         top1=top1, tables=tables)


# -- results ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SweepPoint:
    """One configuration's totals (the same numbers `mncost table` reports for it)."""

    alpha: Fraction
    resolution: int
    mult_adds: int
    params: int
    weight_bytes: int
    peak_activation_bytes: int
    top1_paper: float | None = None


@dataclass(frozen=True)
class Sweep:
    """Every (α, resolution) pair of a grid, α-major in the order the values were given.

    The points are computed when iterated (``iter_points``), so a million-point sweep can be
    written as it is computed, in constant memory; ``points`` holds them all, for the
    renderers that need them at once (tables, plots).
    """

    model: str
    variant: str
    source: str
    params_convention: str
    dtype: str
    depth_multiplier: int
    min_channels: int
    alphas: tuple[Fraction, ...]
    resolutions: tuple[int, ...]
    compute: Callable[[], Iterator[SweepPoint]] = field(repr=False, compare=False)
    accuracy: PaperAccuracy | None = field(default=None, repr=False, compare=False)
    # One total for every point, cheaper than whole points (no peak): mult_adds or params.
    compute_field: Callable[[str], Iterator[int]] | None = field(default=None, repr=False,
                                                                 compare=False)
    spec_name: str | None = None   # the built-in it sweeps, if any

    def iter_points(self) -> Iterator[SweepPoint]:
        return self.compute()

    @cached_property
    def points(self) -> tuple[SweepPoint, ...]:
        return tuple(self.iter_points())

    @property
    def count(self) -> int:
        return len(self.alphas) * len(self.resolutions)

    @property
    def accuracy_citation(self) -> str | None:
        return self.accuracy.citation if self.accuracy is not None else None

    def point(self, alpha: object, resolution: int) -> SweepPoint:
        alpha_q = spec_module.parse_fraction(alpha, "alpha")
        i = self.alphas.index(alpha_q)
        j = self.resolutions.index(resolution)
        return self.points[i * len(self.resolutions) + j]

    def iter_matrix(self, field_name: str) -> Iterator[tuple[int, ...]]:
        """One row per α, one column per resolution, computed row by row."""
        n = len(self.resolutions)
        values = (self.compute_field(field_name) if self.compute_field is not None
                  else (getattr(point, field_name) for point in self.iter_points()))
        row: list[int] = []
        for value in values:
            row.append(value)
            if len(row) == n:
                yield tuple(row)
                row = []

    def matrix(self, field_name: str) -> tuple[tuple[int, ...], ...]:
        """One row per α, one column per resolution (the paper's Tables 6–7 as a grid)."""
        n = len(self.resolutions)
        return tuple(tuple(getattr(p, field_name) for p in self.points[i * n:(i + 1) * n])
                     for i in range(len(self.alphas)))

    @property
    def has_accuracy(self) -> bool:
        if self.accuracy is None:
            return False
        alphas, resolutions = set(self.alphas), set(self.resolutions)
        return any(a in alphas and r in resolutions for a, r in self.accuracy.top1)


# -- computing ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class _ChannelTerms:
    """What one α contributes: per cost term its channel part, per tensor its channels."""

    mult_adds: tuple[int, ...]
    params: tuple[int, ...]
    tensor_channels: tuple[int, ...]


@dataclass(frozen=True)
class _SpatialTerms:
    """What one resolution contributes: per cost term its spatial factor, per tensor its
    pixels (h·w)."""

    factors: tuple[int, ...]
    tensor_pixels: tuple[int, ...]


def _terms(network: Network):
    for node in network.nodes:
        for part, where in kind(node.kind).cost_terms(node):
            yield node, part, where


def _tensors(network: Network) -> list:
    """The shapes of the tensors that hold memory: the input and each non-view node's output."""
    owner = memory.storage(network)
    shapes = {INPUT: network.input_shape}
    shapes.update((node.name, node.output_shape) for node in network.nodes)
    return [shapes[name] for name in dict.fromkeys(owner.values())]


def _channel_terms(network: Network, params: str) -> _ChannelTerms:
    mult_adds, param_parts = [], []
    for _, part, _ in _terms(network):
        mult_adds.append(part.mult_adds)
        param_parts.append(part.params(params))
    return _ChannelTerms(tuple(mult_adds), tuple(param_parts),
                         tuple(shape.c for shape in _tensors(network)))


def _spatial_terms(network: Network) -> _SpatialTerms:
    return _SpatialTerms(tuple(spatial_factor(node, where) for node, _, where in _terms(network)),
                         tuple(shape.pixels for shape in _tensors(network)))


def _peak_function(network: Network) -> Callable[[list[int]], int]:
    """elements per tensor → the liveness peak, as a few C-level passes (``memory.peak``)."""
    owner = memory.storage(network)
    index = {name: i for i, name in enumerate(dict.fromkeys(owner.values()))}
    steps = [[index[name] for name in live] for live in memory.live_sets(network)]
    width = max(len(step) for step in steps)
    zero = len(index)  # a padding slot holding 0 elements
    columns = [[step[p] if p < len(step) else zero for step in steps] for p in range(width)]
    getters = [operator.itemgetter(*column) if len(column) > 1 else
               (lambda e, i=column[0]: (e[i],)) for column in columns]

    def peak(elements: list[int]) -> int:
        elements.append(0)
        return max(map(sum, zip(*(getter(elements) for getter in getters))))
    return peak


def _factorable(network: Network) -> bool:
    return all(kind(node.kind).factorable for node in network.nodes)


def _aligned(a: Network, b: Network) -> bool:
    """Whether two resolves of one spec have the same nodes (true unless α changes a block's
    structure: an expand conv that rounds away, a residual add that appears)."""
    return [node.name for node in a.nodes] == [node.name for node in b.nodes]


def run(model_spec: spec_module.ModelSpec, alphas: Iterable[object],
        resolutions: Iterable[int], *, variant: str | None = None, depth_multiplier: int = 1,
        min_channels: int = 1, rounding: str | None = None,
        repeat_multiplier: Fraction | None = None, params: str = engine.DEFAULT_PARAMS,
        dtype: str = engine.DEFAULT_DTYPE, fast: bool = True,
        progress: Callable[[int], None] | None = None) -> Sweep:
    """Cost every (α, resolution) pair; ``fast=False`` analyses each network in full.

    ``progress``, when given, is called with the number of configurations just costed.
    """
    alpha_values = tuple(spec_module.parse_fraction(a, "alpha") for a in alphas)
    resolution_values = tuple(resolutions)
    if not alpha_values or not resolution_values:
        raise ConfigError("a sweep needs at least one alpha and one resolution")
    count = len(alpha_values) * len(resolution_values)
    if count > MAX_CONFIGURATIONS:
        raise ConfigError(f"the grid has {count:,} configurations; at most "
                          f"{MAX_CONFIGURATIONS:,}")
    if params not in engine.PARAMS_CONVENTIONS:
        raise ConfigError(f"params must be one of {engine.PARAMS_CONVENTIONS}, got {params!r}")
    if dtype not in engine.DTYPE_BYTES:
        raise ConfigError(f"dtype must be one of {tuple(engine.DTYPE_BYTES)}, got {dtype!r}")
    tick = progress or (lambda n: None)
    chosen = model_spec.variant(variant)
    hyper = {"variant": chosen.name, "depth_multiplier": depth_multiplier,
             "min_channels": min_channels, "rounding": rounding,
             "repeat_multiplier": repeat_multiplier}

    # One resolve per distinct resolution (spatial sizes; also rejects a resolution too small
    # for the network) and per distinct α (channels).
    by_resolution = {r: spec_module.resolve(model_spec, alpha=alpha_values[0], resolution=r,
                                            **hyper) for r in resolution_values}
    first = by_resolution[resolution_values[0]]
    by_alpha = {a: spec_module.resolve(model_spec, alpha=a, resolution=first.resolution,
                                       **hyper) for a in alpha_values}

    accuracy = _accuracy_for(model_spec, chosen.name, depth_multiplier, min_channels, by_alpha,
                             hyper)

    def slow(alphas: tuple[Fraction, ...]) -> Iterator[SweepPoint]:
        return _slow_points(model_spec, alphas, resolution_values, hyper, params, dtype,
                            accuracy)

    if fast and _factorable(first):
        fast_path = _FastPath(by_alpha, by_resolution, params, dtype, accuracy, slow)
        raw: Callable[[], Iterator[SweepPoint]] = fast_path.points
        compute_field: Callable[[str], Iterator[int]] | None = fast_path.values
        exact = point_from_report(engine.analyze(
            spec_module.resolve(model_spec, alpha=alpha_values[0],
                                resolution=resolution_values[0], **hyper),
            params=params, dtype=dtype), alpha_values[0], accuracy)
        first_point = next(fast_path.points())
        if exact != first_point:  # the factoring promise of Kind.cost_terms, checked each run
            raise AssertionError(f"sweep fast path disagrees with the engine: {first_point} "
                                 f"!= {exact}")
    else:
        def raw() -> Iterator[SweepPoint]:
            return slow(alpha_values)
        compute_field = None
    iterations = [0]

    def compute() -> Iterator[SweepPoint]:
        # Progress is the first pass over the grid (JSON passes again for its matrices).
        iterations[0] += 1
        if iterations[0] > 1:
            return raw()
        return _ticking(raw(), len(resolution_values), tick)
    return Sweep(model=model_spec.model, variant=chosen.name, source=model_spec.source,
                 spec_name=model_spec.name,
                 params_convention=params, dtype=dtype, depth_multiplier=depth_multiplier,
                 min_channels=min_channels, alphas=alpha_values, resolutions=resolution_values,
                 compute=compute, accuracy=accuracy, compute_field=compute_field)


def _accuracy_for(model_spec: spec_module.ModelSpec, variant: str, depth_multiplier: int,
                  min_channels: int, by_alpha: dict[Fraction, Network],
                  hyper: dict) -> PaperAccuracy | None:
    """A paper's accuracy applies only to the paper's networks: the built-in spec it was
    measured on, its variant, depth multiplier 1, the spec's own rounding and repeats, and
    channels unchanged by --min-channels."""
    accuracy = accuracy_for_spec(model_spec.name)
    if accuracy is None or variant != accuracy.variant or depth_multiplier != 1 \
            or hyper.get("rounding") not in (None, model_spec.rounding) \
            or hyper.get("repeat_multiplier") not in (None, model_spec.repeat_multiplier):
        return None
    if min_channels != 1:
        for alpha, network in by_alpha.items():
            if not any(key[0] == alpha for key in accuracy.top1):
                continue
            plain = spec_module.resolve(model_spec, alpha=alpha, resolution=network.resolution,
                                        **{**hyper, "min_channels": 1})
            if plain.layers != network.layers:
                return None
    return accuracy


class _FastPath:
    """Every point from one resolve per α and one per resolution (``Kind.cost_terms``); an α
    whose network has other nodes than the reference's (``_aligned``) is costed in full by
    ``slow``. ``points()`` may be iterated any number of times."""

    def __init__(self, by_alpha: dict[Fraction, Network], by_resolution: dict[int, Network],
                 params: str, dtype: str, accuracy: PaperAccuracy | None,
                 slow: Callable[[tuple[Fraction, ...]], Iterator[SweepPoint]]) -> None:
        self.size = engine.DTYPE_BYTES[dtype]
        self.spatial = {resolution: _spatial_terms(network)
                        for resolution, network in by_resolution.items()}
        reference = next(iter(by_resolution.values()))
        self.peak = _peak_function(reference)
        self.channels = {alpha: _channel_terms(network, params) if _aligned(network, reference)
                         else None for alpha, network in by_alpha.items()}
        self.accuracy, self.slow = accuracy, slow

    def points(self) -> Iterator[SweepPoint]:
        mul, size, peak, accuracy = operator.mul, self.size, self.peak, self.accuracy
        for alpha, ch in self.channels.items():
            if ch is None:
                yield from self.slow((alpha,))
                continue
            for resolution, sp in self.spatial.items():
                mult_adds = sum(map(mul, ch.mult_adds, sp.factors))
                total_params = sum(map(mul, ch.params, sp.factors))
                peak_elements = peak(list(map(mul, ch.tensor_channels, sp.tensor_pixels)))
                top1 = accuracy.lookup(alpha, resolution) if accuracy is not None else None
                yield SweepPoint(alpha, resolution, mult_adds, total_params,
                                 total_params * size, peak_elements * size, top1)


    def values(self, field_name: str) -> Iterator[int]:
        """``mult_adds`` or ``params`` of every point, in order."""
        mul = operator.mul
        for alpha, ch in self.channels.items():
            if ch is None:
                yield from (getattr(p, field_name) for p in self.slow((alpha,)))
                continue
            parts = ch.mult_adds if field_name == "mult_adds" else ch.params
            for sp in self.spatial.values():
                yield sum(map(mul, parts, sp.factors))


def _ticking(points: Iterator[SweepPoint], every: int,
             tick: Callable[[int], None]) -> Iterator[SweepPoint]:
    for i, point in enumerate(points, start=1):
        yield point
        if i % every == 0:
            tick(every)


def _slow_points(model_spec: spec_module.ModelSpec, alphas: tuple[Fraction, ...],
                 resolutions: tuple[int, ...], hyper: dict, params: str, dtype: str,
                 accuracy: PaperAccuracy | None) -> Iterator[SweepPoint]:
    for alpha in alphas:
        for resolution in resolutions:
            yield point_from_report(
                engine.analyze(spec_module.resolve(model_spec, alpha=alpha,
                                                   resolution=resolution, **hyper),
                               params=params, dtype=dtype),
                alpha, accuracy)


def point_from_report(report: engine.Report, alpha: Fraction,
                      accuracy: PaperAccuracy | None = None) -> SweepPoint:
    """The sweep row `mncost table` would give for the same configuration."""
    resolution = report.network.resolution
    top1 = accuracy.lookup(alpha, resolution) if accuracy is not None else None
    return SweepPoint(alpha, resolution, report.mult_adds, report.params, report.weight_bytes,
                      report.peak_activation_bytes, top1)


__all__ = ["PAPER_ALPHAS", "PAPER_RESOLUTIONS", "PaperAccuracy", "Sweep", "SweepPoint",
           "format_number", "load_paper_accuracy", "accuracy_for_spec", "parse_alphas", "parse_resolutions",
           "parse_rhos",
           "parse_values", "point_from_report", "run"]
