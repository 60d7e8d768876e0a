"""Average pooling: global (the paper's "Avg Pool 7×7" before the classifier) or windowed.

Spec word ``avgpool``: without ``kernel`` it averages the whole H×W to 1×1 (PyTorch
``AdaptiveAvgPool2d(1)``); with ``kernel`` (and ``stride``, default the kernel, and
``padding``, default 0, and ``ceil_mode``, PyTorch's, default false) it slides a window
(``AvgPool2d``, padding counted in the average).
Free under the paper's convention; the presets weigh its input and output elements.
``torch:`` says how the PyTorch model computes a global average, which is what the peer tools
see: ``module`` (``nn.AdaptiveAvgPool2d``, the default), ``function``
(``F.adaptive_avg_pool2d`` in ``forward``, as torchvision's MobileNetV2) or ``mean``
(``x.mean([2, 3])``, as its MnasNet). The numbers are the same; hook-based counters see only
the module, ptflops also the function, and fvcore has no rule for the mean.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from mncost.core.ir import Shape, compact, pair
from mncost.core.kinds import Kind, SpecDefaults, quantity, register
from mncost.core.kinds._common import (MAX_KERNEL, MAX_STRIDE, int_pair, kernel_text,
                                       padding_value, resolve_padding, window_output)

if TYPE_CHECKING:  # pragma: no cover
    from mncost.core.ir import Node
    from mncost.core.yamlio import Located


# How a global average is computed in torch → the quantity its input elements count under.
CALLS = {"module": "pool_in_elements", "function": "pool_fn_in_elements",
         "mean": "mean_in_elements"}


class PoolAttrs(NamedTuple):
    """``kernel`` None: global. Otherwise the window, as for a conv."""

    kernel: int | tuple[int, int] | None = None
    stride: int | tuple[int, int] = 1
    padding: int | tuple[int, int, int, int] = 0
    call: str = "module"  # global only: module | function | mean (module docstring)
    ceil_mode: bool = False  # PyTorch's: the last window may overhang (a partial window)


def parse_window(entry: "Located", *, kernel_required: bool) -> dict[str, Any]:
    """kernel, stride (default: the kernel) and padding of a pooling entry."""
    if not kernel_required and not entry.has("kernel"):
        for key in ("stride", "padding", "ceil_mode"):
            if entry.has(key):
                raise entry.get(key).error("needs a kernel (without one the pool is global)")
        return {"kernel": None}
    kernel = int_pair(entry.get("kernel", required=True), maximum=MAX_KERNEL)
    stride = int_pair(entry.get("stride", kernel), maximum=MAX_STRIDE) \
        if entry.has("stride") else kernel
    padding = padding_value(entry.get("padding", 0))
    return {"kernel": kernel, "stride": stride, "padding": 0 if padding is None else padding,
            "ceil_mode": entry.get("ceil_mode", False).boolean()}


def resolve_window(declared, source: Shape) -> tuple[PoolAttrs, Shape]:
    kernel, stride = pair(declared["kernel"]), pair(declared["stride"])
    padding = resolve_padding(declared["padding"], source, kernel, stride, (1, 1))
    ceil_mode = declared.get("ceil_mode", False)
    h, w = window_output(source, kernel, stride, padding)
    if ceil_mode:
        h, w = (_ceil_size(n, k, s, before, after, floor_size) for n, k, s, before, after,
                floor_size in ((source.h, kernel[0], stride[0], padding[0], padding[1], h),
                               (source.w, kernel[1], stride[1], padding[2], padding[3], w)))
    attrs = PoolAttrs(kernel=compact(kernel), stride=compact(stride), padding=compact(padding),
                      ceil_mode=ceil_mode)
    return attrs, Shape(h, w, source.c)


def _ceil_size(n: int, k: int, s: int, before: int, after: int, floor_size: int) -> int:
    """PyTorch's ``ceil_mode`` size: round the window count up, but drop a last window that
    would start in the padding on the far side."""
    out = -(-(n + before + after - k) // s) + 1
    if (out - 1) * s >= n + before:
        out -= 1
    return max(out, floor_size)


def window_quantities(prefix: str, node: "Node") -> dict[str, int]:
    """A windowed pool's input and output elements, named ``<prefix>_in_elements`` and
    ``<prefix>_out_elements``: what the peer tools count for it."""
    return {f"{prefix}_in_elements": node.input_shape.elements,
            f"{prefix}_out_elements": node.output_shape.elements}


def window_module(cls: Any, node: "Node", kit: Any, **options: Any) -> Any:
    """A torch pooling module for a windowed node; asymmetric padding goes in a ZeroPad2d."""
    padding = node.attrs.padding
    top, bottom, left, right = (padding,) * 4 if isinstance(padding, int) else padding
    pool_options = dict(kernel_size=pair(node.attrs.kernel), stride=pair(node.attrs.stride))
    if node.attrs.ceil_mode:
        pool_options["ceil_mode"] = True
    if (top, left) == (bottom, right):
        return cls(padding=(top, left), **pool_options, **options)
    return kit.nn.Sequential(kit.nn.ZeroPad2d((left, right, top, bottom)),
                             cls(padding=0, **pool_options, **options))


@register
class AvgPool(Kind):
    name = "avgpool"
    spec_kinds = ("avgpool",)
    keys = ("kernel", "stride", "padding", "ceil_mode", "torch")
    name_prefix = "pool"
    single_unnumbered = True
    table2 = "Pooling"
    quantity_rules = {
        "pool_in_elements": quantity("global average-pool input elements",
                                     fvcore_operator="adaptive_avg_pool2d", paper=0, fvcore=1,
                                     torch=0, ptflops=2, ptflops_aten=0, thop=1, torchinfo=0, calflops=1),
        "pool_out_elements": quantity("global average-pool output elements", paper=0,
                                      fvcore=0, torch=0, ptflops=0, ptflops_aten=0, thop=1,
                                      torchinfo=0, calflops=0),
        # ptflops: the AvgPool2d hook and the patched F.avg_pool2d it calls, input elements
        # each; thop: count_avgpool, one per output element.
        "avgpool_in_elements": quantity("windowed average-pool input elements", paper=0,
                                        fvcore=0, torch=0, ptflops=2, ptflops_aten=0, thop=0,
                                        torchinfo=0, calflops=1),
        "avgpool_out_elements": quantity("windowed average-pool output elements", paper=0,
                                         fvcore=0, torch=0, ptflops=0, ptflops_aten=0, thop=1,
                                         torchinfo=0, calflops=0),
        # F.adaptive_avg_pool2d: fvcore traces the same aten op; ptflops sees only its
        # patched functional; thop and torchinfo see no module.
        "pool_fn_in_elements": quantity("global average-pool input elements (functional)",
                                        fvcore_operator="adaptive_avg_pool2d", paper=0,
                                        fvcore=1, torch=0, ptflops=1, ptflops_aten=0, thop=0,
                                        torchinfo=0, calflops=1),
        # x.mean([2, 3]): fvcore has no handle for aten::mean; no tool sees a module.
        "mean_in_elements": quantity("spatial-mean input elements", paper=0, fvcore=0,
                                     torch=0, ptflops=0, ptflops_aten=0, thop=0,
                                     torchinfo=0, calflops=0),
    }

    def parse(self, word: str, entry: "Located", defaults: SpecDefaults) -> dict[str, Any]:
        declared = parse_window(entry, kernel_required=False)
        if entry.has("torch"):
            declared["call"] = entry.get("torch").string(choices=list(CALLS))
            if declared["kernel"] is not None:
                raise entry.get("torch").error("only for a global average (no kernel)")
        return declared

    def resolve(self, declared, inputs: tuple[Shape, ...], scale) -> tuple[PoolAttrs, Shape]:
        if declared["kernel"] is None:
            return PoolAttrs(call=declared.get("call", "module")), Shape(1, 1, inputs[0].c)
        return resolve_window(declared, inputs[0])

    def quantities(self, node: "Node") -> dict[str, int]:
        if node.attrs.call != "module":
            return {CALLS[node.attrs.call]: node.input_shape.elements}
        if node.attrs.kernel is None:
            return {"pool_in_elements": node.input_shape.elements,
                    "pool_out_elements": node.output_shape.elements}
        return window_quantities("avgpool", node)

    def filter_text(self, node: "Node") -> str:
        if node.attrs.kernel is None:
            return f"Pool {node.input_shape.h}×{node.input_shape.w}"
        return f"Pool {kernel_text(node.attrs.kernel)}"

    def type_label(self, node: "Node") -> str:
        return "Mean" if node.attrs.call == "mean" else "Avg Pool"

    def torch_module(self, node: "Node", kit: Any) -> Any:
        if node.attrs.call != "module":
            return kit.GlobalAverage(node.attrs.call)
        if node.attrs.kernel is None:
            return kit.nn.AdaptiveAvgPool2d(1)
        return window_module(kit.nn.AvgPool2d, node, kit)
