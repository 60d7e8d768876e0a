"""One home per layer kind: the registry every other part of mncost reads.

A kind is one module in this package holding one ``Kind`` subclass decorated with
``@register``. It says, in one place:

* **spec schema** — the ``kind:`` words that make it (``spec_kinds``), the keys it accepts
  (``keys``) and how they are validated (``parse``);
* **shape rule** — ``resolve``: declared values + input shapes → resolved attributes and the
  output shape, raising ``ShapeError`` for inputs it cannot take;
* **cost** — ``cost_terms``: mult-adds and parameters as sums of *channel part × spatial part*,
  so ``cost`` (the engine) and the sweep's fast path use one formula;
* **elements touched** — ``quantities``: the per-node sums the peer tools' presets weigh
  (batch-norm elements, activation elements, pool inputs, ...), and for each quantity it
  introduces, how every peer tool counts it (``quantity_rules``: one weight per preset in
  ``PEERS``, 0 said explicitly), so a new kind brings its presets' rules with it;
* **labels** — ``type_label`` and ``filter_text`` (the paper's Table 1), ``table2_label``
  (its Table 2 breakdown);
* **PyTorch module** — ``torch_module(node, kit)``; ``kit`` is handed in by the builder (it
  holds ``torch.nn`` and mncost's join modules), so nothing in this package imports torch.

Kinds are discovered by listing this package: adding a kind is adding a file. Asking for a kind
that does not exist is an ``UnknownKind`` error naming the known ones, never a ``KeyError``.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, ClassVar, Iterable, Mapping, NamedTuple

from mncost.core.errors import ConfigError, MncostError

if TYPE_CHECKING:  # pragma: no cover
    from mncost.core.ir import Node, Shape
    from mncost.core.yamlio import Located


# -- what a node costs ---------------------------------------------------------------------------

PARAMS_CONVENTIONS = ("paper", "trainable", "all")
DEFAULT_PARAMS = "trainable"


@dataclass(frozen=True)
class Cost:
    """What one node costs, with parameters split so every convention can be summed."""

    mult_adds: int = 0
    weights: int = 0
    biases: int = 0
    bn_affine: int = 0  # batch norm γ and β: trainable
    bn_stats: int = 0   # batch norm running mean and variance: buffers, not trainable

    def params(self, convention: str = DEFAULT_PARAMS) -> int:
        if convention == "paper":
            return self.weights
        trainable = self.weights + self.biases + self.bn_affine
        if convention == "trainable":
            return trainable
        if convention == "all":
            return trainable + self.bn_stats
        raise ConfigError(f"unknown params convention {convention!r}")

    def __add__(self, other: "Cost") -> "Cost":
        return Cost(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(Cost)))

    def __mul__(self, factor: int) -> "Cost":
        return Cost(*(getattr(self, f.name) * factor for f in fields(Cost)))


ZERO = Cost()

# Where a cost term's spatial factor comes from (see Kind.cost_terms).
SPATIAL_FACTORS = ("one", "in_pixels", "out_pixels")


def spatial_factor(node: "Node", where: str) -> int:
    if where == "one":
        return 1
    if where == "in_pixels":
        return node.input_shape.pixels
    if where == "out_pixels":
        return node.output_shape.pixels
    raise ValueError(f"unknown spatial factor {where!r}")


# -- what the spec gives a kind ------------------------------------------------------------------

class SpecDefaults(NamedTuple):
    """The spec's ``defaults`` and ``classes``: what a conv or fc entry falls back to."""

    batch_norm: bool = True
    activation: str | None = "relu"
    bias: bool = False
    classes: int = 1000
    se: Any = None  # blocks' squeeze-and-excite rule (``blocks.SqueezeRule``), if declared


class Scaler:
    """Turns declared channel counts into actual ones for one choice of settings (α,
    rounding, min channels, depth multiplier); built by ``settings.scaler``."""

    depth_multiplier: int = 1

    def channels(self, declared: int, width: str = "scaled") -> int:  # pragma: no cover
        """A declared width under the layer's width rule (scaled, fixed or grow)."""
        raise NotImplementedError

    def rounded(self, value: Any, least: int = 1) -> int:  # pragma: no cover - interface
        """A derived exact width (``c_in · t``) made whole under the rounding."""
        raise NotImplementedError


