"""Counting presets reproduce what fvcore, torch, ptflops, thop and torchinfo report.

Expected numbers come from PAPER.md's "How other counters count" table and from the layer
shapes of the paper's Table 1, written out by hand below — not from mncost's spec code.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mncost import api
from mncost.core import presets

# -- MobileNet v1 by hand, from Table 1 ---------------------------------------------------------
# (kind, stride, out channels at α = 1); "dw" keeps its input channels.
TABLE1 = ([("conv", 2, 32), ("dw", 1, None), ("pw", 1, 64), ("dw", 2, None), ("pw", 1, 128),
           ("dw", 1, None), ("pw", 1, 128), ("dw", 2, None), ("pw", 1, 256), ("dw", 1, None),
           ("pw", 1, 256), ("dw", 2, None), ("pw", 1, 512)]
          + [("dw", 1, None), ("pw", 1, 512)] * 5
          + [("dw", 2, None), ("pw", 1, 1024), ("dw", 1, None), ("pw", 1, 1024)])


def hand_quantities(alpha: float = 1.0, resolution: int = 224) -> dict[str, int]:
    """conv/FC mult-adds and activation sizes of MobileNet v1, straight from the paper's rules:
    channels int(c·α), out = floor((in + 2·1 − 3) / s) + 1 for 3×3 (pad 1), 1×1 keeps size."""
    size, channels = resolution, 3
    conv = bn = 0
    for kind, stride, out in TABLE1:
        if kind == "pw":
            c_out = int(out * alpha)
            conv += channels * c_out * size * size
        else:
            size = (size + 2 - 3) // stride + 1
            c_out = channels if kind == "dw" else int(out * alpha)
            conv += 9 * (1 if kind == "dw" else channels) * c_out * size * size
        channels = c_out
        bn += size * size * c_out
    return {"conv": conv, "fc": channels * 1000, "bn_elements": bn, "relu_elements": bn,
            "pool_in": size * size * channels, "pool_out": channels, "classes": 1000}


def _bn_affine(alpha: float) -> int:
    channels, total = 3, 0
    for kind, _, out in TABLE1:
        channels = channels if kind == "dw" else int(out * alpha)
        total += 2 * channels
    return total


class TestPaperTable:
    """1.0 MobileNet-224: every preset equals the figure PAPER.md measured with the tool."""

    @pytest.fixture(scope="class")
    def totals(self):
        return {name: count.total for name, count in presets.count_all(api.analyze()).items()}

    def test_paper(self, totals):
        assert totals["paper"] == 568_740_352

    def test_fvcore(self, totals):
        assert totals["fvcore"] == 578_875_904

    def test_torch_flop_counter(self, totals):
        assert totals["torch"] == 1_137_480_704 == 2 * 568_740_352

    def test_ptflops(self, totals):
        q = hand_quantities()
        # conv + FC (with bias) + BN 2/elt + ReLU 2/elt + pool 2/input elt + softmax 1/elt
        expected = (q["conv"] + q["fc"] + 1000 + 2 * q["bn_elements"] + 2 * q["relu_elements"]
                    + 2 * q["pool_in"] + 1000)
        assert totals["ptflops"] == expected
        assert f"{totals['ptflops'] / 1e6:.1f} M" == "589.0 M"

    def test_ptflops_aten_backend_counts_conv_and_matmul_only(self, totals):
        # MobileNet's convs have no bias; aten addmm adds batch · out_features for the FC's
        assert totals["ptflops-aten"] == 568_740_352 + 1000

    def test_thop(self, totals):
        q = hand_quantities()
        # BN 4/elt, adaptive pool (7·7 + 1) per output, FC no bias, softmax 3·1000 − 1
        expected = (q["conv"] + q["fc"] + 4 * q["bn_elements"] + (7 * 7 + 1) * 1024
                    + 3 * 1000 - 1)
        assert totals["thop"] == expected
        assert f"{totals['thop'] / 1e6:.1f} M" == "589.0 M"

    def test_torchinfo(self, totals):
        q = hand_quantities()
        # conv + FC weights and bias + BN γ, β counted as "mult-adds"
        assert totals["torchinfo"] == q["conv"] + q["fc"] + 1000 + _bn_affine(1.0)
        assert f"{totals['torchinfo'] / 1e6:.2f} M" == "568.76 M"

    def test_calflops(self, totals):
        q = hand_quantities()
        # FLOPs: 2 per conv and FC multiply-add (FC bias ignored), BN 2/elt, ReLU 1/elt,
        # pool 1/input elt, softmax 1/elt (shared/FAMILY.md; confirmed with calflops 0.3.2,
        # 1,152,659,944 for this model)
        expected = (2 * (q["conv"] + q["fc"]) + 2 * q["bn_elements"] + q["relu_elements"]
                    + q["pool_in"] + 1000)
        assert totals["calflops"] == expected == 1_152_659_944

    def test_units_and_labels(self):
        assert {name for name, p in presets.PRESETS.items() if p.unit == "FLOPs"} == \
            {"torch", "calflops"}
        assert {p.unit for name, p in presets.PRESETS.items()
                if name not in ("torch", "calflops")} == {"MACs"}

    def test_params_follow_each_tools_convention(self):
        counts = presets.count_all(api.analyze())
        assert counts["paper"].params == 4_209_088
        assert {counts[n].params for n in presets.PRESET_NAMES if n != "paper"} == {4_231_976}


class TestQuantities:
    """The per-model sums equal hand-derived ones at every α and resolution."""

    @pytest.mark.parametrize("alpha", [1.0, 0.75, 0.5, 0.25])
    @pytest.mark.parametrize("resolution", [224, 192, 160, 128, 97])
    def test_mobilenet(self, alpha, resolution):
        q = presets.quantities(api.network(alpha=alpha, resolution=resolution))
        hand = hand_quantities(alpha, resolution)
        assert (q["conv"], q["fc"], q["bn_elements"], q["relu_elements"]) == \
            (hand["conv"], hand["fc"], hand["bn_elements"], hand["relu_elements"])
        assert (q["pool_in_elements"], q["pool_out_elements"]) == (hand["pool_in"],
                                                                  hand["pool_out"])
        assert q["bn_affine"] == _bn_affine(alpha)
        assert (q["conv_bias"], q["fc_bias"], q["relu6_elements"]) == (0, 1000, 0)
        assert (q["softmax_elements"], q["softmax_thop"]) == (1000, 2999)

    def test_network_and_report_agree(self):
        net = api.network(alpha="0.5", resolution=160)
        assert presets.quantities(net) == presets.quantities(api.analyze(net))
        assert presets.count_as("thop", net).total == presets.count_as("thop",
                                                                       api.analyze(net)).total
        assert presets.count_as("thop", net).params is None

    def test_bias_and_relu6(self, write_yaml):
        path = write_yaml("""
            model: Tiny
            input: {resolution: 8, channels: 3}
            classes: 10
            defaults: {batch_norm: true, activation: relu6, bias: true}
            layers:
              - {kind: conv, kernel: 3, stride: 2, out: 4}
              - {kind: pw, out: 6, activation: relu, batch_norm: false, bias: false}
              - {kind: avgpool}
              - {kind: fc}
              - {kind: softmax}
            """)
        counts = {n: c.total for n, c in presets.count_all(api.analyze(str(path))).items()}
        conv = 3 * 3 * 3 * 4 * 4 * 4 + 4 * 6 * 4 * 4    # 4×4 outputs
        fc = 6 * 10
        out1, out2 = 4 * 4 * 4, 4 * 4 * 6              # conv1 (bias, BN, ReLU6), pw1 (ReLU)
        assert counts["paper"] == conv + fc
        assert counts["fvcore"] == conv + fc + 2 * out1 + out2
        assert counts["torch"] == 2 * (conv + fc)
        assert counts["ptflops"] == (conv + out1 + fc + 10 + 2 * out1 + out1 + 2 * out2
                                     + 2 * out2 + 10)
        assert counts["ptflops-aten"] == conv + out1 + fc + 10  # + the FC bias (addmm)
        assert counts["thop"] == conv + fc + 4 * out1 + (16 + 1) * 6 + (3 * 10 - 1)
        assert counts["torchinfo"] == conv + out1 + 2 * 4 + fc + 10

    def test_rule_reads_as_a_formula(self):
        assert presets.preset("fvcore").rule == ("conv + fc + 2·bn_elements + pool_in_elements"
                                                 " + pool_fn_in_elements")

    def test_unknown_preset(self):
        from mncost.core.errors import ConfigError
        with pytest.raises(ConfigError, match="unknown preset 'flopz'"):
            presets.preset("flopz")


class TestTableCountAs:
    """`mncost table --count-as TOOL` prints that tool's total, labelled, and adds it to JSON."""

    @pytest.mark.parametrize("tool,line", [
        ("fvcore", "Counted as fvcore: 578,875,904 MACs"),
        ("torch", "Counted as torch: 1,137,480,704 FLOPs"),
        ("paper", "Counted as paper: 568,740,352 MACs"),
    ])
    def test_rich_names_the_total(self, invoke, tool, line):
        result = invoke("table", "--count-as", tool)
        assert result.exit_code == 0 and line in result.stdout

    def test_markdown(self, invoke):
        out = invoke("table", "--count-as", "torchinfo", "-f", "markdown").stdout
        assert "### Counted as torchinfo: 568,763,240 MACs" in out
        assert "| **Total** |" in out

    def test_json_gains_count_as_only_with_the_flag(self, invoke):
        plain = json.loads(invoke("table", "-f", "json").stdout)
        data = json.loads(invoke("table", "-f", "json", "--count-as", "thop").stdout)
        assert "count_as" not in plain
        assert {k: v for k, v in data.items() if k != "count_as"} == plain
        count = data["count_as"]
        assert (count["preset"], count["unit"], count["total"]) == ("thop", "MACs", 588_965_303)
        assert sum(count["terms"].values()) == count["total"]
        assert type(count["total"]) is int and count["params"] == 4_231_976

    def test_csv_is_refused(self, invoke):
        result = invoke("table", "--count-as", "fvcore", "-f", "csv")
        assert result.exit_code == 2 and "--count-as has no CSV view" in result.stderr

    def test_unknown_tool_is_a_usage_error(self, invoke):
        result = invoke("table", "--count-as", "flopz")
        assert result.exit_code == 2

    def test_help_lists_every_tool(self, invoke):
        out = invoke("table", "--help").stdout
        assert "--count-as" in out and all(name in out for name in presets.PRESET_NAMES)

    def test_count_as_does_not_import_torch(self):
        code = textwrap.dedent("""
            import sys
            from click.testing import CliRunner
            from mncost.cli import main
            result = CliRunner().invoke(main, ["table", "--count-as", "fvcore"])
            assert result.exit_code == 0, result.output
            print(sorted(m for m in ("torch", "fvcore") if m in sys.modules))
            """)
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True).stdout
        assert out.strip() == "[]"


