"""Softmax over channels: the classifier's normalisation, free under the paper's convention."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mncost.core.ir import Shape
from mncost.core.kinds import Kind, quantity, register

if TYPE_CHECKING:  # pragma: no cover
    from mncost.core.ir import Node


@register
class Softmax(Kind):
    name = "softmax"
    spec_kinds = ("softmax",)
    input_layout = "any"
    single_unnumbered = True
    quantity_rules = {
        "softmax_elements": quantity("softmax input elements", paper=0, fvcore=0, torch=0,
                                     ptflops=1, ptflops_aten=0, thop=0, torchinfo=0, calflops=1),
        "softmax_thop": quantity("softmax rows × (3·C − 1)", paper=0, fvcore=0, torch=0,
                                 ptflops=0, ptflops_aten=0, thop=1, torchinfo=0, calflops=0),
    }

    def resolve(self, declared, inputs: tuple[Shape, ...], scale) -> tuple[None, Shape]:
        return None, inputs[0]

    def quantities(self, node: "Node") -> dict[str, int]:
        shape = node.input_shape
        return {"softmax_elements": shape.elements,
                "softmax_thop": shape.pixels * (3 * shape.c - 1)}

    def type_label(self, node: "Node") -> str:
        return "Softmax"

    def filter_text(self, node: "Node") -> str:
        return "Classifier"

    def torch_module(self, node: "Node", kit: Any) -> Any:
        return kit.nn.Softmax(dim=1)
