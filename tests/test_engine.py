"""Golden numbers for the analytic engine, derived from the paper's formulas and tables.

Every expected value here is computed in the test from Table 1 as printed in the paper
(../shared/PAPER.md) or quoted from the paper's published tables — never from mncost.
"""

from __future__ import annotations

import pytest

import mncost
from mncost.core import costing as engine
from mncost.core import spec
from mncost.core.costing import Cost, analyze
from mncost.core.ir import INPUT, Node, Shape
from mncost.core.kinds.conv import ConvAttrs

# Paper Table 1, one tuple per conv/FC row: (kind, stride, kernel, c_in, c_out, input size),
# with row 14 expanded and row 17's stride erratum applied (stride 1).
TABLE1 = [
    ("conv", 2, 3, 3, 32, 224),
    ("dw", 1, 3, 32, 32, 112), ("pw", 1, 1, 32, 64, 112),
    ("dw", 2, 3, 64, 64, 112), ("pw", 1, 1, 64, 128, 56),
    ("dw", 1, 3, 128, 128, 56), ("pw", 1, 1, 128, 128, 56),
    ("dw", 2, 3, 128, 128, 56), ("pw", 1, 1, 128, 256, 28),
    ("dw", 1, 3, 256, 256, 28), ("pw", 1, 1, 256, 256, 28),
    ("dw", 2, 3, 256, 256, 28), ("pw", 1, 1, 256, 512, 14),
    *[("dw", 1, 3, 512, 512, 14), ("pw", 1, 1, 512, 512, 14)] * 5,
    ("dw", 2, 3, 512, 512, 14), ("pw", 1, 1, 512, 1024, 7),
    ("dw", 1, 3, 1024, 1024, 7), ("pw", 1, 1, 1024, 1024, 7),
]


def _table1_costs(alpha_channels=lambda c: c, size_scale=lambda s: s):
    """(mult-adds, weights, bn channels) summed over Table 1 with the paper's formulas."""
    mult_adds = weights = bn_channels = 0
    for kind, stride, k, c_in, c_out, size in TABLE1:
        m = 3 if kind == "conv" and c_in == 3 else alpha_channels(c_in)
        n = alpha_channels(c_out)
        d_f = size_scale(size) // stride if stride == 1 else -(-size_scale(size) // stride)
        if kind == "dw":
            w = k * k * m                  # D_K·D_K·M
        else:
            w = k * k * m * n              # D_K·D_K·M·N (pointwise: D_K = 1)
        mult_adds += w * d_f * d_f
        weights += w
        bn_channels += n
    fc_in = alpha_channels(1024)
    return mult_adds + fc_in * 1000, weights + fc_in * 1000, bn_channels


class TestMobileNetV1Totals:
    """1.0 MobileNet-224 totals equal the formulas under each convention."""

    def test_mult_adds_equal_table1_formulas(self):
        expected, _, _ = _table1_costs()
        assert expected == 568_740_352  # PAPER.md: conv 567,716,352 + FC 1,024,000
        assert analyze(spec.resolve(spec.load())).mult_adds == expected

    def test_paper_params_are_weights_only(self):
        _, weights, _ = _table1_costs()
        assert weights == 4_209_088
        assert mncost.analyze(params="paper").params == weights

    def test_trainable_params_add_bn_affine_and_fc_bias(self):
        _, weights, bn_channels = _table1_costs()
        expected = weights + 2 * bn_channels + 1000
        assert expected == 4_231_976  # fvcore parameter_count / PyTorch / Keras trainable
        assert mncost.analyze().params == expected
        assert mncost.analyze(params="trainable").params == expected

    def test_all_params_add_bn_running_stats(self):
        _, weights, bn_channels = _table1_costs()
        assert mncost.analyze(params="all").params == weights + 4 * bn_channels + 1000

    def test_conv_and_fc_split(self):
        report = mncost.analyze()
        fc = report.layer("fc")
        assert fc.mult_adds == 1_024_000
        assert report.mult_adds - fc.mult_adds == 567_716_352

    def test_totals_are_sums_of_layers_and_ints(self):
        report = mncost.analyze()
        assert report.mult_adds == sum(lr.mult_adds for lr in report.layers)
        assert report.params == sum(lr.params for lr in report.layers)
        assert all(type(lr.mult_adds) is int and type(lr.params) is int for lr in report.layers)