# -- the real tools, only where installed -------------------------------------------------------

def _model_and_input(alpha="1", resolution=224):
    torch = pytest.importorskip("torch")
    from mncost.torch import builder
    net = api.network(alpha=alpha, resolution=resolution)
    return torch, net, builder.build(net, init=False).eval(), builder.input_tensor(net)


@pytest.mark.torch
@pytest.mark.parametrize("alpha,resolution", [("1", 224), ("0.5", 97)])
def test_ptflops_preset_matches_ptflops(alpha, resolution):
    pytest.importorskip("ptflops")
    from ptflops import get_model_complexity_info
    torch, net, model, _ = _model_and_input(alpha, resolution)
    kwargs = dict(as_strings=False, print_per_layer_stat=False, verbose=False)
    try:
        macs, _ = get_model_complexity_info(model, (3, resolution, resolution),
                                            backend="pytorch", **kwargs)
    except TypeError:  # versions before backends existed
        macs, _ = get_model_complexity_info(model, (3, resolution, resolution), **kwargs)
    assert int(macs) == presets.count_as("ptflops", net).total


@pytest.mark.torch
@pytest.mark.parametrize("alpha,resolution", [("1", 224), ("0.5", 97)])
def test_ptflops_aten_preset_matches_ptflops(alpha, resolution):
    pytest.importorskip("ptflops")
    from ptflops import get_model_complexity_info
    torch, net, model, _ = _model_and_input(alpha, resolution)
    try:
        macs, _ = get_model_complexity_info(model, (3, resolution, resolution), backend="aten",
                                            as_strings=False, print_per_layer_stat=False)
    except (TypeError, ValueError):
        pytest.skip("this ptflops has no aten backend")
    assert int(macs) == presets.count_as("ptflops-aten", net).total


