"""Fully connected layer on the flattened input: ``in_features · out_features`` mult-adds.

Spec word ``fc``: ``out`` defaults to the spec's ``classes`` and is not scaled by α (the
classifier's outputs are the task's, not the network's width) unless ``width: scaled`` (or
``grow``) says so, as for MobileNetV3's hidden 1280 / 1024; ``bias`` defaults to true.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from mncost.core.ir import Shape
from mncost.core.kinds import Cost, Kind, SpecDefaults, quantity, register
from mncost.core.kinds._common import MAX_CHANNELS

if TYPE_CHECKING:  # pragma: no cover
    from mncost.core.ir import Node
    from mncost.core.yamlio import Located


class LinearAttrs(NamedTuple):
    bias: bool


@register
class Linear(Kind):
    name = "fc"
    spec_kinds = ("fc",)
    input_layout = "flat"
    keys = ("out", "width", "bias")
    single_unnumbered = True
    table2 = "Fully connected"
    quantity_rules = {
        "fc": quantity("FC mult-adds", fvcore_operator="linear", paper=1, fvcore=1, torch=2,
                       ptflops=1, ptflops_aten=1, thop=1, torchinfo=1, calflops=2),
        "fc_bias": quantity("FC bias additions", paper=0, fvcore=0, torch=0, ptflops=1,
                            ptflops_aten=1, thop=0, torchinfo=1, calflops=0),
    }

    def parse(self, word: str, entry: "Located", defaults: SpecDefaults) -> dict[str, Any]:
        from mncost.core.settings import WIDTH_RULES

        out = entry.get("out", None).optional(lambda v: v.positive_int(maximum=MAX_CHANNELS))
        width = entry.get("width", "fixed").string(choices=list(WIDTH_RULES))
        if width != "fixed" and out is None:
            raise entry.get("width").error("needs out (the classes are never scaled)")
        return {"out": out or defaults.classes, "width": width,
                "bias": entry.get("bias", True).boolean()}

    def resolve(self, declared, inputs: tuple[Shape, ...], scale) -> tuple[LinearAttrs, Shape]:
        out = scale.channels(declared["out"], declared.get("width", "fixed"))
        return LinearAttrs(bias=declared["bias"]), Shape(1, 1, out)

    @staticmethod
    def in_features(node: "Node") -> int:
        return node.input_shape.elements

    def cost_terms(self, node: "Node") -> tuple[tuple[Cost, str], ...]:
        # weights = (c_in · out) per input pixel: an FC on an un-pooled H×W×C input grows
        # with the resolution, which the sweep must see.
        per_pixel = node.input_shape.c * node.output_shape.c
        out = node.output_shape.c
        return ((Cost(mult_adds=per_pixel, weights=per_pixel), "in_pixels"),
                (Cost(biases=out if node.attrs.bias else 0), "one"))

    def quantities(self, node: "Node") -> dict[str, int]:
        out = node.output_shape.c
        return {"fc": self.in_features(node) * out, "fc_bias": out if node.attrs.bias else 0}

    def type_label(self, node: "Node") -> str:
        return "FC"

    def filter_text(self, node: "Node") -> str:
        return f"{self.in_features(node)}×{node.output_shape.c}"

    def torch_module(self, node: "Node", kit: Any) -> Any:
        # The builder flattens the input first (kit.flattens_input).
        return kit.nn.Linear(self.in_features(node), node.output_shape.c, bias=node.attrs.bias)
