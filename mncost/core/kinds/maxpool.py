"""Max pooling over a sliding window (PyTorch ``MaxPool2d``).

Spec word ``maxpool``: ``kernel`` (required), ``stride`` (default: the kernel), ``padding``
(default 0; an int, ``[h, w]``, ``[top, bottom, left, right]``, ``same`` or ``valid``) and
``ceil_mode`` (default false). The output is ``floor((in + pad_before + pad_after − k) /
stride) + 1`` per side, or with ``ceil_mode`` PyTorch's rounding up (a last partial window,
unless it would start in the far padding), channels unchanged. No parameters and no mult-adds under the paper's convention; the presets weigh
its input and output elements.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mncost.core.ir import Shape
from mncost.core.kinds import Kind, SpecDefaults, quantity, register
from mncost.core.kinds._common import kernel_text
from mncost.core.kinds.avgpool import (PoolAttrs, parse_window, resolve_window, window_module,
                                      window_quantities)

if TYPE_CHECKING:  # pragma: no cover
    from mncost.core.ir import Node
    from mncost.core.yamlio import Located


@register
class MaxPool(Kind):
    name = "maxpool"
    spec_kinds = ("maxpool",)
    keys = ("kernel", "stride", "padding", "ceil_mode")
    table2 = "Pooling"
    quantity_rules = {
        # ptflops: the MaxPool2d hook and the patched F.max_pool2d it calls count the input
        # elements once each; fvcore (max_pool2d unsupported) and thop (zero_ops) count 0.
        "maxpool_in_elements": quantity("max-pool input elements", paper=0, fvcore=0, torch=0,
                                        ptflops=2, ptflops_aten=0, thop=0, torchinfo=0, calflops=1),
        "maxpool_out_elements": quantity("max-pool output elements", paper=0, fvcore=0,
                                         torch=0, ptflops=0, ptflops_aten=0, thop=0,
                                         torchinfo=0, calflops=0),
    }

    def parse(self, word: str, entry: "Located", defaults: SpecDefaults) -> dict[str, Any]:
        return parse_window(entry, kernel_required=True)

    def resolve(self, declared, inputs: tuple[Shape, ...], scale) -> tuple[PoolAttrs, Shape]:
        return resolve_window(declared, inputs[0])

    def quantities(self, node: "Node") -> dict[str, int]:
        return window_quantities("maxpool", node)

    def type_label(self, node: "Node") -> str:
        return "Max Pool"

    def filter_text(self, node: "Node") -> str:
        return f"Pool {kernel_text(node.attrs.kernel)}"

    def torch_module(self, node: "Node", kit: Any) -> Any:
        return window_module(kit.nn.MaxPool2d, node, kit)
