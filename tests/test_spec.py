"""Spec loading, hyperparameter rounding rules, variants and spec errors."""

from __future__ import annotations

from fractions import Fraction

import pytest

import mncost
from mncost.core import spec
from mncost.core.errors import ConfigError, SpecError

TINY = """
model: tiny
input: {resolution: 32, channels: 3}
classes: 10
layers:
  - {kind: conv, out: 8, stride: 2}
  - {kind: separable, out: 16, stride: 2}
  - {kind: avgpool}
  - {kind: fc}
"""


class TestRoundingRules:
    """α, ρ and depth-multiplier rules, each stated in spec.py's docstring and the README."""

    @pytest.mark.parametrize("channels, alpha, expected", [
        (32, "0.75", 24), (32, "0.5", 16), (32, "0.25", 8), (32, "0.35", 11),  # int(11.2)
        (1024, "0.35", 358),  # int(358.4)
        (100, "0.29", 29),    # exact decimal: Keras' float 100*0.29 = 28.999… would give 28
        (3, "0.1", 1),        # never below 1
        (64, "1.5", 96),      # α > 1 widens
    ])
    def test_width_multiplier_floors_exactly(self, channels, alpha, expected):
        assert spec.scale_channels(channels, Fraction(alpha)) == expected

    def test_min_channels_floor(self):
        assert spec.scale_channels(32, Fraction("0.125"), min_channels=8) == 8
        assert spec.scale_channels(64, Fraction("0.25"), min_channels=8) == 16

    @pytest.mark.parametrize("rho, expected", [
        ("1", 224), ("0.857142857", 192), ("0.714285714", 160), ("0.571428571", 128),
        ("0.5", 112), ("0.714", 160),  # 159.936 rounds to 160
        ("0.00223214", 0), ("0.00223215", 1),  # 0.4999994 stays 0; 0.5000016 → 1
    ])
    def test_rho_rounds_half_up(self, rho, expected):
        assert spec.scale_resolution(224, Fraction(rho)) == expected

    def test_rho_half_rounds_up_not_to_even(self):
        # 224 · 0.5625 = 126 exactly; 10 · 0.25 = 2.5 → 3 (Python's round() would give 2).
        assert spec.scale_resolution(10, Fraction("0.25")) == 3

    def test_alpha_scales_every_conv_but_not_input_or_classifier(self, mobilenet_spec):
        net = spec.resolve(mobilenet_spec, alpha="0.5")
        assert net.layers[0].input_shape.c == 3
        assert net.layers[0].output_shape.c == 16
        assert net.layer("block13.pw").output_shape.c == 512
        assert net.layer("fc").output_shape.c == 1000

    def test_depth_multiplier_widens_depthwise_outputs(self, mobilenet_spec):
        net = spec.resolve(mobilenet_spec, depth_multiplier=2)
        dw = net.layer("block1.dw")
        assert (dw.input_shape.c, dw.output_shape.c, dw.groups) == (32, 64, 32)
        assert dw.filter_shape == "3×3×32×2 dw"
        report = mncost.analyze(depth_multiplier=2, params="paper")
        assert report.layer("block1.dw").mult_adds == 3 * 3 * 64 * 112 * 112
        assert report.layer("block1.pw").mult_adds == 64 * 64 * 112 * 112

    def test_resolution_and_rho_agree(self):
        assert mncost.analyze(rho="0.5").mult_adds == mncost.analyze(resolution=112).mult_adds

    def test_odd_resolution_uses_ceil_for_stride_two(self, mobilenet_spec):
        net = spec.resolve(mobilenet_spec, resolution=97)
        assert net.layer("conv1").output_shape.h == 49  # floor((97 + 2 - 3) / 2) + 1
        assert net.layer("block13.pw").output_shape.h == 4


