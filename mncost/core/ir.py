"""Layer descriptors: frozen, fully resolved shapes for one choice of α, resolution and variant.

A descriptor knows its name, its kind and the shapes going in and out. It does not know what
it costs (that is ``engine``'s job) nor how it is built in torch (``builder``'s).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple, Union


class Shape(NamedTuple):
    """An activation's size as the paper writes it: height × width × channels."""

    h: int
    w: int
    c: int

    @property
    def elements(self) -> int:
        return self.h * self.w * self.c

    def __str__(self) -> str:
        return f"{self.h}×{self.w}×{self.c}"


def conv_output_size(size: int, kernel: int, stride: int, padding: int) -> int:
    """Spatial size after a convolution: floor((in + 2·pad − k) / stride) + 1.

    May return 0 or less; callers turn that into an error naming the layer.
    """
    return (size + 2 * padding - kernel) // stride + 1


# The kinds a Network may contain. ``conv``, ``dw`` and ``pw`` are all convolutions and share
# one cost rule; they are kept apart because the paper reports them apart (Table 2).
CONV_KINDS = ("conv", "dw", "pw")
LAYER_KINDS = CONV_KINDS + ("avgpool", "fc", "softmax")


@dataclass(frozen=True)
class Conv:
    """A 2-D convolution, optionally followed by batch norm and an activation.

    ``kind`` is ``conv`` (standard), ``dw`` (depthwise: ``groups == c_in``) or ``pw``
    (pointwise: 1×1, ``groups == 1``).
    """

    name: str
    kind: str
    input_shape: Shape
    output_shape: Shape
    kernel: int
    stride: int
    padding: int
    groups: int
    bias: bool
    batch_norm: bool
    activation: str | None

    @property
    def filter_shape(self) -> str:
        """The paper's notation: ``3×3×3×32``, ``3×3×32 dw``, ``1×1×32×64``."""
        k = f"{self.kernel}×{self.kernel}"
        if self.kind == "dw":
            multiplier = self.output_shape.c // self.input_shape.c
            suffix = f"×{multiplier}" if multiplier != 1 else ""
            return f"{k}×{self.input_shape.c}{suffix} dw"
        per_group = self.input_shape.c // self.groups
        return f"{k}×{per_group}×{self.output_shape.c}"

    @property
    def type_label(self) -> str:
        return {"conv": "Conv", "dw": "Conv dw", "pw": "Conv"}[self.kind]


@dataclass(frozen=True)
class GlobalAvgPool:
    """Average over the whole spatial extent, leaving 1×1×C."""

    name: str
    input_shape: Shape
    output_shape: Shape
    kind: str = "avgpool"
    stride: int = 1

    @property
    def filter_shape(self) -> str:
        return f"Pool {self.input_shape.h}×{self.input_shape.w}"

    @property
    def type_label(self) -> str:
        return "Avg Pool"


@dataclass(frozen=True)
class Linear:
    """A fully connected layer on a flattened input."""

    name: str
    input_shape: Shape
    output_shape: Shape
    bias: bool
    kind: str = "fc"
    stride: int = 1

    @property
    def in_features(self) -> int:
        return self.input_shape.elements

    @property
    def out_features(self) -> int:
        return self.output_shape.c

    @property
    def filter_shape(self) -> str:
        return f"{self.in_features}×{self.out_features}"

    @property
    def type_label(self) -> str:
        return "FC"


@dataclass(frozen=True)
class Softmax:
    """The classifier's normalisation; free under every counting convention mncost knows."""

    name: str
    input_shape: Shape
    output_shape: Shape
    kind: str = "softmax"
    stride: int = 1

    @property
    def filter_shape(self) -> str:
        return "Classifier"

    @property
    def type_label(self) -> str:
        return "Softmax"


Layer = Union[Conv, GlobalAvgPool, Linear, Softmax]


@dataclass(frozen=True)
class Network:
    """A model with every shape resolved: what the engine counts and the builder builds."""

    model: str
    variant: str
    alpha: float
    resolution: int
    depth_multiplier: int
    input_shape: Shape
    layers: tuple[Layer, ...]

    @property
    def output_shape(self) -> Shape:
        return self.layers[-1].output_shape if self.layers else self.input_shape

    def layer(self, name: str) -> Layer:
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise KeyError(name)
