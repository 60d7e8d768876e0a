"""The analytic engine: what every node of a Network costs, exactly, in Python ints.

Counting convention (the paper's, §3.1 and Table 2), stated once:

* **Mult-adds.** One fused multiply-accumulate counts 1. Only convolutions and fully connected
  layers cost mult-adds. A convolution costs ``k_h · k_w · (c_in / groups) · c_out · h_out ·
  w_out`` (depthwise: ``groups = c_in``; pointwise: ``k = 1``); a fully connected layer costs
  ``in_features · out_features``. Batch norm, activations, pooling, softmax, the elementwise
  add and multiply, concatenation and bias additions are free: the elements they touch are
  each node's ``quantities``, which the peer tools' presets weigh (``presets``).
* **Parameters**, under three named conventions:
  ``paper`` — weights only (what the paper's 4.2M counts);
  ``trainable`` — weights + biases + batch-norm γ and β (PyTorch's ``numel`` over
  ``parameters()``, fvcore's ``parameter_count``, Keras' "Trainable params"); the default;
  ``all`` — trainable + batch-norm running mean and variance (Keras' "Total params").
* **Memory.** Weight memory is the parameter count under the chosen convention times the
  dtype's size. Peak activation memory is the largest sum of live tensors while the nodes run
  in order (``memory.peak``): a tensor lives from the node that makes it until its last reader
  has run. On a chain that is the largest ``input + output`` of one node.

Each kind's formulas live in its own module (``kinds``); this module sums them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import NamedTuple

from mncost.core import memory
from mncost.core.errors import ConfigError
from mncost.core.ir import Network, Node, Shape
from mncost.core.blocks import ROLE_ROWS
from mncost.core.kinds import DEFAULT_PARAMS, PARAMS_CONVENTIONS, Cost, kind

DTYPE_BYTES = {"float32": 4, "float16": 2, "bfloat16": 2, "int8": 1}
DEFAULT_DTYPE = "float32"

__all__ = ["Cost", "LayerReport", "KindShare", "Report", "analyze", "layer_cost",
           "kind_label", "DTYPE_BYTES", "DEFAULT_DTYPE", "DEFAULT_PARAMS", "PARAMS_CONVENTIONS"]


def layer_cost(node: Node) -> Cost:
    """What ``node`` costs under its kind's rule; an unknown kind is an ``UnknownKind``."""
    return kind(node.kind).cost(node)


def kind_label(node: Node) -> str:
    """The paper's Table 2 row a node belongs to: ``Conv 1×1``, ``Conv DW 3×3``, ... and for
    a block's inner nodes their role's row (``Conv 1×1 expand``, ``Squeeze-and-excite``)."""
    return ROLE_ROWS.get(node.role or "") or kind(node.kind).table2_label(node)


class LayerReport(NamedTuple):
    """One node's descriptor and cost, with parameters under the report's convention."""

    layer: Node
    cost: Cost
    params: int

    @property
    def node(self) -> Node:
        return self.layer

    @property
    def name(self) -> str:
        return self.layer.name

    @property
    def kind(self) -> str:
        return self.layer.kind

    @property
    def mult_adds(self) -> int:
        return self.cost.mult_adds

    @property
    def input_shape(self) -> Shape:
        return self.layer.input_shape

    @property
    def output_shape(self) -> Shape:
        return self.layer.output_shape

    @property
    def activation_elements(self) -> int:
        """Elements of this node's output activation."""
        return self.layer.output_shape.elements


class KindShare(NamedTuple):
    """One row of the by-kind breakdown (the paper's Table 2)."""

    kind: str
    layers: int
    mult_adds: int
    params: int


@dataclass(frozen=True)
class Report:
    """Frozen per-node costs and totals; everything downstream reads one of these."""

    network: Network
    layers: tuple[LayerReport, ...]
    params_convention: str
    dtype: str

    @cached_property
    def mult_adds(self) -> int:
        return sum(lr.mult_adds for lr in self.layers)

    @cached_property
    def params(self) -> int:
        return sum(lr.params for lr in self.layers)

    def params_as(self, convention: str) -> int:
        return sum(lr.cost.params(convention) for lr in self.layers)

    @property
    def dtype_bytes(self) -> int:
        return DTYPE_BYTES[self.dtype]

    @property
    def weight_bytes(self) -> int:
        return self.params * self.dtype_bytes

    @cached_property
    def _peak(self) -> memory.Peak:
        return memory.peak(self.network)

    @property
    def peak_activation_elements(self) -> int:
        return self._peak.elements

    @property
    def peak_activation_bytes(self) -> int:
        return self.peak_activation_elements * self.dtype_bytes

    @property
    def peak_activation_layer(self) -> str | None:
        return self._peak.node

    def by_kind(self) -> tuple[KindShare, ...]:
        """Totals per Table 2 kind, in order of first appearance; cost-free kinds left out."""
        rows: dict[str, list[int]] = {}
        for lr in self.layers:
            row = rows.setdefault(kind_label(lr.layer), [0, 0, 0])
            row[0] += 1
            row[1] += lr.mult_adds
            row[2] += lr.params
        return tuple(KindShare(k, n, m, p) for k, (n, m, p) in rows.items() if m or p)

    def layer(self, name: str) -> LayerReport:
        for lr in self.layers:
            if lr.name == name:
                return lr
        raise KeyError(name)


def analyze(network: Network, *, params: str = DEFAULT_PARAMS,
            dtype: str = DEFAULT_DTYPE) -> Report:
    """Cost every node of ``network``; ``params`` picks the parameter convention."""
    if params not in PARAMS_CONVENTIONS:
        raise ConfigError(f"params must be one of {PARAMS_CONVENTIONS}, got {params!r}")
    if dtype not in DTYPE_BYTES:
        raise ConfigError(f"dtype must be one of {tuple(DTYPE_BYTES)}, got {dtype!r}")
    layers = []
    for node in network.nodes:
        cost = layer_cost(node)
        layers.append(LayerReport(layer=node, cost=cost, params=cost.params(params)))
    return Report(network=network, layers=tuple(layers), params_convention=params, dtype=dtype)
