"""Counting presets: the total each popular tool reports, computed from the analytic engine.

Tools disagree about what a MobileNet "costs" because each counts a different set of
operations, and some double-count. Every preset below is a short, exact rule over the same
per-layer quantities the engine already knows (conv / FC mult-adds, output elements of each
batch norm and activation, input elements of each pool), so mncost can give one exact number
and explain every other tool's number from it. Pure Python: nothing here imports torch.

The quantities (all per example, batch 1; "elements" = H·W·C of a layer's activation):

========================  ====================================================================
``conv``                  Σ conv mult-adds ``k·k·(c_in/groups)·c_out·h_out·w_out`` (the engine's)
``fc``                    Σ FC mult-adds ``in_features·out_features`` (the engine's)
``conv_bias``             Σ ``c_out·h_out·w_out`` over convs that have a bias
``fc_bias``               Σ ``out_features`` over FCs that have a bias
``bn_elements``           Σ output elements of every conv followed by batch norm
``bn_affine``             Σ ``2·c_out`` (batch-norm γ and β) of those convs
``relu_elements``         Σ output elements of every conv followed by ReLU
``relu6_elements``        Σ output elements of every conv followed by ReLU6
``pool_in_elements``      Σ input elements of every global average pool
``pool_out_elements``     Σ output elements (``C``) of every global average pool
``softmax_elements``      Σ input elements of every softmax
``softmax_thop``          Σ ``rows·(3·C − 1)`` over softmaxes (``rows = H·W``: exp, add, div)
========================  ====================================================================

The rules (``PRESETS``; each documents its source). Measured on 1.0 MobileNet-224 (PAPER.md):

* ``paper`` — the paper's mult-adds (§3.1): ``conv + fc``. 568,740,352 MACs.
* ``fvcore`` — ``FlopCountAnalysis(model, x).total()`` in eval mode ("one fused multiply-add
  is one flop"): ``conv + fc + 2·bn_elements + pool_in_elements``. Handles in
  ``fvcore/nn/jit_handles.py``: ``conv_flop_jit`` and ``linear_flop_jit`` ignore bias;
  ``batchnorm_flop_jit`` counts ``numel · (2 if affine else 1)`` when not training;
  ``aten::adaptive_avg_pool2d`` is ``elementwise_flop_counter(1, 0)`` (1 per input element);
  ``aten::relu`` is on the ignore list and ``aten::softmax`` / ``aten::hardtanh`` (ReLU6) are
  unsupported, so both count 0. 578,875,904.
* ``torch`` — ``torch.utils.flop_counter.FlopCounterMode``: FLOPs, a multiply and an add each
  count 1, conv and matmul only, bias ignored: ``2·(conv + fc)``. 1,137,480,704 FLOPs.
* ``ptflops`` — ``get_model_complexity_info(model, res, backend='pytorch')`` with its defaults
  (``count_functional=True``), ``ptflops/pytorch_ops.py`` + ``pytorch_engine.py``: module
  hooks count conv + bias per output element, BN ``2·numel`` (affine), ReLU and ReLU6 ``numel``
  of the output, pools ``numel`` of the input, Linear ``in·out + out``; on top, the patched
  functionals ``F.relu``, ``F.adaptive_avg_pool2d`` and ``F.softmax`` count ``numel`` again
  every time a module calls them (``nn.ReLU`` and ``nn.AdaptiveAvgPool2d`` do; ``nn.ReLU6``
  calls ``F.hardtanh`` and ``nn.Softmax`` has no module hook): ``conv + conv_bias + fc +
  fc_bias + 2·bn_elements + 2·relu_elements + relu6_elements + 2·pool_in_elements +
  softmax_elements``. 589,013,456 MACs ("589.0 M"). ``pytorch`` is the default backend in
  ptflops 0.7.5's code (its README says ``aten``).
* ``ptflops-aten`` — the same call with the ``aten`` backend (``ptflops/aten_ops.py``): only
  ``aten.convolution`` (weights × output positions, + bias per output element) and the
  matmuls (``addmm``: ``in·out``, plus ``batch · out_features`` for the bias): ``conv +
  conv_bias + fc + fc_bias``. 568,741,352 MACs.
* ``thop`` — ``thop.profile(model, inputs)`` (thop 0.1.1 / ultralytics-thop,
  ``thop/vision/basic_hooks.py`` + ``calc_func.py``): conv ``numel(out)·(c_in/groups)·k·k``
  (bias ignored), BN ``2·numel`` doubled when affine (4 per element), ReLU/ReLU6 zero,
  adaptive average pool ``(H·W + 1)`` per output element, Linear ``in_features·numel(out)``,
  softmax ``rows·(3·C − 1)``: ``conv + fc + 4·bn_elements + pool_in_elements +
  pool_out_elements + softmax_thop``. 588,965,303 MACs ("589.0 M").
* ``torchinfo`` — ``summary(model, input_size)`` "Total mult-adds" (``LayerInfo.calculate_macs``
  in ``torchinfo/layer_info.py``): per leaf layer, a conv's parameter count (weights + bias)
  times ``N·h_out·w_out``; any other layer's parameter count times ``N``, so batch-norm γ, β and
  the FC bias are added as "mult-adds": ``conv + conv_bias + bn_affine + fc + fc_bias``.
  568,763,240 ("568.76 M").

* ``calflops`` — ``calculate_flops(model, input_shape)`` FLOPs (calflops 0.3.2, which imports
  ``transformers`` without declaring it): its MACs are ``conv + fc``; its FLOPs are ``2·conv +
  conv_bias + 2·fc + 2·bn_elements + relu_elements + silu_elements`` plus every pool's input
  elements (global, functional, windowed and max; not ``x.mean``) ``+ softmax_elements``.
  1,152,659,944 FLOPs.

Every tool but ``paper`` counts parameters as PyTorch does (trainable: weights, biases, BN γ
and β); the paper counts weights only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Union

from mncost.core.costing import Report
from mncost.core.errors import ConfigError, MncostError
from mncost.core.ir import Network
from mncost.core.kinds import PEERS, add_quantities, kind, quantity_labels, quantity_rules

def quantities(source: Union[Network, Report]) -> dict[str, int]:
    """The per-model sums every preset is a combination of: each node's kind says what it
    touches (``Kind.quantities``); quantities no node has are 0."""
    network = source.network if isinstance(source, Report) else source
    total = dict.fromkeys(quantity_labels(), 0)
    for node in network.nodes:
        add_quantities(total, kind(node.kind).quantities(node).items())
    return total


class PresetError(MncostError):
    """A preset that cannot count a quantity some kind contributes."""


@dataclass(frozen=True)
class Preset:
    """One tool's counting rule: a weighted sum of the kinds' quantities.

    The weights are not written here: each quantity's rule, with a weight for every preset,
    lives with the kind that introduces it (``Kind.quantity_rules``), so a new layer kind
    brings the presets' rules with it and no quantity can be counted as a silent zero.
    """

    name: str
    tool: str            # how the number is obtained from the tool
    unit: str            # "MACs" (a multiply-add counts 1) or "FLOPs" (multiply and add: 2)
    tool_label: str      # what the tool itself calls the number
    source: str          # where the rule comes from
    params_convention: str = "trainable"

    @property
    def weights(self) -> tuple[tuple[str, int], ...]:
        """(quantity, weight) for every quantity this tool counts, in registry order."""
        return tuple((name, rule.weight(self.name)) for name, rule in quantity_rules().items()
                     if rule.weight(self.name))

    @property
    def ignored(self) -> tuple[str, ...]:
        """The quantities this tool counts as 0 (each said so by its kind)."""
        return tuple(name for name, rule in quantity_rules().items()
                     if not rule.weight(self.name))

    @property
    def operators(self) -> tuple[tuple[str, str], ...]:
        """(quantity, fvcore operator) for verify's per-operator checks."""
        return tuple((name, rule.fvcore_operator) for name, rule in quantity_rules().items()
                     if rule.fvcore_operator)

    @property
    def rule(self) -> str:
        """The rule as a formula: ``conv + fc + 2·bn_elements + pool_in_elements``."""
        terms = [name if w == 1 else f"{w}·{name}" for name, w in self.weights]
        return " + ".join(terms)

    def count(self, source: Union[Network, Report]) -> "PresetCount":
        q = quantities(source)
        unknown = [name for name in q if name not in quantity_rules()]
        if unknown:
            raise PresetError(f"preset {self.name!r} has no rule for {', '.join(unknown)}")
        terms = tuple((name, w, w * q[name]) for name, w in self.weights)
        report = source if isinstance(source, Report) else None
        params = report.params_as(self.params_convention) if report is not None else None
        return PresetCount(preset=self, terms=terms, params=params)


