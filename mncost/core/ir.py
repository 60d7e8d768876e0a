"""The resolved network: a directed acyclic graph of named nodes with every shape known.

A ``Node`` knows its name, its kind (a key of ``kinds.REGISTRY``), the names of the nodes it
reads, the shapes going in and out, and its kind's resolved attributes (kernel, stride, ...).
It does not know what it costs (``costing``) nor how it is built in torch (``mncost.torch``):
both ask the node's kind.

``Network.nodes`` is in execution order, which is also a topological order: every node comes
after the nodes it reads. The builder runs the nodes in this order and the memory model frees
a tensor after its last reader in this order, so the two can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, NamedTuple

INPUT = "input"  # the name a node uses to read the network's input image


class Shape(NamedTuple):
    """An activation's size as the paper writes it: height × width × channels."""

    h: int
    w: int
    c: int

    @property
    def elements(self) -> int:
        return self.h * self.w * self.c

    @property
    def pixels(self) -> int:
        return self.h * self.w

    def __str__(self) -> str:
        return f"{self.h}×{self.w}×{self.c}"


def pair(value: int | tuple[int, int]) -> tuple[int, int]:
    """``3`` → ``(3, 3)``; ``(3, 5)`` stays: kernels, strides and dilations as (h, w)."""
    return (value, value) if isinstance(value, int) else (value[0], value[1])


def compact(values: tuple[int, ...]) -> int | tuple[int, ...]:
    """``(3, 3)`` → ``3``; ``(0, 1, 0, 1)`` stays: what a symmetric attribute shows as."""
    return values[0] if all(v == values[0] for v in values) else tuple(values)


def conv_output_size(size: int, kernel: int, stride: int, pad_before: int, pad_after: int,
                     dilation: int = 1) -> int:
    """Spatial size after a convolution or pool window:
    ``floor((in + pad_before + pad_after − dilation·(k − 1) − 1) / stride) + 1``.

    May return 0 or less; callers turn that into an error naming the node.
    """
    return (size + pad_before + pad_after - dilation * (kernel - 1) - 1) // stride + 1


@dataclass(frozen=True)
class Node:
    """One operation of a Network, fully resolved.

    ``block`` groups the nodes one spec entry expanded into (``block3`` for ``block3.dw`` and
    ``block3.pw``); ``role`` says what a node is inside its block (``dw``, ``pw``, ``expand``).
    Attributes of ``attrs`` read directly on the node (``node.kernel``, ``node.groups``).
    """

    name: str
    kind: str
    inputs: tuple[str, ...]
    input_shapes: tuple[Shape, ...]
    output_shape: Shape
    attrs: Any = None
    block: str = ""
    role: str | None = None

    def __getattr__(self, name: str) -> Any:
        # Only called for names the dataclass itself lacks: the kind's attributes.
        if name.startswith("__") or name == "attrs":
            raise AttributeError(name)
        attrs = self.__dict__.get("attrs")
        if attrs is not None and hasattr(attrs, name):
            return getattr(attrs, name)
        raise AttributeError(f"{self.kind} node {self.__dict__.get('name')!r} has no {name!r}")

    @property
    def input_shape(self) -> Shape:
        """The first input's shape (the only one for all but joins)."""
        return self.input_shapes[0]

    @property
    def rule(self):
        """This node's kind: shape rule, cost, labels, torch module (``kinds.Kind``)."""
        from mncost.core.kinds import kind

        return kind(self.kind)

    @property
    def stride(self) -> int | tuple[int, int]:
        attrs = self.__dict__.get("attrs")
        return getattr(attrs, "stride", 1) if attrs is not None else 1

    @property
    def filter_shape(self) -> str:
        """The paper's notation: ``3×3×3×32``, ``3×3×32 dw``, ``1×1×32×64``, ``Pool 7×7``."""
        return self.rule.filter_text(self)

    @property
    def type_label(self) -> str:
        """The paper's Table 1 type: ``Conv``, ``Conv dw``, ``Avg Pool``, ``FC``."""
        return self.rule.type_label(self)


@dataclass(frozen=True)
class Network:
    """A model with every shape resolved: what the engine counts and the builder builds.

    ``errata`` are notes the spec attaches to its published figures (``{"table": ..., "note":
    ...}``), kept only when this network is the configuration the publication measured.
    """

    model: str
    variant: str
    alpha_exact: Fraction
    input_shape: Shape
    nodes: tuple[Node, ...]
    depth_multiplier: int = 1
    min_channels: int = 1
    rounding: str = "floor"
    source: str = ""
    errata: tuple[tuple[str, str], ...] = ()
    repeat_multiplier: Fraction = Fraction(1)
    spec_name: str | None = None  # the built-in name it came from (efficientnet_b3)

    @property
    def alpha(self) -> float:
        """α for display and JSON; ``alpha_exact`` is the exact decimal the user gave."""
        return float(self.alpha_exact)

    @property
    def layers(self) -> tuple[Node, ...]:
        """The nodes, as the paper's tables call them."""
        return self.nodes

    @property
    def resolution(self) -> int | tuple[int, int]:
        """Input size: an int when square (224), else (height, width)."""
        h, w = self.input_shape.h, self.input_shape.w
        return h if h == w else (h, w)

    @property
    def resolution_text(self) -> str:
        return f"{self.input_shape.h}×{self.input_shape.w}"

    @property
    def output(self) -> Node:
        return self.nodes[-1]

    @property
    def output_shape(self) -> Shape:
        return self.nodes[-1].output_shape if self.nodes else self.input_shape

    def node(self, name: str) -> Node:
        for node in self.nodes:
            if node.name == name:
                return node
        raise KeyError(name)

    layer = node

    def describe(self) -> dict[str, Any]:
        """Which model a result describes: the same JSON keys in every command's output."""
        resolution = self.resolution
        return {"model": self.model, "variant": self.variant, "alpha": self.alpha,
                "resolution": list(resolution) if isinstance(resolution, tuple) else resolution,
                "depth_multiplier": self.depth_multiplier}

    def notes_for(self, table: str) -> tuple[str, ...]:
        return tuple(note for where, note in self.errata if where == table)
