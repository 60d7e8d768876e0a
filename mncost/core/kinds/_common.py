"""Spec-value parsers and shape helpers several kinds share (not a kind: no ``@register``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mncost.core.ir import conv_output_size, pair
from mncost.core.kinds import ShapeError

if TYPE_CHECKING:  # pragma: no cover
    from mncost.core.ir import Shape
    from mncost.core.yamlio import Located

MAX_KERNEL = 1024
MAX_STRIDE = 1 << 20
MAX_CHANNELS = 1 << 24

Padding = tuple[int, int, int, int]  # top, bottom, left, right


def int_pair(node: "Located", *, maximum: int, minimum: int = 1) -> int | tuple[int, int]:
    """``3`` or ``[3, 5]`` (height, width): kernels, strides, dilations."""
    if isinstance(node.value, list):
        items = node.sequence()
        if len(items) != 2:
            raise node.error(f"must be one integer or a list [height, width], got "
                             f"{len(items)} values")
        values = tuple(item.integer(minimum=minimum, maximum=maximum,
                                    what="a positive integer" if minimum == 1
                                    else "a non-negative integer") for item in items)
        return values[0] if values[0] == values[1] else values  # type: ignore[return-value]
    return node.integer(minimum=minimum, maximum=maximum,
                        what="a positive integer" if minimum == 1 else "a non-negative integer")


def padding_value(node: "Located") -> Any:
    """``same``, ``valid``, ``1``, ``[1, 2]`` (h, w) or ``[top, bottom, left, right]``."""
    if node.value is None:
        return None
    if isinstance(node.value, str):
        return node.string(choices=["same", "valid"])
    if isinstance(node.value, list):
        items = node.sequence()
        if len(items) not in (2, 4):
            raise node.error("must be an integer, same, valid, [height, width] or "
                             f"[top, bottom, left, right], got {len(items)} values")
        values = tuple(item.integer(minimum=0, maximum=MAX_KERNEL,
                                    what="a non-negative integer") for item in items)
        return values if len(values) == 4 else (values[0], values[0], values[1], values[1])
    return node.integer(minimum=0, maximum=MAX_KERNEL, what="a non-negative integer")


def resolve_padding(declared: Any, size: "Shape", kernel: tuple[int, int],
                    stride: tuple[int, int], dilation: tuple[int, int]) -> Padding:
    """Four-sided padding for a declared value.

    ``None`` is PyTorch's symmetric ``dilation·(k − 1) // 2`` on each side; ``same`` is
    TensorFlow's: output ``ceil(in / stride)``, the odd pixel of padding at the bottom and
    right; ``valid`` is none.
    """
    if declared is None:
        ph, pw = (d * (k - 1) // 2 for k, d in zip(kernel, dilation))
        return (ph, ph, pw, pw)
    if declared == "valid":
        return (0, 0, 0, 0)
    if declared == "same":
        sides = []
        for n, k, s, d in zip((size.h, size.w), kernel, stride, dilation):
            total = max((-(-n // s) - 1) * s + d * (k - 1) + 1 - n, 0)
            sides += [total // 2, total - total // 2]
        return (sides[0], sides[1], sides[2], sides[3])
    if isinstance(declared, int):
        return (declared,) * 4  # type: ignore[return-value]
    return tuple(declared)  # type: ignore[return-value]


class CollapseError(ShapeError):
    """A window that would leave less than one pixel: the input is too small."""


def window_output(size: "Shape", kernel: tuple[int, int], stride: tuple[int, int],
                  padding: Padding, dilation: tuple[int, int] = (1, 1)) -> tuple[int, int]:
    """(h, w) after a sliding window; ShapeError when it would collapse below 1."""
    h = conv_output_size(size.h, kernel[0], stride[0], padding[0], padding[1], dilation[0])
    w = conv_output_size(size.w, kernel[1], stride[1], padding[2], padding[3], dilation[1])
    if h < 1 or w < 1:
        raise CollapseError(f"would output {h}×{w} from a {size.h}×{size.w} input")
    return h, w


def kernel_text(kernel: int | tuple[int, int]) -> str:
    kh, kw = pair(kernel)
    return f"{kh}×{kw}"


def same_channels(node_name: str, inputs: tuple["Shape", ...]) -> None:
    """Joins that need every input's H×W×C equal (add) name the first one that differs."""
    first = inputs[0]
    for i, shape in enumerate(inputs[1:], start=1):
        if shape != first:
            raise ShapeError(f"{node_name} needs inputs of one shape, got {first} and {shape} "
                             f"(input {i + 1})", field="inputs")
