"""Elementwise product of two tensors, one broadcast over H×W when it is 1×1×C:
squeeze-and-excite's gate (``x · σ(s)``).

Spec word ``mul`` with ``inputs: [x, gate]`` (or ``[gate, x]``). The output has the larger
input's shape. Free
under the paper's convention; it touches one multiplication per output element
(``mul_elements``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mncost.core.ir import Shape
from mncost.core.kinds import Kind, ShapeError, quantity, register

if TYPE_CHECKING:  # pragma: no cover
    from mncost.core.ir import Node


@register
class Mul(Kind):
    name = "mul"
    spec_kinds = ("mul",)
    input_layout = "any"
    arity = (2, 2)
    table2 = "Elementwise"
    quantity_rules = {"mul_elements": quantity("elementwise multiplications (squeeze-and-excite scale)", paper=0, fvcore=0, torch=0, ptflops=0,
                                         ptflops_aten=0, thop=0, torchinfo=0, calflops=0)}

    def resolve(self, declared, inputs: tuple[Shape, ...], scale) -> tuple[None, Shape]:
        x, gate = inputs
        if x == Shape(1, 1, gate.c):  # the gate may come first (torchvision: scale * input)
            x, gate = gate, x
        if gate != x and gate != Shape(1, 1, x.c):
            raise ShapeError(f"mul needs inputs of one shape, or one of them 1×1×C (broadcast "
                             f"over H×W), got {inputs[0]} and {inputs[1]}", field="inputs")
        return None, x

    def quantities(self, node: "Node") -> dict[str, int]:
        return {"mul_elements": node.output_shape.elements}

    def type_label(self, node: "Node") -> str:
        return "Mul"

    def filter_text(self, node: "Node") -> str:
        return " × ".join(node.inputs)

    def torch_module(self, node: "Node", kit: Any) -> Any:
        return kit.Mul()
