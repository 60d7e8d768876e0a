"""`mncost verify`: the analytic numbers reconcile exactly with fvcore and torch's counter.

Expected totals come from PAPER.md ("How other counters count") and hand formulas; the
perturbation tests prove a wrong cost rule or a wrong torch layer is caught and named.
"""

from __future__ import annotations

import dataclasses
import json
import sys

import pytest

from mncost import api
from mncost.core.kinds import kind

pytest.importorskip("torch")
pytest.importorskip("fvcore")

from mncost.torch import verify  # noqa: E402
from mncost.torch import builder

pytestmark = pytest.mark.torch

ALPHAS = ("1.0", "0.75", "0.5", "0.35", "0.25")
RESOLUTIONS = (224, 192, 160, 128, 97)


class TestDoneWhen:
    """verify exits 0 for every built-in variant at α ∈ {1, .75, .5, .35, .25} and resolution
    ∈ {224, 192, 160, 128, 97} (odd sizes included)."""

    @pytest.mark.parametrize("variant", ["separable", "standard", "shallow"])
    def test_every_alpha_and_resolution(self, invoke, variant):
        failures = []
        for alpha in ALPHAS:
            for resolution in RESOLUTIONS:
                result = invoke("verify", "--variant", variant, "--alpha", alpha,
                                "--resolution", resolution, "--format", "json")
                data = json.loads(result.stdout)
                if result.exit_code != 0 or not data["ok"]:
                    failures.append((alpha, resolution, data["mismatches"]))
                # the joined numbers are really the same, not both missing
                assert data["fvcore"]["mult_adds"] == data["analytic"]["mult_adds"] > 0
        assert failures == []