@pytest.mark.torch
@pytest.mark.parametrize("alpha,resolution", [("1", 224), ("0.5", 97)])
def test_thop_preset_matches_thop(alpha, resolution):
    pytest.importorskip("thop")
    from thop import profile
    torch, net, model, x = _model_and_input(alpha, resolution)
    macs, params = profile(model, inputs=(x,), verbose=False)
    assert int(macs) == presets.count_as("thop", net).total


@pytest.mark.torch
@pytest.mark.parametrize("alpha,resolution", [("1", 224), ("0.5", 97)])
def test_torchinfo_preset_matches_torchinfo(alpha, resolution):
    pytest.importorskip("torchinfo")
    from torchinfo import summary
    torch, net, model, _ = _model_and_input(alpha, resolution)
    stats = summary(model, input_size=(1, 3, resolution, resolution), verbose=0)
    assert stats.total_mult_adds == presets.count_as("torchinfo", net).total


class TestRulesLiveWithTheKinds:
    """Each quantity's weight for every preset is declared by the kind that introduces it."""

    def test_a_quantity_without_a_weight_for_some_preset_is_refused(self):
        from mncost.core.kinds import quantity
        with pytest.raises(RuntimeError, match="no weight for thop, torchinfo"):
            quantity("new elements", paper=0, fvcore=0, torch=0, ptflops=0, ptflops_aten=0)

    def test_every_quantity_has_a_rule_for_every_preset(self):
        from mncost.core.kinds import PEERS, quantity_rules
        assert tuple(presets.PRESETS) == PEERS
        for name, rule in quantity_rules().items():
            assert [peer for peer, _ in rule.weights] == list(PEERS), name

    def test_weighted_and_ignored_cover_every_quantity(self):
        from mncost.core.kinds import quantity_rules
        for p in presets.PRESETS.values():
            counted = {name for name, _ in p.weights}
            assert counted.isdisjoint(p.ignored)
            assert counted | set(p.ignored) == set(quantity_rules())