class ShapeError(Exception):
    """A kind cannot take the inputs it was given; the resolver adds file, line and field."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# The counting conventions every quantity must answer for: mncost's own (the paper's) and the
# peer tools' (``presets`` describes each tool; the weights live with the quantities).
PEERS = ("paper", "fvcore", "torch", "ptflops", "ptflops-aten", "thop", "torchinfo", "calflops")


class Quantity(NamedTuple):
    """What a quantity counts and how each peer tool weighs it (``fvcore_operator``: the name
    fvcore's ``by_operator`` reports it under, for ``verify``)."""

    label: str
    weights: tuple[tuple[str, int], ...]
    fvcore_operator: str | None = None

    def weight(self, peer: str) -> int:
        return dict(self.weights)[peer]


def quantity(label: str, *, fvcore_operator: str | None = None, **weights: int) -> Quantity:
    """A quantity's rule with a weight for every peer (keyword ``ptflops_aten`` for
    ``ptflops-aten``); a peer left out is an error at import, never a silent zero."""
    given = {key.replace("_", "-"): value for key, value in weights.items()}
    missing = [peer for peer in PEERS if peer not in given]
    unknown = [peer for peer in given if peer not in PEERS]
    if missing or unknown:
        raise RuntimeError(f"quantity {label!r}: " + (f"no weight for {', '.join(missing)}"
                           if missing else f"unknown peers {', '.join(unknown)}"))
    return Quantity(label, tuple((peer, given[peer]) for peer in PEERS), fvcore_operator)


class UnknownKind(MncostError):
    """A kind name nothing is registered under."""


# -- the interface -------------------------------------------------------------------------------

class Kind:
    """The base every kind extends; class attributes are its data, methods its rules."""

    name: ClassVar[str]                      # the registry key, JSON "kind"
    node_kinds: ClassVar[tuple[str, ...]] = ()  # further node kind names it rules (dw, pw)
    spec_kinds: ClassVar[tuple[str, ...]] = ()  # `kind:` words in a spec that make it
    keys: ClassVar[tuple[str, ...]] = ()     # spec keys besides kind, name, repeat, tag, inputs
    arity: ClassVar[tuple[int, int | None]] = (1, 1)  # inputs: at least, at most (None: any)
    name_prefix: ClassVar[str] = ""          # auto names: conv1, conv2, ... (default: name)
    single_unnumbered: ClassVar[bool] = False  # one such node in a spec is just "pool"
    aliases_input: ClassVar[bool] = False    # its output is a view of its input (no new memory)
    factorable: ClassVar[bool] = True        # its shapes split as pixels(res) × channels(α)
    input_layout: ClassVar[str] = "spatial"  # torch input: N×C×H×W ("spatial"), (N, F)
                                             # ("flat": flattened first), or "any"
    table2: ClassVar[str] = ""               # Table 2 row (default: type label)
    quantity_rules: ClassVar[Mapping[str, Quantity]] = {}  # the quantities it introduces

    # -- spec schema --
    def spec_keys(self, word: str) -> tuple[str, ...]:
        """The keys a spec entry ``kind: word`` may carry (beyond the common ones)."""
        return self.keys

    def parse(self, word: str, entry: "Located", defaults: SpecDefaults) -> dict[str, Any]:
        """Validate a spec entry ``kind: word`` into declared values (default: none)."""
        return {}

    # -- shape rule --
    def resolve(self, declared: Mapping[str, Any], inputs: tuple["Shape", ...],
                scale: Scaler) -> tuple[Any, "Shape"]:
        """Resolved attributes (an immutable record, or None) and the output shape."""
        raise NotImplementedError(self.name)

    def node_kind(self, attrs: Any, inputs: tuple["Shape", ...], output: "Shape") -> str:
        """The node kind name for a resolved node (conv: ``dw``, ``pw`` or ``conv``)."""
        return self.name

    # -- cost --
    def cost_terms(self, node: "Node") -> tuple[tuple[Cost, str], ...]:
        """The node's cost as ``(channel part, spatial factor)`` terms, summed as
        ``Σ cost × spatial_factor(node, where)``. Each channel part depends only on channel
        counts and each spatial factor only on sizes, which is what lets the sweep price a
        whole α × resolution grid from one resolve per α and one per resolution. Free kinds
        return no terms."""
        return ()

    def cost(self, node: "Node") -> Cost:
        total = ZERO
        for part, where in self.cost_terms(node):
            total = total + part * spatial_factor(node, where)
        return total

    def quantities(self, node: "Node") -> dict[str, int]:
        """Elements and counts the peer tools' presets weigh (named in some kind's
        ``quantity_rules``)."""
        return {}

    # -- labels --
    def type_label(self, node: "Node") -> str:
        return self.name

    def filter_text(self, node: "Node") -> str:
        return ""

    def table2_label(self, node: "Node") -> str:
        return self.table2 or self.type_label(node)

    # -- PyTorch --
    def torch_module(self, node: "Node", kit: Any) -> Any:
        """The ``nn.Module`` that computes this node; ``kit.nn`` is ``torch.nn``."""
        raise NotImplementedError(self.name)


# -- the registry --------------------------------------------------------------------------------

_REGISTRY: dict[str, Kind] = {}
_SPEC_KINDS: dict[str, Kind] = {}
_LOADED = False
_FIRST = ("conv", "linear")


def register(cls: type[Kind]) -> type[Kind]:
    """Class decorator: make ``cls`` the rule for its node kinds and spec words."""
    instance = cls()
    for key in (cls.name, *cls.node_kinds):
        if key in _REGISTRY:
            raise RuntimeError(f"layer kind {key!r} is registered twice")
        _REGISTRY[key] = instance
    for word in cls.spec_kinds:
        if word in _SPEC_KINDS:
            raise RuntimeError(f"spec kind {word!r} is registered twice")
        _SPEC_KINDS[word] = instance
    return cls


def _load() -> None:
    global _LOADED
    if _LOADED:
        return
    _LOADED = True
    # The files beside this one (os.scandir: pkgutil costs a millisecond of cold start).
    names = sorted(entry.name[:-3] for folder in __path__ for entry in os.scandir(folder)
                   if entry.name.endswith(".py") and not entry.name.startswith("_"))
    # The paper's two costed kinds first, so tables and formulas list conv and fc first.
    for name in sorted(names, key=lambda n: (n not in _FIRST, _FIRST.index(n) if n in _FIRST
                                             else 0, n)):
        importlib.import_module(f"{__name__}.{name}")


def registry() -> Mapping[str, Kind]:
    """Every node kind name → its rule."""
    _load()
    return _REGISTRY


def spec_kinds() -> Mapping[str, Kind]:
    """Every ``kind:`` word a spec may use for a single node → its rule."""
    _load()
    return _SPEC_KINDS


def kind(name: str) -> Kind:
    """The rule for node kind ``name``; ``UnknownKind`` (exit 2) names the known ones."""
    _load()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise UnknownKind(f"unknown layer kind {name!r}; known kinds: "
                          f"{', '.join(sorted(_REGISTRY))}") from None


def quantity_rules() -> dict[str, Quantity]:
    """Every quantity any kind introduces → its rule, in registry order."""
    rules: dict[str, Quantity] = {}
    for rule in dict.fromkeys(registry().values()):
        for name, counted in rule.quantity_rules.items():
            if name in rules and rules[name] != counted:
                raise RuntimeError(f"quantity {name!r} has two different rules")
            rules[name] = counted
    # Mult-adds (what the paper counts) first, then everything else in registry order.
    return dict(sorted(rules.items(), key=lambda item: item[1].weight("paper") == 0))


def quantity_labels() -> dict[str, str]:
    """Every quantity → what it counts."""
    return {name: rule.label for name, rule in quantity_rules().items()}


def add_quantities(total: dict[str, int], more: Iterable[tuple[str, int]]) -> None:
    for key, value in more:
        total[key] = total.get(key, 0) + value