@dataclass(frozen=True)
class PresetCount:
    """A preset applied to one model: the total and the terms it sums."""

    preset: Preset
    terms: tuple[tuple[str, int, int], ...]  # (quantity, weight, weight · quantity)
    params: int | None = None                # under the preset's convention, given a Report

    @property
    def total(self) -> int:
        return sum(value for _, _, value in self.terms)

    @property
    def unit(self) -> str:
        return self.preset.unit

    def as_dict(self) -> dict:
        data = {
            "preset": self.preset.name,
            "tool": self.preset.tool,
            "unit": self.preset.unit,
            "tool_label": self.preset.tool_label,
            "total": self.total,
            "rule": self.preset.rule,
            "terms": {name: value for name, _, value in self.terms},
            "source": self.preset.source,
        }
        if self.params is not None:
            data["params"] = self.params
            data["params_convention"] = self.preset.params_convention
        return data


PRESETS: Mapping[str, Preset] = {p.name: p for p in (
    Preset("paper", "the paper's mult-adds (Howard et al. 2017, §3.1, Table 2)", "MACs",
           "Mult-Adds", "the counting convention in mncost/core/costing.py: only "
           "convolutions and fully connected layers cost mult-adds",
           params_convention="paper"),
    Preset("fvcore", "fvcore FlopCountAnalysis(model, x).total(), eval mode", "MACs",
           "flops (fvcore: one fused multiply-add = one flop)",
           "fvcore/nn/jit_handles.py (conv_flop_jit, linear_flop_jit, batchnorm_flop_jit) and "
           "flop_count.py (_DEFAULT_SUPPORTED_OPS: adaptive_avg_pool2d = "
           "elementwise_flop_counter(1, 0)); every other operator is ignored or unsupported"),
    Preset("torch", "torch.utils.flop_counter.FlopCounterMode().get_total_flops()", "FLOPs",
           "FLOPs",
           "torch/utils/flop_counter.py: conv_flop_count and addmm/mm count 2 per "
           "multiply-add; bias, batch norm, activations, pooling and elementwise ops are not "
           "registered"),
    Preset("ptflops", "ptflops get_model_complexity_info(..., backend='pytorch'), defaults",
           "MACs", "MACs (GMac)",
           "ptflops/pytorch_ops.py (MODULES_MAPPING, FUNCTIONAL_MAPPING) and "
           "pytorch_engine.py (patch_functional: F.relu, F.adaptive_avg_pool2d, F.softmax "
           "counted on top of module hooks)"),
    Preset("ptflops-aten", "ptflops get_model_complexity_info(..., backend='aten')", "MACs",
           "MACs (GMac)",
           "ptflops/aten_ops.py (ATEN_OPS_MAPPING: conv_flop adds the bias per output "
           "element; addmm_flop adds batch · out_features for the linear bias)"),
    Preset("thop", "thop.profile(model, inputs=(x,))", "MACs", "MACs",
           "thop/profile.py (register_hooks) and thop/vision/basic_hooks.py, calc_func.py "
           "(count_convNd, count_normalization, count_adap_avgpool, count_linear, "
           "count_softmax; ReLU is zero_ops)"),
    Preset("torchinfo", "torchinfo summary(model, input_size) 'Total mult-adds'", "MACs",
           "Total mult-adds",
           "torchinfo/layer_info.py (LayerInfo.calculate_macs: parameters × output "
           "positions for Conv, parameters × batch otherwise; leaf layers summed in "
           "model_statistics.py)"),
    Preset("calflops", "calflops calculate_flops(model, input_shape) FLOPs (its MACs are "
           "the paper preset)", "FLOPs", "FLOPs",
           "calflops/pytorch_ops.py (patched functionals: conv 2 per multiply-add + 1 per "
           "output element for a bias, linear 2 per multiply-add with the bias ignored, batch "
           "norm 2 per element in eval mode, relu and silu 1 per element, every pooling 1 per "
           "input element, softmax 1 per element; hardtanh (ReLU6), hardswish, hardsigmoid, "
           "sigmoid, add, mul, cat and Tensor.mean are not patched)"),
)}

PRESET_NAMES = tuple(PRESETS)


def preset(name: str) -> Preset:
    try:
        return PRESETS[name]
    except KeyError:
        raise ConfigError(f"unknown preset {name!r}; known: {', '.join(PRESET_NAMES)}") from None


def count_as(name: str, source: Union[Network, Report]) -> PresetCount:
    """The total ``name``'s tool reports for this model, e.g. ``count_as("fvcore", report)``."""
    return preset(name).count(source)


def count_all(source: Union[Network, Report]) -> dict[str, PresetCount]:
    return {name: p.count(source) for name, p in PRESETS.items()}


assert tuple(PRESETS) == PEERS  # every quantity rule gives one weight per preset