# -- every kind, against every real tool --------------------------------------------------------

PEER_KINDS = Path(__file__).parent / "data" / "peer_kinds.yaml"


def _tool_counts(model, x, h: int, w: int) -> dict[str, int]:
    """What each installed tool reports for ``model`` on ``x`` (1×3×h×w), quietly."""
    import contextlib
    import io
    import warnings

    found: dict[str, int] = {}
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()), \
            contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        try:
            from ptflops import get_model_complexity_info
        except ImportError:
            pass
        else:
            for backend, name in (("pytorch", "ptflops"), ("aten", "ptflops-aten")):
                macs, _ = get_model_complexity_info(model, (3, h, w), backend=backend,
                                                    as_strings=False,
                                                    print_per_layer_stat=False)
                found[name] = int(macs)
        try:
            from thop import profile
        except ImportError:
            pass
        else:
            found["thop"] = int(profile(model, inputs=(x,), verbose=False)[0])
        try:
            from torchinfo import summary
        except ImportError:
            pass
        else:
            found["torchinfo"] = summary(model, input_size=tuple(x.shape),
                                         verbose=0).total_mult_adds
        try:  # not in the test extra: it needs transformers and accelerate (a large stack)
            from calflops import calculate_flops
        except Exception:  # noqa: BLE001 - ImportError, or transformers failing to import
            pass
        else:
            flops, macs, _ = calculate_flops(model=model, input_shape=tuple(x.shape),
                                             output_as_string=False, print_results=False,
                                             print_detailed=False)
            found["calflops"] = int(flops)
            found["paper"] = int(macs)   # calflops' MACs are the paper's mult-adds
    return found


@pytest.mark.torch
@pytest.mark.parametrize("resolution", ["20x24", "33x29"])
def test_every_kind_counts_as_each_real_tool(resolution):
    """A graph with every kind (residual add, SE gate, hardswish, silu, sigmoid, relu6, max and
    windowed average pools, concat, batch norm alone, dropout): each preset's total equals
    the installed tool's own, and fvcore's and torch's are confirmed by verify."""
    pytest.importorskip("torch")
    pytest.importorskip("fvcore")
    from mncost.torch import builder, verify
    net = api.network(str(PEER_KINDS), resolution=resolution)
    model = builder.build(net, init=False).eval()
    x = builder.input_tensor(net)
    measured = _tool_counts(model, x, net.input_shape.h, net.input_shape.w)
    if not measured:
        pytest.skip("none of ptflops, thop, torchinfo is installed")
    assert measured == {name: presets.count_as(name, net).total for name in measured}
    assert verify.crosscheck(net, model=model).ok
