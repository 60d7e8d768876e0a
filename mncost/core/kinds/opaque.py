"""An operation mncost has no rule for, kept in the graph as free: what ``mncost import
--allow-unknown`` writes for it, so the rest of the model can still be costed.

Spec word ``opaque`` with ``op`` (what it was, for the reader). Its output has its first
input's shape — which is what the importer assumes, and says so when it writes one. It costs
nothing under every convention and counts nothing for any tool; the builder stands in an
identity for it, so ``verify`` checks everything around it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from mncost.core.ir import Shape
from mncost.core.kinds import Kind, SpecDefaults, register

if TYPE_CHECKING:  # pragma: no cover
    from mncost.core.ir import Node
    from mncost.core.yamlio import Located


class OpaqueAttrs(NamedTuple):
    op: str


@register
class Opaque(Kind):
    name = "opaque"
    spec_kinds = ("opaque",)
    keys = ("op",)
    input_layout = "any"
    table2 = "Unknown (free)"

    def parse(self, word: str, entry: "Located", defaults: SpecDefaults) -> dict[str, Any]:
        return {"op": entry.get("op", "unknown operation").string()}

    def resolve(self, declared, inputs: tuple[Shape, ...], scale) -> tuple[Any, Shape]:
        return OpaqueAttrs(declared["op"]), inputs[0]

    def type_label(self, node: "Node") -> str:
        return "Unknown"

    def filter_text(self, node: "Node") -> str:
        return node.attrs.op

    def torch_module(self, node: "Node", kit: Any) -> Any:
        return kit.nn.Identity()
