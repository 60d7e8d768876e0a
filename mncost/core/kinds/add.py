"""Elementwise sum of two or more tensors of one shape: the residual connection.

Spec word ``add`` with ``inputs: [a, b, ...]`` (node or entry names, or ``input``). Free under
the paper's convention; it touches ``(n − 1) · elements`` additions (``add_elements``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mncost.core.ir import Shape
from mncost.core.kinds import Kind, quantity, register
from mncost.core.kinds._common import same_channels

if TYPE_CHECKING:  # pragma: no cover
    from mncost.core.ir import Node


@register
class Add(Kind):
    name = "add"
    spec_kinds = ("add",)
    input_layout = "any"
    arity = (2, None)
    table2 = "Elementwise"
    quantity_rules = {"add_elements": quantity("elementwise additions (residual adds)", paper=0, fvcore=0, torch=0, ptflops=0,
                                         ptflops_aten=0, thop=0, torchinfo=0, calflops=0)}

    def resolve(self, declared, inputs: tuple[Shape, ...], scale) -> tuple[None, Shape]:
        same_channels("add", inputs)
        return None, inputs[0]

    def quantities(self, node: "Node") -> dict[str, int]:
        return {"add_elements": node.output_shape.elements * (len(node.inputs) - 1)}

    def type_label(self, node: "Node") -> str:
        return "Add"

    def filter_text(self, node: "Node") -> str:
        return " + ".join(node.inputs)

    def torch_module(self, node: "Node", kit: Any) -> Any:
        return kit.Add()
