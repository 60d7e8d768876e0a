"""The MobileNet family as data: every built-in equals torchvision's own model.

Expected numbers come from outside mncost: the table of shared/FAMILY.md and the further
configurations in docs/family.md were counted with fvcore on torchvision 0.28's model
definitions (conv + linear operators; ``sum(p.numel())``). Where torchvision imports (see
conftest), the live tests rebuild torchvision's models at other widths and resolutions and
count them with fvcore and the real peer tools here.
"""

from __future__ import annotations

import json
from fractions import Fraction

import pytest

import fvcore_counts  # tests/fvcore_counts.py
from mncost import api
from mncost.core import presets
from mncost.core import spec as spec_module
from mncost.core.settings import round_channels, scale_repeats

# shared/FAMILY.md: torchvision factory, resolution, mult-adds, params.
FAMILY = [
    ("mobilenet_v2", 224, 300_774_272, 3_504_872),
    ("mobilenet_v3_large", 224, 216_589_760, 5_483_032),
    ("mobilenet_v3_small", 224, 56_510_400, 2_542_856),
    ("mnasnet0_5", 224, 104_455_968, 2_218_512),
    ("mnasnet0_75", 224, 215_493_104, 3_170_208),
    ("mnasnet1_0", 224, 314_415_872, 4_383_312),
    ("mnasnet1_3", 224, 526_362_432, 6_282_256),
    ("efficientnet_b0", 224, 385_814_752, 5_288_548),
    ("efficientnet_b1", 240, 686_802_832, 7_794_184),
    ("efficientnet_b2", 288, 1_087_529_456, 9_109_994),
    ("efficientnet_b3", 300, 1_827_141_392, 12_233_232),
    ("efficientnet_b4", 380, 4_393_771_024, 19_341_616),
    ("efficientnet_b5", 456, 10_266_384_752, 30_389_784),
    ("efficientnet_b6", 528, 19_067_593_536, 43_040_704),
    ("efficientnet_b7", 600, 37_745_884_192, 66_347_960),
]

# docs/family.md: further configurations, counted the same way.
BEYOND_DEFAULTS = [
    ("mobilenet_v2", {"alpha": "0.75", "resolution": 160}, 107_295_200, 2_636_424),
    ("mobilenet_v2", {"alpha": "1.4"}, 582_195_824, 6_108_776),
    ("mobilenet_v2", {"alpha": "0.35", "resolution": 96}, 11_934_128, 1_677_128),
    ("mobilenet_v2", {"resolution": 113}, 92_406_912, 3_504_872),
    ("mobilenet_v3_large", {"alpha": "0.75", "resolution": 192}, 103_548_640, 3_377_576),
    ("mobilenet_v3_large", {"resolution": 97}, 56_992_424, 5_483_032),
    ("mobilenet_v3_small", {"alpha": "0.5", "resolution": 128}, 6_717_440, 917_264),
    ("mobilenet_v3_small", {"alpha": "0.75", "resolution": 113}, 12_866_680, 1_653_920),
    ("mnasnet0_5", {"resolution": 160}, 53_920_800, 2_218_512),
    ("mnasnet0_75", {"resolution": 160}, 110_572_400, 3_170_208),
    ("mnasnet1_0", {"resolution": 160}, 161_043_200, 4_383_312),
    ("mnasnet1_3", {"resolution": 160}, 269_179_200, 6_282_256),
    ("mnasnet1_0", {"alpha": "0.35"}, 58_878_912, 1_788_232),
    ("efficientnet_b0", {"resolution": 192}, 283_961_728, 5_288_548),
    ("efficientnet_b3", {"resolution": 256}, 1_256_375_360, 12_233_232),
    ("efficientnet_b0", {"alpha": "0.5", "repeat_multiplier": "0.5"}, 73_937_232, 1_298_120),
]


@pytest.mark.parametrize("name, resolution, mult_adds, params", FAMILY,
                         ids=[row[0] for row in FAMILY])
