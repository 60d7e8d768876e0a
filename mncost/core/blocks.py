"""Blocks: spec words that expand into several named nodes (macros over the kinds).

A block takes one spec entry and returns the node plans it stands for, each with its own name
(``block3.dw``), kind, declared values and inputs; the nodes are then resolved exactly like
hand-written ones. A block's output is its last node, so ``inputs: [block3]`` reads it.

* ``separable`` — the paper's depthwise separable convolution: a ``k×k`` depthwise conv
  carrying the stride (``NAME.dw``), then a 1×1 pointwise conv to ``out`` (``NAME.pw``), each
  with the entry's batch norm, activation and bias.
* ``inverted_residual`` (MobileNetV2's block, V3's and MnasNet's, EfficientNet's MBConv) —
  ``NAME.expand`` (1×1 conv to the expanded width, left out when that equals the input's),
  ``NAME.dw`` (k×k depthwise, the stride), optionally squeeze-and-excite on the depthwise
  output (``NAME.se.pool``, ``NAME.se.reduce``, ``NAME.se.expand`` with the gate, and
  ``NAME.se.scale``), ``NAME.project`` (1×1 conv to ``out``, batch norm and no activation:
  the linear bottleneck) and ``NAME.add`` (the residual) when the stride is 1 and the input
  and output widths are equal. Which of these exist depends on the resolved widths (at some α
  the expanded width rounds to the input's), so this block expands while the network
  resolves, with the input shape in hand.

A block's ``stride`` applies to the first of its repeats only, as in the papers' stage tables
(``n`` blocks, stride ``s`` for the first); ``separable`` keeps MobileNet v1's reading, where
every repeat is the entry as written.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any, ClassVar, Mapping, NamedTuple

from mncost.core.kinds import Scaler, SpecDefaults, spec_kinds
from mncost.core.kinds._common import MAX_CHANNELS, MAX_KERNEL, int_pair
from mncost.core.kinds.activation import parse_activation

if TYPE_CHECKING:  # pragma: no cover
    from mncost.core.ir import Shape
    from mncost.core.yamlio import Located


class NodePlan(NamedTuple):
    """One node to resolve: name, spec word of its kind, declared values, input names."""

    name: str
    word: str
    declared: Mapping[str, Any]
    inputs: tuple[str, ...]
    block: str
    role: str | None = None
    entry: Any = None  # the spec entry it came from (line and field for errors)


class Block:
    word: ClassVar[str]
    name_prefix: ClassVar[str] = "block"
    keys: ClassVar[tuple[str, ...]] = ()
    # Expands while the network resolves (``expand_resolved``), not while it is planned:
    # its nodes depend on the input's resolved width. Its inner nodes cannot be named as
    # ``inputs`` (the block's own name can).
    resolved: ClassVar[bool] = False
    stage_stride: ClassVar[bool] = False  # repeats after the first have stride 1
    most_nodes: ClassVar[int] = 2         # for the spec's bound on layers

    def parse(self, entry: "Located", defaults: SpecDefaults) -> dict[str, Any]:
        raise NotImplementedError

    def expand(self, name: str, declared: Mapping[str, Any], source: str,
               entry: Any) -> list[NodePlan]:
        raise NotImplementedError


class Separable(Block):
    word = "separable"
    keys = ("out", "kernel", "stride", "padding", "dilation", "batch_norm", "activation", "bias")

    def parse(self, entry: "Located", defaults: SpecDefaults) -> dict[str, Any]:
        # A separable block declares what the standard conv it replaces would: the same
        # values convert either way (variants' ``convert``).
        return spec_kinds()["conv"].parse("conv", entry, defaults)

    def expand(self, name: str, declared: Mapping[str, Any], source: str,
               entry: Any) -> list[NodePlan]:
        dw = {**declared, "variety": "dw", "out": None, "groups": 1}
        pw = {**declared, "variety": "pw", "kernel": 1, "stride": 1, "padding": 0,
              "dilation": 1, "groups": 1}
        return [NodePlan(f"{name}.dw", "dw", dw, (source,), name, "dw", entry),
                NodePlan(f"{name}.pw", "pw", pw, (f"{name}.dw",), name, "pw", entry)]


class SqueezeRule(NamedTuple):
    """Squeeze-and-excite, as data: the squeeze width is ``rounding(floor(C · ratio))`` with
    ``C`` the block's ``input`` width (EfficientNet) or its ``expanded`` width (MobileNetV3),
    ``activation`` after the reduce conv and ``gate`` after the expand conv."""

    of: str
    ratio: Fraction
    rounding: str
    activation: str | None
    gate: str | None

    def squeeze(self, block_input: int, expanded: int) -> int:
        from mncost.core.settings import round_channels

        base = block_input if self.of == "input" else expanded
        return round_channels(int(base * self.ratio), 1, self.rounding)


SE_KEYS = ("of", "ratio", "rounding", "activation", "gate")


def parse_squeeze(node: "Located", base: SqueezeRule | None = None) -> SqueezeRule:
    """A ``se:`` mapping, each key falling back to ``base`` (the spec's ``defaults.se``)."""
    from mncost.core import settings

    node.mapping(list(SE_KEYS))
    if base is None:
        missing = [key for key in SE_KEYS if not node.has(key)]
        if missing:
            raise node.error(f"needs {', '.join(missing)} (or declare defaults.se)")

    def value(key: str, read):
        return read(node.get(key)) if node.has(key) else getattr(base, key)

    def ratio(item: "Located") -> Fraction:
        try:
            number = settings.parse_decimal(item.value, "ratio")
        except settings.ConfigError as exc:
            raise item.error(str(exc)) from None
        if not 0 < number <= 1:
            raise item.error(f"must be greater than 0 and at most 1, got {item.value!r}")
        return number

    def rounding(item: "Located") -> str:
        try:
            return settings.parse_rounding(item.value)
        except settings.ConfigError as exc:
            raise item.error(str(exc)) from None

    return SqueezeRule(of=value("of", lambda v: v.string(choices=["input", "expanded"])),
                       ratio=value("ratio", ratio), rounding=value("rounding", rounding),
                       activation=value("activation", parse_activation),
                       gate=value("gate", parse_activation))


def _conv(out: int | None, *, variety: str = "pw", kernel: Any = 1, stride: Any = 1,
          batch_norm: bool = True, bias: bool = False, activation: str | None = None) -> dict:
    """Declared values of an inner conv, its width already resolved (``width: fixed``)."""
    return {"out": out, "width": "fixed", "kernel": kernel, "padding": None, "dilation": 1,
            "groups": 1, "variety": variety, "stride": stride, "bias": bias,
            "batch_norm": batch_norm, "activation": activation}


class InvertedResidual(Block):
    word = "inverted_residual"
    keys = ("out", "expand", "expanded", "kernel", "stride", "activation", "se", "residual")
    resolved = True
    stage_stride = True
    most_nodes = 8

    def parse(self, entry: "Located", defaults: SpecDefaults) -> dict[str, Any]:
        from mncost.core import settings

        if entry.has("expand") and entry.has("expanded"):
            raise entry.get("expanded").error("give expand (a ratio of the input width) or "
                                              "expanded (a width the multiplier scales), "
                                              "not both")
        declared: dict[str, Any] = {
            "out": entry.get("out", required=True).positive_int(maximum=MAX_CHANNELS),
            "kernel": int_pair(entry.get("kernel", 3), maximum=MAX_KERNEL),
            "stride": int_pair(entry.get("stride", 1), maximum=MAX_KERNEL),
            "activation": parse_activation(entry.get("activation",
                                                     defaults.activation or "none")),
            "residual": entry.get("residual", True).boolean(),
            "expand": Fraction(1), "expanded": None, "se": None,
        }
        if entry.has("expanded"):
            declared["expanded"] = entry.get("expanded").positive_int(maximum=MAX_CHANNELS)
        elif entry.has("expand"):
            node = entry.get("expand")
            try:
                ratio = settings.parse_decimal(node.value, "expand")
            except settings.ConfigError as exc:
                raise node.error(str(exc)) from None
            if not 1 <= ratio <= 1024:
                raise node.error(f"must be a ratio from 1 to 1024, got {node.value!r}")
            declared["expand"] = ratio
        if entry.has("se"):
            node = entry.get("se")
            if node.value is True:
                if defaults.se is None:
                    raise node.error("se: true needs the spec's defaults.se (or give the "
                                     "rule here: of, ratio, rounding, activation, gate)")
                declared["se"] = defaults.se
            elif node.value not in (False, None):
                declared["se"] = parse_squeeze(node, defaults.se)
        return declared

    def expand_resolved(self, name: str, declared: Mapping[str, Any], source: str,
                        entry: Any, shape: "Shape", scale: Scaler) -> list[NodePlan]:
        c_in = shape.c
        c_out = scale.channels(declared["out"])
        if declared["expanded"] is not None:
            expanded = scale.channels(declared["expanded"])
        else:
            expanded = scale.rounded(c_in * declared["expand"])
        act = declared["activation"]
        plans: list[NodePlan] = []

        def add(role: str, word: str, values: Mapping[str, Any], *inputs: str) -> str:
            plans.append(NodePlan(f"{name}.{role}", word, values,
                                  inputs or (plans[-1].name if plans else source,),
                                  name, role, entry))
            return plans[-1].name

        if expanded != c_in:
            add("expand", "pw", _conv(expanded, activation=act))
        dw = add("dw", "dw", _conv(None, variety="dw", kernel=declared["kernel"],
                                   stride=declared["stride"], activation=act))
        rule: SqueezeRule | None = declared["se"]
        if rule is not None:
            squeeze = rule.squeeze(c_in, expanded)
            add("se.pool", "avgpool", {"kernel": None})
            add("se.reduce", "pw", _conv(squeeze, batch_norm=False, bias=True,
                                         activation=rule.activation))
            add("se.expand", "pw", _conv(expanded, batch_norm=False, bias=True,
                                         activation=rule.gate))
            add("se.scale", "mul", {}, dw, plans[-1].name)
        add("project", "pw", _conv(c_out))
        stride = declared["stride"]
        if declared["residual"] and stride in (1, (1, 1)) and c_in == c_out:
            add("add", "add", {}, source, plans[-1].name)
        return plans


# Table 2 rows for block roles whose kind alone would not say what they are (a 1×1 conv
# expands, projects or squeezes); other roles keep their kind's row (``Conv DW 5×5``).
ROLE_ROWS = {"expand": "Conv 1×1 expand", "project": "Conv 1×1 project",
             "se.reduce": "Squeeze-excite", "se.expand": "Squeeze-excite"}

BLOCKS: dict[str, Block] = {block.word: block for block in (Separable(), InvertedResidual())}

# Which spec words a variant may convert into which: a separable block and a standard conv
# declare the same values, so either can stand for the other.
CONVERSIONS: dict[str, tuple[str, ...]] = {"separable": ("conv",), "conv": ("separable",)}
