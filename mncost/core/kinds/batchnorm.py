"""Batch norm on its own (after a join, say); a conv's own batch norm is part of the conv.

``2·C`` trainable parameters (γ, β) and ``2·C`` running statistics; free under the paper's
convention, ``bn_elements`` for the presets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mncost.core.ir import Shape
from mncost.core.kinds import Cost, Kind, register

if TYPE_CHECKING:  # pragma: no cover
    from mncost.core.ir import Node


@register
class BatchNorm(Kind):
    name = "batchnorm"
    spec_kinds = ("batchnorm",)
    name_prefix = "bn"
    table2 = "Batch norm"

    def resolve(self, declared, inputs: tuple[Shape, ...], scale) -> tuple[None, Shape]:
        return None, inputs[0]

    def cost_terms(self, node: "Node") -> tuple[tuple[Cost, str], ...]:
        c = node.output_shape.c
        return ((Cost(bn_affine=2 * c, bn_stats=2 * c), "one"),)

    def quantities(self, node: "Node") -> dict[str, int]:
        return {"bn_elements": node.output_shape.elements, "bn_affine": 2 * node.output_shape.c}

    def type_label(self, node: "Node") -> str:
        return "Batch norm"

    def torch_module(self, node: "Node", kit: Any) -> Any:
        return kit.nn.BatchNorm2d(node.output_shape.c)
