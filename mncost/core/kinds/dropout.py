"""Dropout: the identity at inference (what every count assumes), a view of its input."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from mncost.core.ir import Shape
from mncost.core.kinds import Kind, SpecDefaults, register

if TYPE_CHECKING:  # pragma: no cover
    from mncost.core.ir import Node
    from mncost.core.yamlio import Located


class DropoutAttrs(NamedTuple):
    p: float


@register
class Dropout(Kind):
    name = "dropout"
    spec_kinds = ("dropout",)
    input_layout = "any"
    keys = ("p",)
    single_unnumbered = True
    aliases_input = True

    def parse(self, word: str, entry: "Located", defaults: SpecDefaults) -> dict[str, Any]:
        p = entry.get("p", 0.5)
        value = p.number()
        if not 0 <= value < 1:
            raise p.error(f"must be a probability from 0 up to (not including) 1, got {value}")
        return {"p": float(value)}

    def resolve(self, declared, inputs: tuple[Shape, ...], scale) -> tuple[DropoutAttrs, Shape]:
        return DropoutAttrs(p=declared["p"]), inputs[0]

    def type_label(self, node: "Node") -> str:
        return "Dropout"

    def filter_text(self, node: "Node") -> str:
        return f"p={node.attrs.p:g}"

    def torch_module(self, node: "Node", kit: Any) -> Any:
        return kit.nn.Dropout(node.attrs.p)
