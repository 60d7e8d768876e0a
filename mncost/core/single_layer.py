"""One layer, standard against depthwise separable, with α and ρ: the paper's Table 3.

Pure Python. The layers are built as conv nodes by the conv kind itself and costed by its
one convolution rule, so ``mncost layer`` and ``mncost table`` can never disagree.

Rows, in order (only those asked for):

* ``standard`` — one ``D_K×D_K`` conv, ``M → N`` channels;
* ``separable`` — a ``D_K×D_K`` depthwise conv on ``M`` channels carrying the stride, then a
  1×1 pointwise conv ``M → N`` at the output resolution;
* ``alpha`` — the separable pair with the width multiplier: ``M`` and ``N`` become
  ``floor(α·M)`` and ``floor(α·N)`` (at least 1), the rule of ``spec.scale_channels``;
* ``rho`` — the separable pair with the resolution multiplier on top of α (when α is given):
  the input size becomes ``floor(ρ·D_F + 1/2)`` (round half up, exact), the rule of
  ``spec.scale_resolution``; 14 · 0.714 = 9.996 gives 10 as in the paper.

``D_F`` (``size``) is the input's spatial size; the output is
``floor((D_F + 2·pad − D_K) / stride) + 1`` with ``pad = (D_K − 1) // 2``, equal to ``D_F`` at
stride 1 for odd kernels. Every mult-add count uses the output size, so the separable row's
ratio to the standard row is exactly ``1/N + 1/D_K²`` at any stride.

Parameters follow the engine's conventions, ``trainable`` by default as in every command;
the paper's Table 3 counts weights only (``params="paper"``). The layers are MobileNet's: no
bias, batch norm after each conv.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from mncost.core import costing as engine
from mncost.core.errors import ConfigError
from mncost.core.ir import INPUT, Node, Shape, conv_output_size
from mncost.core.kinds import ShapeError, kind
from mncost.core.settings import ChannelScaler
from mncost.core.spec import parse_fraction, scale_channels, scale_resolution

ROWS = ("standard", "separable", "alpha", "rho")
DEFAULT_PARAMS = "trainable"  # as every other command; Table 3 itself is params="paper"


@dataclass(frozen=True)
class LayerRow:
    """One row of the single-layer table: its convs and what they cost together."""

    row: str            # standard | separable | alpha | rho
    label: str          # the paper's wording: "Convolution", "α = 0.75", ...
    convs: tuple[Node, ...]
    mult_adds: int
    params: int

    @property
    def input_shape(self) -> Shape:
        return self.convs[0].input_shape

    @property
    def output_shape(self) -> Shape:
        return self.convs[-1].output_shape


@dataclass(frozen=True)
class SingleLayer:
    """The rows for one layer shape, with exact ratios to the standard row."""

    size: int
    c_in: int
    c_out: int
    kernel: int
    stride: int
    alpha: str | None
    rho: str | None
    params_convention: str
    rows: tuple[LayerRow, ...]

    @property
    def standard(self) -> LayerRow:
        return self.rows[0]

    def row(self, name: str) -> LayerRow:
        for row in self.rows:
            if row.row == name:
                return row
        raise KeyError(name)

    def mult_adds_ratio(self, row: LayerRow) -> Fraction:
        """``row`` mult-adds / standard mult-adds, exactly."""
        return Fraction(row.mult_adds, self.standard.mult_adds)

    def params_ratio(self, row: LayerRow) -> Fraction:
        return Fraction(row.params, self.standard.params)

    @property
    def theory(self) -> Fraction:
        """The paper's separable / standard reduction, ``1/N + 1/D_K²``."""
        return Fraction(1, self.c_out) + Fraction(1, self.kernel * self.kernel)


def _conv(name: str, shape: Shape, c_out: int, kernel: int, stride: int,
          variety: str) -> Node:
    """A MobileNet conv (no bias, batch norm and ReLU after it), resolved by the conv kind."""
    declared = {"out": c_out, "kernel": kernel, "stride": stride, "padding": None,
                "dilation": 1, "groups": 1, "variety": variety, "bias": False,
                "batch_norm": True, "activation": "relu"}
    rule = kind("conv")
    try:
        attrs, output = rule.resolve(declared, (shape,), ChannelScaler())
    except ShapeError:
        pad = (kernel - 1) // 2
        h, w = (conv_output_size(side, kernel, stride, pad, pad) for side in (shape.h, shape.w))
        raise ConfigError(f"a {kernel}×{kernel} stride-{stride} conv on a {shape.h}×{shape.w} "
                          f"input would output {h}×{w}") from None
    return Node(name=name, kind=rule.node_kind(attrs, (shape,), output), inputs=(INPUT,),
                input_shapes=(shape,), output_shape=output, attrs=attrs)


def _separable(name: str, size: int, c_in: int, c_out: int, kernel: int,
               stride: int) -> tuple[Node, Node]:
    dw = _conv(f"{name}.dw", Shape(size, size, c_in), c_in, kernel, stride, "dw")
    pw = _conv(f"{name}.pw", dw.output_shape, c_out, 1, 1, "pw")
    return dw, pw


def _row(row: str, label: str, convs: tuple[Node, ...], params: str) -> LayerRow:
    costs = [engine.layer_cost(conv) for conv in convs]
    return LayerRow(row=row, label=label, convs=convs,
                    mult_adds=sum(c.mult_adds for c in costs),
                    params=sum(c.params(params) for c in costs))


def single_layer(size: int, c_in: int, c_out: int, *, kernel: int = 3, stride: int = 1,
                 alpha: object = None, rho: object = None,
                 params: str = DEFAULT_PARAMS) -> SingleLayer:
    """Cost one layer four ways (the rows for α and ρ only when they are given)."""
    for what, value in (("size", size), ("input channels", c_in),
                        ("output channels", c_out), ("kernel", kernel), ("stride", stride)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"{what} must be a positive integer, got {value!r}")
    if params not in engine.PARAMS_CONVENTIONS:
        raise ConfigError(f"params must be one of {', '.join(engine.PARAMS_CONVENTIONS)}, "
                          f"got {params!r}")
    standard = _conv("standard", Shape(size, size, c_in), c_out, kernel, stride, "conv")
    rows = [_row("standard", "Convolution", (standard,), params),
            _row("separable", "Depthwise separable conv",
                 _separable("separable", size, c_in, c_out, kernel, stride), params)]
    m, n = c_in, c_out
    if alpha is not None:
        alpha_q = parse_fraction(alpha, "alpha")
        if alpha_q <= 0:
            raise ConfigError(f"alpha must be greater than 0, got {alpha}")
        m, n = scale_channels(c_in, alpha_q), scale_channels(c_out, alpha_q)
        rows.append(_row("alpha", f"α = {alpha}",
                         _separable("alpha", size, m, n, kernel, stride), params))
    if rho is not None:
        rho_q = parse_fraction(rho, "rho")
        if rho_q <= 0:
            raise ConfigError(f"rho must be greater than 0, got {rho}")
        scaled = scale_resolution(size, rho_q)
        if scaled < 1:
            raise ConfigError(f"rho {rho} scales the {size}×{size} input below 1 pixel")
        rows.append(_row("rho", f"ρ = {rho}",
                         _separable("rho", scaled, m, n, kernel, stride), params))
    return SingleLayer(size=size, c_in=c_in, c_out=c_out, kernel=kernel, stride=stride,
                       alpha=None if alpha is None else str(alpha),
                       rho=None if rho is None else str(rho), params_convention=params,
                       rows=tuple(rows))
