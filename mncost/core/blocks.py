"""Blocks: spec words that expand into several named nodes (macros over the kinds).

A block takes one spec entry and returns the node plans it stands for, each with its own name
(``block3.dw``), kind, declared values and inputs; the nodes are then resolved exactly like
hand-written ones. A block's output is its last node, so ``inputs: [block3]`` reads it.

* ``separable`` — the paper's depthwise separable convolution: a ``k×k`` depthwise conv
  carrying the stride (``NAME.dw``), then a 1×1 pointwise conv to ``out`` (``NAME.pw``), each
  with the entry's batch norm, activation and bias.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Mapping, NamedTuple

from mncost.core.kinds import SpecDefaults, spec_kinds

if TYPE_CHECKING:  # pragma: no cover
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


BLOCKS: dict[str, Block] = {block.word: block for block in (Separable(),)}

# Which spec words a variant may convert into which: a separable block and a standard conv
# declare the same values, so either can stand for the other.
CONVERSIONS: dict[str, tuple[str, ...]] = {"separable": ("conv",), "conv": ("separable",)}
