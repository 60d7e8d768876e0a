"""Convolution, with any kernel, stride, dilation, padding and groups, optionally followed by
batch norm and an activation (one row of the paper's Table 1 is conv + BN + ReLU).

Spec words: ``conv`` (``groups`` default 1), ``dw`` (depthwise: ``groups`` = input channels,
``depth_multiplier`` outputs per channel) and ``pw`` (pointwise: 1×1, no padding). Every one
costs ``k_h·k_w·(c_in / groups)·c_out·h_out·w_out`` mult-adds (the paper's §3.1 with
``groups``): depthwise is ``groups = c_in``, pointwise is ``k = 1``. A resolved node's kind is
the word it was declared with (``conv``, ``dw``, ``pw``; a separable block's halves are
``dw`` and ``pw``), so tables and Table 2 keep the paper's rows.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING, Any, NamedTuple

from mncost.core.ir import Shape, compact, pair
from mncost.core.kinds import Cost, Kind, ShapeError, SpecDefaults, quantity, register
from mncost.core.kinds._common import (MAX_CHANNELS, MAX_KERNEL, MAX_STRIDE, int_pair,
                                       kernel_text, padding_value, resolve_padding, window_output)
from mncost.core.settings import WIDTH_RULES
from mncost.core.kinds.activation import (activation_module, activation_quantities,
                                          parse_activation)

if TYPE_CHECKING:  # pragma: no cover
    from mncost.core.ir import Node
    from mncost.core.yamlio import Located

_COMMON = ("stride", "batch_norm", "activation", "bias")
_KEYS = {
    "conv": ("out", "expand", "width", "kernel", "padding", "dilation", "groups") + _COMMON,
    "dw": ("kernel", "padding", "dilation") + _COMMON,
    "pw": ("out", "expand", "width") + _COMMON,
}
# How the width multiplier treats ``out`` (settings.WIDTH_RULES): scaled (every layer of the
# network's width), fixed (a classifier written as a 1×1 conv: its outputs are the task's
# classes; MnasNet's 1280 head) or grow (scaled by max(1, α): MobileNetV2's last 1280).
# ``expand: k`` instead of ``out`` makes the output k × the input's width (V3's and
# EfficientNet's head conv: 6 × and 4 × the last block's output, at every α).

class ConvAttrs(NamedTuple):
    kernel: int | tuple[int, int]
    stride: int | tuple[int, int]
    padding: int | tuple[int, int, int, int]   # top, bottom, left, right when not all equal
    dilation: int | tuple[int, int]
    groups: int
    bias: bool
    batch_norm: bool
    activation: str | None
    variety: str = "conv"  # conv | dw | pw: the word it was declared with

    @property
    def depthwise(self) -> bool:
        return self.variety == "dw"

    @property
    def padding4(self) -> tuple[int, int, int, int]:
        p = self.padding
        return (p, p, p, p) if isinstance(p, int) else p

@register
class Conv(Kind):
    name = "conv"
    node_kinds = ("dw", "pw")
    spec_kinds = ("conv", "dw", "pw")
    keys = _KEYS["conv"]
    # How each tool counts what a conv touches (sources in presets.py's docstring).
    quantity_rules = {
        "conv": quantity("conv mult-adds", fvcore_operator="conv", paper=1, fvcore=1,
                         torch=2, ptflops=1, ptflops_aten=1, thop=1, torchinfo=1, calflops=2),
        "conv_bias": quantity("conv bias additions (output elements of biased convs)",
                              paper=0, fvcore=0, torch=0, ptflops=1, ptflops_aten=1, thop=0,
                              torchinfo=1, calflops=1),
        "bn_elements": quantity("batch-norm output elements", fvcore_operator="batch_norm",
                                paper=0, fvcore=2, torch=0, ptflops=2, ptflops_aten=0, thop=4,
                                torchinfo=0, calflops=2),
        "bn_affine": quantity("batch-norm γ and β parameters", paper=0, fvcore=0, torch=0,
                              ptflops=0, ptflops_aten=0, thop=0, torchinfo=1, calflops=0),
    }

    def spec_keys(self, word: str) -> tuple[str, ...]:
        return _KEYS[word]

    def parse(self, word: str, entry: "Located", defaults: SpecDefaults) -> dict[str, Any]:
        declared: dict[str, Any] = {
            "out": None, "kernel": 1, "padding": 0, "dilation": 1, "groups": 1,
            "variety": word,
        }
        if word != "dw" and entry.has("expand"):
            for key in ("out", "width"):
                if entry.has(key):
                    raise entry.get(key).error(f"not allowed with expand (the output is "
                                               f"expand × the input's width)")
            declared["expand"] = entry.get("expand").integer(minimum=1, maximum=1024)
        elif word != "dw":  # required, and null is not a channel count
            declared["out"] = entry.get("out", required=True).positive_int(maximum=MAX_CHANNELS)
            declared["width"] = entry.get("width", "scaled").string(choices=list(WIDTH_RULES))
        if word != "pw":
            declared["kernel"] = int_pair(entry.get("kernel", 3), maximum=MAX_KERNEL)
            declared["padding"] = padding_value(entry.get("padding", None))
            declared["dilation"] = int_pair(entry.get("dilation", 1), maximum=MAX_KERNEL)
        if word == "conv":
            declared["groups"] = entry.get("groups", 1).positive_int(maximum=MAX_CHANNELS)
        declared["stride"] = int_pair(entry.get("stride", 1), maximum=MAX_STRIDE)
        declared["bias"] = entry.get("bias", defaults.bias).boolean()
        declared["batch_norm"] = entry.get("batch_norm", defaults.batch_norm).boolean()
        activation = entry.get("activation", defaults.activation or "none")
        declared["activation"] = parse_activation(activation)
        return declared

    def resolve(self, declared, inputs: tuple[Shape, ...], scale) -> tuple[ConvAttrs, Shape]:
        source = inputs[0]
        if declared["variety"] == "dw":
            groups, c_out = source.c, source.c * scale.depth_multiplier
        else:
            groups = declared["groups"]
            if declared.get("expand"):
                c_out = source.c * declared["expand"]
            else:
                c_out = scale.channels(declared["out"], declared.get("width", "scaled"))
            if source.c % groups or c_out % groups:
                raise ShapeError(f"groups={groups} must divide the input channels "
                                 f"({source.c}) and the output channels ({c_out})")
        kernel, stride, dilation = (pair(declared[k]) for k in ("kernel", "stride", "dilation"))
        padding = resolve_padding(declared["padding"], source, kernel, stride, dilation)
        h, w = window_output(source, kernel, stride, padding, dilation)
        attrs = ConvAttrs(kernel=compact(kernel), stride=compact(stride),
                          padding=compact(padding), dilation=compact(dilation), groups=groups,
                          bias=declared["bias"], batch_norm=declared["batch_norm"],
                          activation=declared["activation"], variety=declared["variety"])
        return attrs, Shape(h, w, c_out)

    def node_kind(self, attrs: ConvAttrs, inputs, output: Shape) -> str:
        return attrs.variety

    # -- cost --
    @staticmethod
    def weights(node: "Node") -> int:
        kh, kw = pair(node.attrs.kernel)
        return kh * kw * (node.input_shape.c // node.attrs.groups) * node.output_shape.c

    def cost_terms(self, node: "Node") -> tuple[tuple[Cost, str], ...]:
        weights, c_out, attrs = self.weights(node), node.output_shape.c, node.attrs
        bn = 2 * c_out if attrs.batch_norm else 0
        return ((Cost(mult_adds=weights), "out_pixels"),
                (Cost(weights=weights, biases=c_out if attrs.bias else 0, bn_affine=bn,
                      bn_stats=bn), "one"))

    def quantities(self, node: "Node") -> dict[str, int]:
        out = node.output_shape
        attrs = node.attrs
        found = {"conv": self.weights(node) * out.pixels,
                 "conv_bias": out.elements if attrs.bias else 0,
                 "bn_elements": out.elements if attrs.batch_norm else 0,
                 "bn_affine": 2 * out.c if attrs.batch_norm else 0}
        found.update(activation_quantities(attrs.activation, out.elements))
        return found

    # -- labels --
    def type_label(self, node: "Node") -> str:
        return "Conv dw" if node.kind == "dw" else "Conv"

    def filter_text(self, node: "Node") -> str:
        k = kernel_text(node.attrs.kernel)
        c_in, c_out = node.input_shape.c, node.output_shape.c
        if node.kind == "dw":
            multiplier = c_out // c_in
            return f"{k}×{c_in}{f'×{multiplier}' if multiplier != 1 else ''} dw"
        return f"{k}×{c_in // node.attrs.groups}×{c_out}"

    def table2_label(self, node: "Node") -> str:
        k = kernel_text(node.attrs.kernel)
        return f"Conv DW {k}" if node.kind == "dw" else f"Conv {k}"

    # -- PyTorch --
    def torch_module(self, node: "Node", kit: Any) -> Any:
        nn, attrs = kit.nn, node.attrs
        top, bottom, left, right = attrs.padding4
        parts: OrderedDict[str, Any] = OrderedDict()
        if (top, left) == (bottom, right):
            padding: Any = (top, left)
        else:  # asymmetric (TensorFlow "same", Keras' ZeroPadding2D): pad first, then "valid"
            parts["pad"] = nn.ZeroPad2d((left, right, top, bottom))
            padding = 0
        parts["conv"] = nn.Conv2d(node.input_shape.c, node.output_shape.c, pair(attrs.kernel),
                                  stride=pair(attrs.stride), padding=padding,
                                  dilation=pair(attrs.dilation), groups=attrs.groups,
                                  bias=attrs.bias)
        if attrs.batch_norm:
            parts["bn"] = nn.BatchNorm2d(node.output_shape.c)
        if attrs.activation is not None:
            parts["act"] = activation_module(attrs.activation, kit)
        return nn.Sequential(parts)