class TestPublishedTables:
    """The paper's published figures, at the paper's own rounding."""

    # Table 6: width multiplier at 224 — million mult-adds, million params (one decimal).
    @pytest.mark.parametrize("alpha, mult_adds_m, params_m", [
        ("1.0", 569, 4.2), ("0.75", 325, 2.6), ("0.5", 149, 1.3), ("0.25", 41, 0.5),
    ])
    def test_table6_width_multiplier(self, alpha, mult_adds_m, params_m):
        report = mncost.analyze(alpha=alpha, params="paper")
        assert round(report.mult_adds / 1e6) == mult_adds_m
        assert round(report.params / 1e6, 1) == params_m

    # Table 7: resolution multiplier at α = 1. The paper prints 290 for 160, where the
    # formulas give 290.68M: a rounding slip of one, so those rows allow ±1.
    @pytest.mark.parametrize("resolution, mult_adds_m", [
        (224, 569), (192, 418), (160, 290), (128, 186),
    ])
    def test_table7_resolution_multiplier(self, resolution, mult_adds_m):
        report = mncost.analyze(resolution=resolution, params="paper")
        expected, _, _ = _table1_costs(size_scale=lambda s: s * resolution // 224)
        assert report.mult_adds == expected
        assert abs(report.mult_adds / 1e6 - mult_adds_m) < 1
        assert round(report.params / 1e6, 1) == 4.2  # params do not depend on resolution

    def test_table4_conv_mobilenet(self):
        # Conv MobileNet: each separable pair becomes a full 3×3 conv. Paper: 4866M, 29.3M.
        expected_ma = 3 * 3 * 3 * 32 * 112 * 112
        expected_w = 3 * 3 * 3 * 32
        for kind, stride, k, c_in, c_out, size in TABLE1[1:]:
            if kind == "dw":
                d_f = size // stride
                dw_in = c_in
            else:
                expected_ma += 9 * dw_in * c_out * d_f * d_f
                expected_w += 9 * dw_in * c_out
        expected_ma += 1024 * 1000
        expected_w += 1024 * 1000
        report = mncost.analyze(variant="standard", params="paper")
        assert (report.mult_adds, report.params) == (expected_ma, expected_w)
        assert abs(report.mult_adds / 1e6 - 4866) < 2  # paper's 4866; formulas 4867.3
        assert round(report.params / 1e6, 1) == 29.3

    def test_table5_shallow(self):
        # Shallow MobileNet drops five (dw 3×3×512, pw 1×1×512×512) pairs at 14×14.
        full, full_w, _ = _table1_costs()
        pair_ma = (9 * 512 + 512 * 512) * 14 * 14
        pair_w = 9 * 512 + 512 * 512
        report = mncost.analyze(variant="shallow", params="paper")
        assert report.mult_adds == full - 5 * pair_ma
        assert report.params == full_w - 5 * pair_w
        assert round(report.mult_adds / 1e6) == 307 and round(report.params / 1e6, 1) == 2.9

    def test_table2_shares(self):
        # Paper Table 2 (% mult-adds / % params): 1×1 94.86/74.59, DW 3.06/1.06, 3×3 1.19
        # (the formulas give 1.91: see PAPER.md) / 0.02, FC 0.18/24.33.
        report = mncost.analyze(params="paper")
        shares = {k.kind: (round(100 * k.mult_adds / report.mult_adds, 2),
                           round(100 * k.params / report.params, 2)) for k in report.by_kind()}
        assert shares == {
            "Conv 1×1": (94.86, 74.59),
            "Conv DW 3×3": (3.06, 1.06),
            "Conv 3×3": (1.91, 0.02),
            "Fully connected": (0.18, 24.33),
        }


class TestTable1Shapes:
    """Each conv row of Table 1 appears with the paper's input size and filter shape."""

    def test_rows(self):
        net = spec.resolve(spec.load())
        convs = [layer for layer in net.layers if layer.kind in ("conv", "dw", "pw")]
        assert len(convs) == len(TABLE1) == 27
        for layer, (kind, stride, k, c_in, c_out, size) in zip(convs, TABLE1):
            assert layer.kind == kind
            assert layer.stride == stride
            assert layer.input_shape == (size, size, c_in)
            expected_filter = f"{k}×{k}×{c_in} dw" if kind == "dw" else f"{k}×{k}×{c_in}×{c_out}"
            assert layer.filter_shape == expected_filter

    def test_pool_fc_softmax_rows(self):
        net = spec.resolve(spec.load())
        pool, fc, softmax = net.layers[-3:]
        assert (pool.name, pool.filter_shape, pool.input_shape) == ("pool", "Pool 7×7", (7, 7, 1024))
        assert (fc.name, fc.filter_shape, fc.input_shape) == ("fc", "1024×1000", (1, 1, 1024))
        assert (softmax.name, softmax.input_shape) == ("softmax", (1, 1, 1000))

    def test_28_layers_counting_dw_and_pw_apart(self):
        net = spec.resolve(spec.load())
        assert sum(layer.kind in ("conv", "dw", "pw", "fc") for layer in net.layers) == 28


class TestCostRules:
    """One rule per layer kind; the conv rule covers standard, depthwise and pointwise."""

    def _conv(self, kind, k, c_in, c_out, groups, size_out, bias=False, bn=True):
        attrs = ConvAttrs(kernel=k, stride=1, padding=(k - 1) // 2, dilation=1, groups=groups,
                          bias=bias, batch_norm=bn, activation="relu", variety=kind)
        return Node(name="x", kind=kind, inputs=(INPUT,),
                    input_shapes=(Shape(size_out, size_out, c_in),),
                    output_shape=Shape(size_out, size_out, c_out), attrs=attrs)

    @pytest.mark.parametrize("kind, k, c_in, c_out, groups, expected_ma, expected_w", [
        ("conv", 3, 512, 512, 1, 3 * 3 * 512 * 512 * 14 * 14, 3 * 3 * 512 * 512),
        ("dw", 3, 512, 512, 512, 3 * 3 * 512 * 14 * 14, 3 * 3 * 512),
        ("pw", 1, 512, 512, 1, 512 * 512 * 14 * 14, 512 * 512),
        ("conv", 5, 8, 6, 2, 5 * 5 * 4 * 6 * 14 * 14, 5 * 5 * 4 * 6),  # grouped conv
    ])
    def test_conv_formula(self, kind, k, c_in, c_out, groups, expected_ma, expected_w):
        cost = engine.layer_cost(self._conv(kind, k, c_in, c_out, groups, 14))
        assert cost == Cost(mult_adds=expected_ma, weights=expected_w, biases=0,
                            bn_affine=2 * c_out, bn_stats=2 * c_out)

    def test_paper_table3_separable_reduction(self):
        # 14×14×512 → 512, 3×3: standard 462M, separable 52.3M (paper Table 3).
        std = engine.layer_cost(self._conv("conv", 3, 512, 512, 1, 14)).mult_adds
        sep = (engine.layer_cost(self._conv("dw", 3, 512, 512, 512, 14)).mult_adds
               + engine.layer_cost(self._conv("pw", 1, 512, 512, 1, 14)).mult_adds)
        assert round(std / 1e6) == 462 and round(sep / 1e6, 1) == 52.3
        from fractions import Fraction
        assert Fraction(sep, std) == Fraction(1, 512) + Fraction(1, 9)

    def test_bias_counts_only_outside_paper_convention(self):
        cost = engine.layer_cost(self._conv("conv", 3, 4, 8, 1, 5, bias=True, bn=False))
        assert cost.params("paper") == 3 * 3 * 4 * 8
        assert cost.params("trainable") == cost.params("all") == 3 * 3 * 4 * 8 + 8

    def test_every_network_kind_has_a_rule(self, mobilenet_spec):
        from mncost.core.kinds import registry
        for variant in mobilenet_spec.variant_names:
            kinds = {node.kind for node in spec.resolve(mobilenet_spec, variant=variant).nodes}
            assert kinds <= set(registry())


class TestMemory:
    """Weight bytes follow the params convention; peak activation is max(input + output)."""

    @pytest.mark.parametrize("dtype, size", [("float32", 4), ("float16", 2), ("int8", 1)])
    def test_weight_bytes(self, dtype, size):
        report = mncost.analyze(dtype=dtype)
        assert report.weight_bytes == 4_231_976 * size

    def test_peak_activation_is_block1_pw(self):
        # 112×112×32 in + 112×112×64 out is the largest pair in Table 1.
        report = mncost.analyze(dtype="float32")
        assert report.peak_activation_bytes == (112 * 112 * 32 + 112 * 112 * 64) * 4
        assert report.peak_activation_layer == "block1.pw"