class TestVariants:
    """Variants are data in the spec; names are stable across them."""

    def test_builtin_variants(self, mobilenet_spec):
        assert mobilenet_spec.variant_names == ("separable", "standard", "shallow")
        assert mobilenet_spec.default_variant == "separable"

    def test_standard_replaces_each_pair_by_one_full_conv(self, mobilenet_spec):
        net = spec.resolve(mobilenet_spec, variant="standard")
        block = net.layer("block2.conv")
        assert (block.kind, block.kernel, block.stride) == ("conv", 3, 2)
        assert (block.input_shape, block.output_shape) == ((112, 112, 64), (56, 56, 128))
        assert not any(layer.kind in ("dw", "pw") for layer in net.layers)

    def test_shallow_drops_block7_to_11_and_keeps_names(self, mobilenet_spec):
        net = spec.resolve(mobilenet_spec, variant="shallow")
        names = [layer.name for layer in net.layers]
        assert "block6.pw" in names and "block12.dw" in names
        assert not any(n.startswith(("block7.", "block8.", "block9.", "block10.", "block11."))
                       for n in names)
        assert net.layer("block12.dw").input_shape == (14, 14, 512)

    def test_names_are_unique(self, mobilenet_spec):
        for variant in mobilenet_spec.variant_names:
            names = [layer.name for layer in spec.resolve(mobilenet_spec, variant=variant).layers]
            assert len(names) == len(set(names))

    def test_spec_without_variants_has_base(self, write_yaml):
        loaded = spec.load(write_yaml(TINY))
        assert loaded.variant_names == ("base",)
        net = spec.resolve(loaded)
        assert [layer.name for layer in net.layers] == ["conv1", "block1.dw", "block1.pw",
                                                         "pool", "fc"]

    def test_unknown_variant_suggests(self, mobilenet_spec):
        with pytest.raises(ConfigError, match="unknown variant 'standrad' .*did you mean "
                                              "'standard'"):
            spec.resolve(mobilenet_spec, variant="standrad")

    def test_builtin_name_and_path_agree(self):
        assert spec.load("mobilenet_v1").layers == spec.load(spec.builtin_spec_path()).layers


def _error(write_yaml, text: str) -> SpecError:
    path = write_yaml(text)
    with pytest.raises(SpecError) as info:
        spec.load(path)
    return info.value