class TestMobileNet224:
    """1.0 MobileNet-224: the tools' numbers are the ones PAPER.md measured."""

    @pytest.fixture(scope="class")
    def data(self):
        from click.testing import CliRunner
        from mncost.cli import main
        result = CliRunner().invoke(main, ["verify", "-f", "json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    def test_json_contract(self, data):
        assert {"ok", "analytic", "fvcore", "flop_counter", "layers"} <= set(data)
        assert {"mult_adds", "params"} <= set(data["analytic"])
        assert {"mult_adds", "total", "by_operator", "params"} <= set(data["fvcore"])
        assert set(data["flop_counter"]) == {"flops"}
        for layer in data["layers"]:
            assert {"name", "analytic_mult_adds", "fvcore_mult_adds", "analytic_params",
                    "fvcore_params", "output_shape_ok", "match"} <= set(layer)
            assert type(layer["analytic_mult_adds"]) is int and layer["match"] is True

    def test_totals_are_papers(self, data):
        assert data["ok"] is True and data["mismatches"] == []
        assert data["analytic"] == {**data["analytic"], "mult_adds": 568_740_352,
                                    "params": 4_231_976}
        assert data["fvcore"]["total"] == 578_875_904
        assert data["fvcore"]["params"] == 4_231_976
        assert data["flop_counter"]["flops"] == 1_137_480_704

    def test_fvcore_operators_follow_their_closed_forms(self, data):
        ops = data["fvcore"]["by_operator"]
        assert ops["conv"] == 567_716_352 and ops["linear"] == 1024 * 1000
        # 2 per batch-norm output element; the 27 convs' outputs from Table 1
        bn_elements = (112 * 112 * (32 + 32 + 64) + 56 * 56 * (64 + 128 * 3)
                       + 28 * 28 * (128 + 256 * 3) + 14 * 14 * (256 + 512 + 512 * 10)
                       + 7 * 7 * (512 + 1024 * 3))
        assert ops["batch_norm"] == 2 * bn_elements
        assert ops["adaptive_avg_pool2d"] == 7 * 7 * 1024

    def test_layers_join_by_name(self, data):
        names = [layer["name"] for layer in data["layers"]]
        assert names[:3] == ["conv1", "block1.dw", "block1.pw"] and names[-3:] == \
            ["pool", "fc", "softmax"]
        dw = data["layers"][1]
        assert dw["analytic_mult_adds"] == dw["fvcore_mult_adds"] == 3 * 3 * 32 * 112 * 112
        assert dw["fvcore_params"] == 3 * 3 * 32 + 2 * 32
        assert dw["output_shape"] == [112, 112, 32] and dw["output_shape_ok"] is True

    def test_skipped_ops_are_listed(self, data):
        assert data["fvcore"]["skipped_ops"]["aten::relu"] == 27
        assert data["fvcore"]["unsupported_ops"] == {"aten::softmax": 1}


class TestRichOutput:
    """The default view: one table, a totals table, one skipped-ops line, a verdict."""

    def test_success(self, invoke):
        result = invoke("verify", "--alpha", "0.25", "--resolution", "128")
        assert result.exit_code == 0
        out = result.stdout
        assert "verify · MobileNet v1 · separable · α=0.25 · 128×128" in out
        assert "fvcore batch_norm = 2 × bn_elements" in out
        assert "FlopCounterMode FLOPs = 2 × mult-adds" in out
        assert "✓ verify: all 30 layers and 9 totals reconcile exactly" in out

    def test_fvcore_warnings_do_not_leak(self, invoke, capfd):
        result = invoke("verify", "--alpha", "0.25", "--resolution", "97")
        captured = capfd.readouterr()
        for stream in (result.stdout, result.stderr, captured.out, captured.err):
            assert "Unsupported operator" not in stream and "Warning" not in stream
        skipped = [line for line in result.stdout.splitlines() if "fvcore skipped" in line]
        assert skipped == ["fvcore skipped (counted 0): aten::flatten ×1, aten::relu ×27 "
                           "(ignored by design); aten::softmax ×1 (unsupported)"]

    def test_markdown(self, invoke):
        out = invoke("verify", "-a", "0.25", "-r", "128", "-f", "markdown").stdout
        assert "### verify · MobileNet v1" in out and "| block1.dw |" in out

    def test_custom_spec_with_bias_relu6_and_no_batch_norm(self, invoke, tiny_mixed_spec):
        path = tiny_mixed_spec
        result = invoke("verify", "--spec", path, "-f", "json")
        data = json.loads(result.stdout)
        assert result.exit_code == 0 and data["ok"]
        # ReLU6 runs as aten::hardtanh, which fvcore does not support: counted 0, listed
        assert data["fvcore"]["unsupported_ops"]["aten::hardtanh"] == 2
        conv1 = data["layers"][0]
        assert conv1["fvcore_params"] == 3 * 3 * 3 * 8 + 8 + 2 * 8  # weights + bias + γ, β


class TestPerturbations:
    """A wrong cost rule or a wrong torch layer makes verify exit 1 and name the layer."""

    def test_wrong_depthwise_rule(self, invoke, monkeypatch):
        rule = kind("dw")
        right = rule.cost

        def off_by_one(layer):
            cost = right(layer)
            if layer.name == "block3.dw":
                return dataclasses.replace(cost, mult_adds=cost.mult_adds + 1)
            return cost

        monkeypatch.setattr(rule, "cost", off_by_one)
        result = invoke("verify", "--alpha", "0.5", "--resolution", "128")
        assert result.exit_code == 1
        differences = result.stdout.split("Differences", 1)[1]
        assert "block3.dw" in differences and "mult-adds (fvcore conv + linear)" in differences
        assert "block2.dw" not in differences
        # block3.dw at 0.5-128: 3·3·64·32·32 mult-adds
        assert f"{3 * 3 * 64 * 32 * 32 + 1:,}" in differences
        assert result.stderr.startswith("Error: verify: ")
        assert "layer block3.dw" in result.stderr

    def test_wrong_rule_in_json(self, invoke, monkeypatch):
        rule = kind("fc")
        right = rule.cost
        monkeypatch.setattr(rule, "cost", lambda layer: dataclasses.replace(
            right(layer), biases=0))
        result = invoke("verify", "-a", "0.25", "-r", "128", "-f", "json")
        data = json.loads(result.stdout)
        assert result.exit_code == 1 and data["ok"] is False
        fc = next(layer for layer in data["layers"] if layer["name"] == "fc")
        assert fc["match"] is False and fc["analytic_params"] == fc["fvcore_params"] - 1000
        assert {m["layer"] for m in data["mismatches"]} == {"fc", "total"}

    def test_wrong_builder_layer(self, invoke, monkeypatch):
        from torch import nn
        right = builder.module_for

        def stride_one(layer):
            module = right(layer)
            if layer.name == "block4.dw":
                module.conv = nn.Conv2d(layer.input_shape.c, layer.output_shape.c, 3,
                                        stride=1, padding=1, groups=layer.groups, bias=False)
            return module

        monkeypatch.setattr(builder, "module_for", stride_one)
        result = invoke("verify", "--alpha", "0.25", "--resolution", "128", "-f", "json")
        data = json.loads(result.stdout)
        assert result.exit_code == 1
        block4 = next(layer for layer in data["layers"] if layer["name"] == "block4.dw")
        assert block4["output_shape_ok"] is False and block4["match"] is False
        assert block4["fvcore_mult_adds"] == 4 * block4["analytic_mult_adds"]
        assert "block4.dw" in result.stderr

    def test_unbuilt_network_raises_verify_mismatch(self):
        net = api.network(alpha="0.25", resolution=97)
        model = builder.build(net, init=False)
        model.fc = type(model.fc)(model.fc.in_features, model.fc.out_features, bias=False)
        result = verify.crosscheck(net, model=model)
        assert not result.ok
        assert {m.layer for m in result.mismatches} == {"fc", "total"}


class TestMissingExtra:
    """Without torch or fvcore: one line, exit 2; table keeps working."""

    @pytest.mark.parametrize("missing", ["torch", "fvcore.nn"])
    def test_message_and_exit_2(self, invoke, monkeypatch, missing):
        monkeypatch.setitem(sys.modules, missing, None)
        result = invoke("verify")
        assert result.exit_code == 2
        assert result.stderr.startswith("Error: verify needs the 'verify' extra: "
                                        "pip install 'mncost[verify]' (install torch first")
        assert "unpinned 'torch'" in result.stderr and result.stderr.count("\n") == 1
        assert result.stdout == ""

    def test_table_still_works(self, invoke, monkeypatch):
        monkeypatch.setitem(sys.modules, "torch", None)
        assert invoke("table", "--count-as", "fvcore").exit_code == 0


class TestGrid:
    """--grid: 3 variants × 4 α × 4 resolutions, one summary line."""

    def test_grid_reconciles(self, invoke):
        result = invoke("verify", "--grid", "-f", "json")
        data = json.loads(result.stdout)
        assert result.exit_code == 0 and data["ok"] is True
        assert data["summary"]["models"] == len(data["models"]) == 3 * 4 * 4
        assert data["summary"]["failed"] == 0
        points = {(m["variant"], m["alpha"], m["resolution"]) for m in data["models"]}
        assert points == {(v, a, r) for v in ("separable", "standard", "shallow")
                          for a in (1.0, 0.75, 0.5, 0.25) for r in (224, 192, 160, 128)}
        for model in data["models"]:
            assert model["fvcore"]["mult_adds"] == model["analytic"]["mult_adds"]
            assert model["flop_counter"]["flops"] == 2 * model["analytic"]["mult_adds"]
        separable_224 = next(m for m in data["models"]
                             if (m["variant"], m["alpha"], m["resolution"]) ==
                             ("separable", 1.0, 224))
        assert separable_224["fvcore"]["total"] == 578_875_904

    def test_grid_summary_line(self, invoke, tiny_conv_spec):
        result = invoke("verify", "--spec", tiny_conv_spec, "--grid")
        assert result.exit_code == 0
        last = result.stdout.strip().splitlines()[-1]
        assert last.startswith("✓ verify --grid: all 16 models (1 variant × 4 α × 4 resolutions")
        assert "reconcile exactly in" in last

    @pytest.mark.parametrize("flag", [("--alpha", "0.5"), ("--resolution", "160"),
                                      ("--variant", "shallow")])
    def test_grid_refuses_model_choice(self, invoke, flag):
        result = invoke("verify", "--grid", *flag)
        assert result.exit_code == 2 and "--grid chooses" in result.stderr


class TestPresetsAgainstTools:
    """The fvcore and torch presets equal the real tools' totals."""

    @pytest.mark.parametrize("variant,alpha,resolution", [("separable", "0.35", 97),
                                                           ("standard", "0.25", 128)])
    def test_fvcore_and_torch(self, variant, alpha, resolution):
        from mncost.core import presets
        net = api.network(variant=variant, alpha=alpha, resolution=resolution)
        result = verify.crosscheck(net)
        assert result.fvcore_total == presets.count_as("fvcore", net).total
        assert result.flop_counter_flops == presets.count_as("torch", net).total


class TestMemoryBound:
    """--max-memory bounds what verify uses, tracing included, and an allocation failure is
    one line, not a torch traceback."""

    def test_long_chain_refused_before_building(self, invoke, write_yaml):
        spec = write_yaml("""
            model: chain
            input: {resolution: 8}
            layers:
              - {kind: conv, out: 8}
              - {kind: conv, out: 8, repeat: 3000}
            """)
        result = invoke("verify", "--spec", str(spec), "--max-memory", "1GiB")
        assert result.exit_code == 2
        assert "for tracing 3,001 layers" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1

    def test_allocation_failure_is_one_line(self, invoke, monkeypatch):
        pytest.importorskip("torch")
        from mncost.torch import builder

        def fail(*args, **kwargs):
            raise RuntimeError("[enforce fail at alloc_cpu.cpp:117] DefaultCPUAllocator: "
                               "can't allocate memory: you tried to allocate 3435973836800 "
                               "bytes")
        monkeypatch.setattr(builder, "build", fail)
        result = invoke("verify", "--resolution", "64")
        assert result.exit_code == 2
        assert "ran out of memory verifying MobileNet v1" in result.stderr
        assert "Traceback" not in result.stderr
