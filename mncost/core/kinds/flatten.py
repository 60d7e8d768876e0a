"""Flatten H×W×C to 1×1×(H·W·C) (PyTorch ``Flatten``): a view, no new memory, free."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mncost.core.ir import Shape
from mncost.core.kinds import Kind, register

if TYPE_CHECKING:  # pragma: no cover
    from mncost.core.ir import Node


@register
class Flatten(Kind):
    name = "flatten"
    spec_kinds = ("flatten",)
    input_layout = "any"
    single_unnumbered = True
    aliases_input = True
    factorable = False  # its channels (H·W·C) grow with the resolution

    def resolve(self, declared, inputs: tuple[Shape, ...], scale) -> tuple[None, Shape]:
        return None, Shape(1, 1, inputs[0].elements)

    def type_label(self, node: "Node") -> str:
        return "Flatten"

    def torch_module(self, node: "Node", kit: Any) -> Any:
        return kit.nn.Flatten(1)
