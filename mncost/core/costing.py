"""The analytic engine: what every layer of a Network costs, exactly, in Python ints.

Counting convention (the paper's, §3.1 and Table 2), stated once:

* **Mult-adds.** One fused multiply-accumulate counts 1. Only convolutions and fully connected
  layers cost mult-adds. A convolution costs ``k · k · (c_in / groups) · c_out · h_out · w_out``
  (depthwise: ``groups = c_in``; pointwise: ``k = 1``); a fully connected layer costs
  ``in_features · out_features``. Batch norm, activations, pooling, softmax and bias additions
  are free. (``presets`` explains how fvcore, torch and friends count differently.)
* **Parameters**, under three named conventions:
  ``paper`` — weights only (what the paper's 4.2M counts);
  ``trainable`` — weights + biases + batch-norm γ and β (PyTorch's ``numel`` over
  ``parameters()``, fvcore's ``parameter_count``, Keras' "Trainable params"); the default;
  ``all`` — trainable + batch-norm running mean and variance (Keras' "Total params").
* **Memory.** Weight memory is the parameter count under the chosen convention times the
  dtype's size. Peak activation memory is the largest ``input + output`` of any single layer
  (a layer-by-layer inference that frees each input once its consumer has run), times the
  dtype's size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from mncost.core.ir import Conv, GlobalAvgPool, Layer, Linear, Network, Softmax

PARAMS_CONVENTIONS = ("paper", "trainable", "all")
DEFAULT_PARAMS = "trainable"
DTYPE_BYTES = {"float32": 4, "float16": 2, "bfloat16": 2, "int8": 1}
DEFAULT_DTYPE = "float32"


@dataclass(frozen=True)
class Cost:
    """What one layer costs, with parameters split so every convention can be summed."""

    mult_adds: int
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
        raise ValueError(f"unknown params convention {convention!r}")


CostRule = Callable[[Layer], Cost]
COST_RULES: dict[str, CostRule] = {}


def cost_rule(*kinds: str) -> Callable[[CostRule], CostRule]:
    """Register the cost rule for one or more layer kinds."""
    def register(rule: CostRule) -> CostRule:
        for kind in kinds:
            COST_RULES[kind] = rule
        return rule
    return register


@cost_rule("conv", "dw", "pw")
def _conv(layer: Conv) -> Cost:
    c_in, c_out = layer.input_shape.c, layer.output_shape.c
    weights = layer.kernel * layer.kernel * (c_in // layer.groups) * c_out
    return Cost(
        mult_adds=weights * layer.output_shape.h * layer.output_shape.w,
        weights=weights,
        biases=c_out if layer.bias else 0,
        bn_affine=2 * c_out if layer.batch_norm else 0,
        bn_stats=2 * c_out if layer.batch_norm else 0,
    )


@cost_rule("fc")
def _linear(layer: Linear) -> Cost:
    weights = layer.in_features * layer.out_features
    return Cost(mult_adds=weights, weights=weights,
                biases=layer.out_features if layer.bias else 0)


@cost_rule("avgpool", "softmax")
def _free(layer: GlobalAvgPool | Softmax) -> Cost:
    return Cost(mult_adds=0)


def kind_label(layer: Layer) -> str:
    """The paper's Table 2 row a layer belongs to: ``Conv 1×1``, ``Conv DW 3×3``, ..."""
    if isinstance(layer, Conv):
        k = f"{layer.kernel}×{layer.kernel}"
        return f"Conv DW {k}" if layer.kind == "dw" else f"Conv {k}"
    return {"fc": "Fully connected", "avgpool": "Pooling", "softmax": "Softmax"}[layer.kind]


@dataclass(frozen=True)
class LayerReport:
    """One layer's descriptor and cost, with parameters under the report's convention."""

    layer: Layer
    cost: Cost
    params: int

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
    def input_shape(self):
        return self.layer.input_shape

    @property
    def output_shape(self):
        return self.layer.output_shape

    @property
    def activation_elements(self) -> int:
        """Elements of this layer's output activation."""
        return self.layer.output_shape.elements


@dataclass(frozen=True)
class KindShare:
    """One row of the by-kind breakdown (the paper's Table 2)."""

    kind: str
    layers: int
    mult_adds: int
    params: int


@dataclass(frozen=True)
class Report:
    """Frozen per-layer costs and totals; everything downstream reads one of these."""

    network: Network
    layers: tuple[LayerReport, ...]
    params_convention: str
    dtype: str

    @property
    def mult_adds(self) -> int:
        return sum(lr.mult_adds for lr in self.layers)

    @property
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

    @property
    def peak_activation_elements(self) -> int:
        return max((lr.input_shape.elements + lr.output_shape.elements for lr in self.layers),
                   default=self.network.input_shape.elements)

    @property
    def peak_activation_bytes(self) -> int:
        return self.peak_activation_elements * self.dtype_bytes

    @property
    def peak_activation_layer(self) -> str | None:
        best = None
        for lr in self.layers:
            size = lr.input_shape.elements + lr.output_shape.elements
            if best is None or size > best[0]:
                best = (size, lr.name)
        return best[1] if best else None

    def by_kind(self) -> tuple[KindShare, ...]:
        """Totals per Table 2 kind, in order of first appearance; cost-free kinds left out."""
        rows: dict[str, list[int]] = {}
        for lr in self.layers:
            row = rows.setdefault(kind_label(lr.layer), [0, 0, 0])
            row[0] += 1
            row[1] += lr.mult_adds
            row[2] += lr.params
        return tuple(KindShare(kind, n, m, p) for kind, (n, m, p) in rows.items() if m or p)

    def layer(self, name: str) -> LayerReport:
        for lr in self.layers:
            if lr.name == name:
                return lr
        raise KeyError(name)


def layer_cost(layer: Layer) -> Cost:
    try:
        rule = COST_RULES[layer.kind]
    except KeyError:
        raise ValueError(f"no cost rule for layer kind {layer.kind!r}") from None
    return rule(layer)


def analyze(network: Network, *, params: str = DEFAULT_PARAMS,
            dtype: str = DEFAULT_DTYPE) -> Report:
    """Cost every layer of ``network``; ``params`` picks the parameter convention."""
    if params not in PARAMS_CONVENTIONS:
        raise ValueError(f"params must be one of {PARAMS_CONVENTIONS}, got {params!r}")
    if dtype not in DTYPE_BYTES:
        raise ValueError(f"dtype must be one of {tuple(DTYPE_BYTES)}, got {dtype!r}")
    layers = []
    for layer in network.layers:
        cost = layer_cost(layer)
        layers.append(LayerReport(layer=layer, cost=cost, params=cost.params(params)))
    return Report(network=network, layers=tuple(layers), params_convention=params, dtype=dtype)
