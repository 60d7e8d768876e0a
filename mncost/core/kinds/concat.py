"""Concatenation along channels of tensors with the same H×W (an Inception-style join).

Spec word ``concat`` with ``inputs: [a, b, ...]``. Output channels are the sum. Free under
every convention mncost knows (``concat_elements`` records what it copies).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mncost.core.ir import Shape
from mncost.core.kinds import Kind, ShapeError, quantity, register

if TYPE_CHECKING:  # pragma: no cover
    from mncost.core.ir import Node


@register
class Concat(Kind):
    name = "concat"
    spec_kinds = ("concat",)
    input_layout = "any"
    arity = (2, None)
    table2 = "Concat"
    quantity_rules = {"concat_elements": quantity("concatenated output elements", paper=0, fvcore=0, torch=0, ptflops=0,
                                         ptflops_aten=0, thop=0, torchinfo=0, calflops=0)}

    def resolve(self, declared, inputs: tuple[Shape, ...], scale) -> tuple[None, Shape]:
        first = inputs[0]
        for i, shape in enumerate(inputs[1:], start=2):
            if (shape.h, shape.w) != (first.h, first.w):
                raise ShapeError(f"concat needs inputs of one height and width, got {first} "
                                 f"and {shape} (input {i})", field="inputs")
        return None, Shape(first.h, first.w, sum(shape.c for shape in inputs))

    def quantities(self, node: "Node") -> dict[str, int]:
        return {"concat_elements": node.output_shape.elements}

    def type_label(self, node: "Node") -> str:
        return "Concat"

    def filter_text(self, node: "Node") -> str:
        return " ‖ ".join(node.inputs)

    def torch_module(self, node: "Node", kit: Any) -> Any:
        return kit.Concat()