class TestSpecErrors:
    """A malformed spec names file, line and field."""

    def test_non_positive_stride(self, write_yaml):
        err = _error(write_yaml, TINY.replace("{kind: separable, out: 16, stride: 2}",
                                              "{kind: separable, out: 16, stride: 0}"))
        assert err.line == 6 and err.field == "layers[1].stride"
        assert str(err).endswith("spec.yaml:6: layers[1].stride: must be a positive integer, got 0")

    @pytest.mark.parametrize("old, new, line, field, message", [
        ("{kind: fc}", "{kind: fully}", 8, "layers[3].kind", "must be one of"),
        ("{kind: fc}", "{kind: fc, strid: 1}", 8, "layers[3].strid", "unknown key"),
        ("{kind: fc}", "{kind: fc, stride: 1}", 8, "layers[3].stride", "not allowed for kind 'fc'"),
        ("out: 8", "out: eight", 5, "layers[0].out", "must be a positive integer, got 'eight'"),
        ("out: 8", "out: -3", 5, "layers[0].out", "must be a positive integer, got -3"),
        ("out: 8", "out: true", 5, "layers[0].out", "must be a positive integer, got true"),
        ("out: 8", "out: 8.5", 5, "layers[0].out", "must be a positive integer, got 8.5"),
        ("resolution: 32", "resolution: 0", 2, "input.resolution", "must be a positive integer"),
        ("classes: 10", "clases: 10", 3, "clases", "did you mean 'classes'"),
        ("{kind: conv, out: 8, stride: 2}", "{kind: conv, stride: 2}", 5, "layers[0].out",
         "is required"),
    ])
    def test_field_errors(self, write_yaml, old, new, line, field, message):
        err = _error(write_yaml, TINY.replace(old, new))
        assert (err.line, err.field) == (line, field)
        assert message in err.message

    def test_bad_yaml_gives_line(self, write_yaml):
        err = _error(write_yaml, TINY.replace("classes: 10", "classes: [10"))
        assert err.line is not None and "invalid YAML" in err.message

    def test_not_a_mapping(self, write_yaml):
        assert "must be a mapping" in str(_error(write_yaml, "- just\n- a list\n"))

    def test_empty_file(self, write_yaml):
        assert "is empty" in str(_error(write_yaml, ""))

    def test_missing_file(self, tmp_path):
        with pytest.raises(SpecError, match="nope.yaml: no such file"):
            spec.load(tmp_path / "nope.yaml")

    def test_directory(self, tmp_path):
        with pytest.raises(SpecError, match="is a directory"):
            spec.load(tmp_path)

    def test_collapsing_spatial_size_names_layer_and_line(self, write_yaml):
        text = TINY.replace("{kind: separable, out: 16, stride: 2}",
                            "{kind: conv, out: 16, kernel: 31, padding: 0}")
        err = _error(write_yaml, text)
        assert err.line == 6 and err.field == "layers[1]"
        assert "collapses below 1" in err.message and "conv2" in err.message

    def test_duplicate_key(self, write_yaml):
        err = _error(write_yaml, TINY.replace("classes: 10", "classes: 10\nclasses: 11"))
        assert err.line == 4 and "duplicate key 'classes'" in err.message

    def test_duplicate_layer_name(self, write_yaml):
        err = _error(write_yaml, TINY.replace("{kind: avgpool}", "{kind: avgpool, name: conv1}"))
        assert err.field == "layers[2].name" and "used twice" in err.message

    def test_variant_drop_must_match(self, write_yaml):
        err = _error(write_yaml, TINY + "variants:\n  small: {drop: [blok1]}\n")
        assert err.field == "variants.small.drop[0]" and "did you mean 'block1'" in err.message

    def test_python_tags_are_refused(self, write_yaml):
        err = _error(write_yaml, "model: !!python/object/apply:os.system ['echo pwned']\n")
        assert "invalid YAML" in err.message


class TestConfigErrors:
    """Flags that cannot apply to the network are refused with a reason."""

    def test_resolution_too_small(self, write_yaml):
        loaded = spec.load(write_yaml(TINY.replace("{kind: avgpool}",
                                                   "{kind: conv, out: 4, kernel: 5, padding: 0}")))
        with pytest.raises(ConfigError, match="resolution 8 is too small for tiny: layer conv2"):
            spec.resolve(loaded, resolution=8)

    @pytest.mark.parametrize("kwargs, message", [
        ({"alpha": 0}, "alpha must be greater than 0"),
        ({"alpha": "-1"}, "alpha must be greater than 0"),
        ({"alpha": "abc"}, "alpha must be a number"),
        ({"rho": "0"}, "rho must be greater than 0"),
        ({"resolution": 0}, "resolution must be a positive integer"),
        ({"resolution": 10, "rho": "0.5"}, "either a resolution or rho"),
        ({"depth_multiplier": 0}, "depth multiplier must be a positive integer"),
    ])
    def test_bad_hyperparameters(self, mobilenet_spec, kwargs, message):
        with pytest.raises(ConfigError, match=message):
            spec.resolve(mobilenet_spec, **kwargs)


def test_yaml_merge_key_may_be_overridden(write_yaml):
    """`<<: *anchor` then a key of its own: YAML's merge semantics, not a duplicate."""
    path = write_yaml("""
        model: merged
        input: {resolution: 32}
        layers:
          - &stem {kind: conv, out: 8, stride: 2}
          - {<<: *stem, stride: 1, name: again}
          - {kind: fc}
        """)
    net = spec.resolve(spec.load(path))
    assert net.node("again").stride == 1 and net.node("again").output_shape == (16, 16, 8)


def test_a_key_written_twice_is_still_a_duplicate(write_yaml):
    path = write_yaml("""
        model: twice
        input: {resolution: 32}
        layers:
          - {kind: conv, out: 8, out: 9}
        """)
    with pytest.raises(SpecError, match="duplicate key 'out'"):
        spec.load(path)