def test_table_json_equals_torchvision(invoke, name, resolution, mult_adds, params):
    result = invoke("table", "--spec", name, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["resolution"] == resolution
    assert (data["totals"]["mult_adds"], data["totals"]["params"]) == (mult_adds, params)


@pytest.mark.parametrize("name, settings, mult_adds, params", BEYOND_DEFAULTS,
                         ids=[f"{r[0]}-{'-'.join(map(str, r[1].values()))}"
                              for r in BEYOND_DEFAULTS])
def test_other_widths_and_resolutions(name, settings, mult_adds, params):
    report = api.analyze(name, **settings)
    assert (report.mult_adds, report.params) == (mult_adds, params)


def test_params_all_adds_the_running_statistics():
    """Every conv of these families but the squeeze-and-excite pair has batch norm: running
    mean and variance are 2 per channel, the same count as γ and β."""
    for name in ("mobilenet_v2", "mobilenet_v3_small", "efficientnet_b0"):
        net = api.network(name)
        bn_channels = sum(node.output_shape.c for node in net.nodes
                          if getattr(node.attrs, "batch_norm", False))
        trainable = api.analyze(net).params
        assert api.analyze(net, params="all").params == trainable + 2 * bn_channels


# -- the rules, each from its own definition -------------------------------------------------

@pytest.mark.parametrize("value, expected", [
    (32, 32), (Fraction(24), 24), (Fraction(35, 2), 16), (Fraction(352, 10), 32),
    (Fraction(36), 40),  # 36 → nearest multiple of 8 rounding halves up: 40
    (Fraction(28), 32), (Fraction(12), 16), (Fraction(4), 8), (Fraction(1, 10), 8),
    # 9.0 → 8 would lose 11 %: one more step, 16 (torchvision's "not below 90 %")
    (Fraction(9), 16),
])
def test_make_divisible(value, expected):
    assert round_channels(value, 1, "divisible:8") == expected


@pytest.mark.parametrize("repeats, d, expected", [
    (1, "1.0", 1), (1, "1.1", 2), (2, "1.2", 3), (3, "1.4", 5), (4, "2.2", 9), (3, "3.1", 10),
    (4, "0.5", 2), (1, "0.5", 1),
])
def test_repeats_round_up(repeats, d, expected):
    assert scale_repeats(repeats, Fraction(d)) == expected


def test_efficientnet_configurations_are_compound_scalings():
    """Table 2 of Tan & Le and torchvision's crop sizes, read back from the spec."""
    expected = {0: ("1", "1", 224), 1: ("1", "1.1", 240), 2: ("1.1", "1.2", 288),
                3: ("1.2", "1.4", 300), 4: ("1.4", "1.8", 380), 5: ("1.6", "2.2", 456),
                6: ("1.8", "2.6", 528), 7: ("2", "3.1", 600)}
    for i, (width, depth, size) in expected.items():
        spec = spec_module.load(f"efficientnet_b{i}")
        assert (spec.alpha, spec.repeat_multiplier, spec.input_size) == \
            (Fraction(width), Fraction(depth), (size, size))


def test_alpha_replaces_the_configurations_width():
    """mnasnet1_3 at --alpha 0.5 is MNASNet(0.5), i.e. mnasnet0_5."""
    assert api.analyze("mnasnet1_3", alpha="0.5").mult_adds == api.analyze("mnasnet0_5").mult_adds
    assert api.analyze("efficientnet_b3", alpha=1, repeat_multiplier=1,
                       resolution=224).mult_adds == 385_814_752


def test_v2_last_conv_only_grows():
    def head(alpha):
        return api.network("mobilenet_v2", alpha=alpha).node("head").output_shape.c
    assert (head("0.5"), head("1"), head("1.4")) == (1280, 1280, 1792)


def test_v3_blocks_follow_the_resolved_widths():
    """V3-Small's first block expands 16 → 16 (no expand conv) and has SE; at α = 0.1 the
    expanded 72 and the input 16 both round to 8, so block2 loses its expand conv too,
    as torchvision's does (it compares the adjusted widths)."""
    net = api.network("mobilenet_v3_small")
    roles = [n.role for n in net.nodes if n.block == "block1"]
    assert roles == ["dw", "se.pool", "se.reduce", "se.expand", "se.scale", "project"]
    assert net.node("block1.se.reduce").output_shape.c == 8   # make_divisible(16 // 4, 8)
    thin = api.network("mobilenet_v3_small", alpha="0.1")
    assert "block2.expand" not in [n.name for n in thin.nodes]
    assert "block2.expand" in [n.name for n in net.nodes]


def test_efficientnet_se_squeezes_the_block_input():
    net = api.network("efficientnet_b0")
    # block2 reads 16 channels, expands to 96: squeeze max(1, 16 // 4) = 4, not 96 // 4.
    assert net.node("block2.se.reduce").output_shape.c == 4
    assert net.node("block2.se.expand").activation == "sigmoid"
    assert net.node("block2.se.reduce").activation == "silu"


def test_residual_add_only_when_stride_1_and_widths_match():
    net = api.network("mobilenet_v2")
    adds = [n.block for n in net.nodes if n.kind == "add"]
    # Table 2 of Sandler et al.: repeats after the first of each row, stride 1 and c equal.
    assert adds == ["block3", "block5", "block6", "block8", "block9", "block10", "block12",
                    "block13", "block15", "block16"]


def test_stage_stride_applies_to_the_first_repeat():
    net = api.network("efficientnet_b0")
    strides = [n.stride for n in net.nodes if n.role == "dw"]
    assert strides == [1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1, 1, 1, 1]


def test_by_kind_rows_name_the_block_roles():
    report = api.analyze("mobilenet_v3_large")
    rows = {k.kind: k for k in report.by_kind()}
    assert {"Conv 1×1 expand", "Conv 1×1 project", "Squeeze-excite", "Conv DW 3×3",
            "Conv DW 5×5", "Fully connected"} <= set(rows)
    se = sum(lr.mult_adds for lr in report.layers if (lr.layer.role or "").startswith("se."))
    assert rows["Squeeze-excite"].mult_adds == se > 0
    assert sum(k.mult_adds for k in report.by_kind()) == report.mult_adds


# -- live: torchvision's own models ------------------------------------------------------------

def _torchvision():
    pytest.importorskip("torch")
    pytest.importorskip("fvcore")
    try:
        import torchvision.models as models
    except Exception as exc:  # noqa: BLE001 - any import failure means "not here"
        pytest.skip(f"torchvision does not import here: {exc}")
    return models


def _efficientnet(models, width, depth):
    from torchvision.models.efficientnet import EfficientNet, _efficientnet_conf

    setting, last = _efficientnet_conf("efficientnet_b0", width_mult=width, depth_mult=depth)
    return EfficientNet(setting, 0.2, last_channel=last)


LIVE = [
    # (mncost name, settings, torchvision builder)
    ("mobilenet_v2", {"alpha": "0.5", "resolution": 131},
     lambda m: m.mobilenet_v2(width_mult=0.5)),
    ("mobilenet_v3_large", {"alpha": "1.25", "resolution": 160},
     lambda m: m.mobilenet_v3_large(width_mult=1.25)),
    ("mobilenet_v3_small", {"alpha": "0.1", "resolution": 97},
     lambda m: m.mobilenet_v3_small(width_mult=0.1)),
    ("mnasnet1_0", {"alpha": "0.6", "resolution": 150}, lambda m: m.MNASNet(0.6)),
    ("efficientnet_b0", {"alpha": "0.75", "repeat_multiplier": "1.3", "resolution": 120},
     lambda m: _efficientnet(m, 0.75, 1.3)),
]


def _convs(model):
    import torch
    return [(m.in_channels, m.out_channels, m.kernel_size[0], m.stride[0], m.groups)
            for m in model.modules() if isinstance(m, torch.nn.Conv2d)]


@pytest.mark.torch
@pytest.mark.parametrize("name, settings, build", LIVE, ids=[row[0] for row in LIVE])
def test_live_torchvision_counts(name, settings, build):
    models = _torchvision()
    model = build(models)
    net = api.network(name, **settings)
    report = api.analyze(net)
    h, w = net.input_shape.h, net.input_shape.w
    assert report.mult_adds == fvcore_counts.conv_linear(model, h, w)
    assert report.params == sum(p.numel() for p in model.parameters())
    buffers = sum(b.numel() for n, b in model.named_buffers()
                  if not n.endswith("num_batches_tracked"))
    assert api.analyze(net, params="all").params == report.params + buffers
    # Conv by conv, in order: widths, kernel, stride and groups.
    ours = [(n.input_shape.c, n.output_shape.c,
             n.attrs.kernel if isinstance(n.attrs.kernel, int) else n.attrs.kernel[0],
             n.stride if isinstance(n.stride, int) else n.stride[0], n.attrs.groups)
            for n in net.nodes if n.kind in ("conv", "dw", "pw")]
    assert ours == _convs(model)


@pytest.mark.torch
@pytest.mark.parametrize("name, build", [
    ("mobilenet_v2", lambda m: m.mobilenet_v2()),
    ("mobilenet_v3_small", lambda m: m.mobilenet_v3_small()),
    ("mobilenet_v3_large", lambda m: m.mobilenet_v3_large()),
    ("mnasnet0_5", lambda m: m.mnasnet0_5()),
    ("efficientnet_b0", lambda m: m.efficientnet_b0()),
], ids=lambda v: v if isinstance(v, str) else "")
def test_every_preset_equals_the_real_tool_on_torchvision(name, build):
    """Each --count-as preset, computed from mncost's numbers alone, equals what the real
    package reports for torchvision's own model (hardswish, SE, residual adds, SiLU,
    MnasNet's mean and V2's functional pooling included)."""
    models = _torchvision()
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    from test_presets import _tool_counts

    size = 96
    model = build(models).eval()
    x = torch.zeros(1, 3, size, size)
    measured = _tool_counts(model, x, size, size)
    measured["fvcore"] = fvcore_counts.total(model, x)
    with FlopCounterMode(display=False) as counter:
        model(x)
    measured["torch"] = counter.get_total_flops()
    net = api.network(name, resolution=size)
    assert measured == {tool: presets.count_as(tool, net).total for tool in measured}


# -- the papers' figures (shared/FAMILY.md), at their rounding ---------------------------------

def test_published_figures_at_their_rounding():
    def floor_m(n):
        return n // 10**6

    v2 = api.analyze("mobilenet_v2")
    v2_no_bn = v2.params - sum(lr.cost.bn_affine for lr in v2.layers)
    assert floor_m(v2.mult_adds) == 300                 # "300M"
    assert v2_no_bn == 3_470_760 and v2_no_bn // 10**5 == 34   # "3.4M": no γ, β, truncated
    v3l, v3s = api.analyze("mobilenet_v3_large"), api.analyze("mobilenet_v3_small")
    assert v3l.params // 10**5 == 54 and floor_m(v3l.mult_adds) == 216   # 5.4M; 219M printed
    assert floor_m(v3s.mult_adds) == 56 and v3s.params // 10**5 == 25    # 56M, 2.5M
    b0, b7 = api.analyze("efficientnet_b0"), api.analyze("efficientnet_b7")
    assert round(b0.mult_adds / 10**7) == 39 and round(b0.params / 10**5) == 53  # 0.39B, 5.3M
    assert b7.mult_adds // 10**9 == 37 and round(b7.params / 10**6) == 66        # 37B, 66M


def test_b7_with_repeats_rounded_down_is_far_from_the_paper(tmp_path):
    """The docs' claim: flooring ceil(n·3.1) instead would give 32.6B, so the paper's 37B
    rounds repeats up as torchvision does."""
    text = spec_module.builtin_spec_path("efficientnet").read_text(encoding="utf-8")
    floors = {1: 3, 2: 6, 3: 9, 4: 12}   # floor(n · 3.1) for the stage repeats n
    for n, down in floors.items():
        text = text.replace(f"repeat: {n}, scale_repeat: true", f"repeat: {down}")
    path = tmp_path / "b7_floor.yaml"
    path.write_text(text, encoding="utf-8")
    mult_adds = api.analyze(str(path), alpha=2, resolution=600).mult_adds
    assert round(mult_adds / 10**8) == 326


@pytest.mark.parametrize("name, alpha, fragment", [
    ("mobilenet_v2", None, "3.4M is the parameters without batch-norm γ and β (3,470,760"),
    ("mobilenet_v2", "1.4", "582,195,824 mult-adds and 6,108,776 parameters"),
    ("mobilenet_v3_large", None, "219M looks like an earlier version's figure"),
    ("efficientnet_b7", None, "37,745,884,192 mult-adds"),
])
def test_table_explains_the_published_figure(invoke, name, alpha, fragment):
    args = ["table", "--spec", name, "--format", "markdown"]
    if alpha:
        args += ["--alpha", alpha]
    result = invoke(*args)
    assert fragment in " ".join(result.stdout.split())


def test_notes_numbers_are_in_the_json_as_ints(invoke):
    data = json.loads(invoke("table", "--spec", "mobilenet_v2", "--format", "json").stdout)
    (note,) = data["notes"]
    assert note["table"] == "by_kind"
    assert note["numbers"] == {"mult_adds": 300_774_272, "params_without_bn": 3_470_760,
                               "params": 3_504_872}
    assert "3,470,760" in note["text"]


def test_no_note_away_from_the_published_configuration(invoke):
    result = invoke("table", "--spec", "efficientnet_b0", "--repeat-multiplier", "2",
                    "--format", "markdown")
    assert "Tan & Le" not in result.stdout


@pytest.mark.torch
@pytest.mark.parametrize("name", spec_module.BUILTIN_SPECS)
def test_verify_reconciles_every_builtin(name):
    """`mncost verify --spec NAME`: mncost's own PyTorch build of each built-in, profiled by
    fvcore and torch, agrees with the engine node by node (small input: the structure, not the
    size, is what is checked)."""
    pytest.importorskip("torch")
    pytest.importorskip("fvcore")
    from mncost.torch import verify

    result = verify.crosscheck(api.network(name, resolution=40))
    assert result.ok, result.mismatches[:3]
