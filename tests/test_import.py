"""The PyTorch bridge: `mncost import`, `mncost.from_torch`, `verify --against`, budgets'
`torch:`. Expected numbers come from the real models: fvcore's conv + linear count and
`sum(p.numel())`, never from mncost's own builder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

torch = pytest.importorskip("torch")
pytest.importorskip("fvcore")

import fvcore_counts  # noqa: E402  (tests/fvcore_counts.py)
import mncost  # noqa: E402
from mncost.core import spec as spec_module  # noqa: E402
from mncost.core import spec_writer  # noqa: E402

NETS = Path(__file__).parent / "data" / "torchnets"
pytestmark = pytest.mark.torch


@pytest.fixture
def in_nets(monkeypatch):
    """Run from tests/data/torchnets, so MODULE:CALLABLE finds hand_nets and tv_models."""
    monkeypatch.chdir(NETS)
    monkeypatch.syspath_prepend(str(NETS))


def _torchvision():
    try:
        import tv_models  # noqa: F401  (tests/data/torchnets, on sys.path via in_nets)
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"torchvision does not import here: {exc}")
    return tv_models


def _import(invoke, target, tmp_path, *args):
    out = tmp_path / f"{target.replace(':', '_')}.yaml"
    result = invoke("import", target, "-o", str(out), "--force", *args)
    assert result.exit_code == 0, result.stderr
    return out, result


MODELS = [("hand_nets:zoo", None), ("tv_models:mobilenet_v2", "tv"),
          ("tv_models:mobilenet_v3_small", "tv"), ("tv_models:efficientnet_b0", "tv")]


@pytest.mark.parametrize("target, needs", MODELS, ids=[m[0] for m in MODELS])
@pytest.mark.parametrize("resolution", ["160", "97x131"])
def test_round_trip_equals_fvcore_and_numel(invoke, in_nets, tmp_path, target, needs,
                                            resolution):
    if needs == "tv":
        _torchvision()
    out, result = _import(invoke, target, tmp_path, "--resolution", resolution)
    module, name = target.split(":")
    model = getattr(__import__(module), name)()
    h, w = (int(v) for v in resolution.split("x")) if "x" in resolution else \
        (int(resolution),) * 2
    data = json.loads(invoke("table", "--spec", str(out), "--format", "json").stdout)
    assert data["totals"]["mult_adds"] == fvcore_counts.conv_linear(model, h, w)
    assert data["totals"]["params"] == sum(p.numel() for p in model.parameters())
    assert "equal to the model's" in result.stderr
    # and mncost's own build of the imported spec reconciles with fvcore
    from mncost.torch import verify
    assert verify.crosscheck(mncost.network(str(out))).ok


def test_blocks_are_recognised_and_named_by_module_path(invoke, in_nets, tmp_path):
    _torchvision()
    out, _ = _import(invoke, "tv_models:mobilenet_v2", tmp_path)
    doc = yaml.safe_load(out.read_text())
    kinds = [layer["kind"] for layer in doc["layers"]]
    assert kinds.count("inverted_residual") == 17
    names = [layer["name"] for layer in doc["layers"]]
    assert names[:4] == ["features.0.0", "features.1.conv", "features.2.conv", "features.3"]
    model = __import__("tv_models").mobilenet_v2()
    modules = dict(model.named_modules())
    # A module, or an operation in forward (features.3.add, or pool / flatten at the root).
    assert all(name in modules or name.rsplit(".", 1)[0] in modules or "." not in name
               for name in names), "every row maps back to the code"
    assert sum(name in modules for name in names) == len(names) - 2   # pool, flatten


def test_flat_names_are_the_modules(invoke, in_nets, tmp_path):
    out, _ = _import(invoke, "hand_nets:zoo", tmp_path, "--flat")
    doc = yaml.safe_load(out.read_text())
    modules = dict(__import__("hand_nets").zoo().named_modules())
    for layer in doc["layers"]:
        name = layer["name"]
        assert name in modules or name.rsplit(".", 1)[0] in modules or "." not in name, name
    assert [layer["kind"] for layer in doc["layers"]].count("inverted_residual") == 0
    assert {"block.add", "block.conv.6.mul", "cat", "mean"} <= {l["name"] for l in doc["layers"]}


def test_zoo_blocks(invoke, in_nets, tmp_path):
    out, _ = _import(invoke, "hand_nets:zoo", tmp_path)
    layers = {layer["name"]: layer for layer in yaml.safe_load(out.read_text())["layers"]}
    block = layers["block"]
    assert block["kind"] == "inverted_residual" and block["expand"] == 4
    assert block["se"]["gate"] == "sigmoid" and block["se"]["ratio"] == "1/4"
    assert layers["separable"]["kind"] == "separable"


def test_unsupported_operation_is_refused(invoke, in_nets, tmp_path):
    out = tmp_path / "u.yaml"
    result = invoke("import", "hand_nets:Unsupported", "-o", str(out))
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "torch.nn.modules.activation.GELU in act" in result.stderr
    assert "Tensor.permute" in result.stderr and "LayerNorm in norm" in result.stderr
    assert not out.exists()


def test_allow_unknown_lists_them(invoke, in_nets, tmp_path):
    result = invoke("import", "hand_nets:Unsupported", "--allow-unknown", "--resolution", "8")
    assert result.exit_code == 0, result.stderr
    assert "unknown, counted as free: torch.nn.modules.activation.GELU in act" in result.stderr
    doc = yaml.safe_load(result.stdout)
    opaque = [(layer["name"], layer["op"]) for layer in doc["layers"]
              if layer["kind"] == "opaque"]
    assert opaque == [("act", "torch.nn.modules.activation.GELU"), ("permute", "Tensor.permute"),
                      ("norm", "torch.nn.modules.normalization.LayerNorm")]
    assert "GELU" in result.stdout.splitlines()[3]  # the header lists them
    # LayerNorm's 16 parameters are not counted, and both outputs say so
    assert "224 params (the model has 240)" in result.stderr
    assert "not counted: the 16 parameters of norm" in result.stderr
    assert "norm (16)" in result.stdout


@pytest.mark.parametrize("target, message", [
    ("no_such_module:build", "no module named 'no_such_module'"),
    ("hand_nets:nothing", "module hand_nets has no attribute 'nothing'"),
    ("hand_nets", "expected MODULE:CALLABLE"),
    ("hand_nets:broken", "calling hand_nets:broken() failed: RuntimeError: the factory needs"),
    ("hand_nets:not_a_model", "returned int, not a torch.nn.Module"),
    ("hand_nets:Dynamic", "cannot trace hand_nets:Dynamic symbolically"),
    ("hand_nets:pretrained", "hand_nets:pretrained() tried to download weights from "
                             "https://example.invalid/zoo.pth"),
])
def test_bad_targets_are_one_line(invoke, in_nets, target, message):
    result = invoke("import", target)
    assert result.exit_code == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_existing_output_is_kept_without_force(invoke, in_nets, tmp_path):
    out = tmp_path / "mine.yaml"
    out.write_text("keep me\n")
    result = invoke("import", "hand_nets:zoo", "-o", str(out))
    assert result.exit_code == 2 and "already exists; pass --force" in result.stderr
    assert out.read_text() == "keep me\n"
    assert invoke("import", "hand_nets:zoo", "-o", str(out), "--force").exit_code == 0
    assert out.read_text().startswith("# Imported from hand_nets:zoo")


def test_from_torch_api(in_nets):
    model = __import__("hand_nets").zoo()
    for size in (64, (1, 3, 48, 80), "80x48"):
        net = mncost.from_torch(model, size)
        h, w = net.input_shape.h, net.input_shape.w
        report = mncost.analyze(net)
        assert report.mult_adds == fvcore_counts.conv_linear(model, h, w)
        assert report.params == sum(p.numel() for p in model.parameters())


def test_from_torch_leaves_the_model_as_given(in_nets):
    model = __import__("hand_nets").zoo().train()
    mncost.from_torch(model, 64)
    assert model.training and all(m.training for m in model.modules())


def test_from_torch_unsupported_raises(in_nets):
    with pytest.raises(mncost.MncostError, match="GELU in act"):
        mncost.from_torch(__import__("hand_nets").Unsupported(), 8)


def test_written_yaml_reads_back_to_the_same_network(in_nets):
    from mncost.torch import importer

    imported = importer.trace(__import__("hand_nets").zoo(), (64, 64), source="hand_nets:zoo")
    text = spec_writer.dump(imported.doc, ["a comment"])
    from mncost.core.yamlio import load_yaml
    again = spec_module.resolve(spec_module.parse(load_yaml(text, "x.yaml"), "x.yaml"))
    direct = importer.to_network(imported)[1]
    assert [(n.name, n.kind, n.output_shape) for n in again.nodes] == \
        [(n.name, n.kind, n.output_shape) for n in direct.nodes]


# -- verify --against -------------------------------------------------------------------------

def test_against_matching_model_passes(invoke, in_nets):
    _torchvision()
    result = invoke("verify", "--spec", "mobilenet_v2", "--alpha", "0.75", "--resolution",
                    "160", "--against", "tv_models:mobilenet_v2_075", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["ok"] and data["first_divergence"] is None
    assert all(row["match"] for row in data["layers"])
    assert {t["check"]: t["model"] for t in data["totals"]} == {
        "mult-adds: spec vs fvcore conv + linear": 107_295_200,
        "params (trainable): spec vs the model's numel": 2_636_424}


def test_against_own_import_passes(invoke, in_nets, tmp_path):
    out, _ = _import(invoke, "hand_nets:zoo", tmp_path, "--resolution", "64")
    result = invoke("verify", "--spec", str(out), "--against", "hand_nets:zoo")
    assert result.exit_code == 0, result.stderr
    assert "match hand_nets:zoo exactly" in result.stdout


def test_against_different_model_names_the_first_divergence(invoke, in_nets, tmp_path):
    out, _ = _import(invoke, "hand_nets:zoo", tmp_path, "--resolution", "64")
    result = invoke("verify", "--spec", str(out), "--against", "hand_nets:zoo_wider",
                    "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    first = data["first_divergence"]
    assert first["spec_node"] == "head" and first["torch_module"] == "head"
    assert "fc" in first["problem"] and "1×1×10" in first["problem"]
    assert "1×1×12" in first["problem"]
    assert "first at spec head ↔ head" in result.stderr


def test_against_another_family_fails(invoke, in_nets):
    _torchvision()
    result = invoke("verify", "--spec", "mobilenet_v2", "--resolution", "96", "--against",
                    "tv_models:mobilenet_v3_small")
    assert result.exit_code == 1
    assert "first divergence: spec conv1 ↔ features.0.0" in result.stdout


# -- budgets ----------------------------------------------------------------------------------

def test_budget_torch_entry(invoke, in_nets, tmp_path):
    model = __import__("hand_nets").zoo()
    actual = fvcore_counts.conv_linear(model, 96, 96)
    budgets = tmp_path / "b.yaml"
    budgets.write_text(f"""
budgets:
  - name: zoo
    torch: hand_nets:zoo
    resolution: 96
    limits: {{mult_adds: {actual}, params: {sum(p.numel() for p in model.parameters()) - 1}}}
""")
    result = invoke("check", str(budgets), "--format", "json")
    assert result.exit_code == 1
    status = {r["metric"]: (r["actual"], r["status"]) for r in json.loads(result.stdout)["results"]}
    assert status["mult_adds"] == (actual, "ok") and status["params"][1] == "fail"


def test_budget_torch_entry_errors_name_the_line(invoke, in_nets, tmp_path):
    budgets = tmp_path / "b.yaml"
    budgets.write_text("budgets:\n  - name: x\n    torch: hand_nets:nothing\n"
                       "    limits: {mult_adds: 1}\n")
    result = invoke("check", str(budgets))
    assert result.exit_code == 2
    assert "b.yaml:3: budgets[0].torch: module hand_nets has no attribute 'nothing'" in \
        result.stderr


@pytest.mark.parametrize("spec, target", [
    ("mobilenet_v3_small", "tv_models:mobilenet_v3_small"),
    ("mobilenet_v3_large", "tv_models:mobilenet_v3_large"),
    ("efficientnet_b0", "tv_models:efficientnet_b0"),
    ("mnasnet0_5", "tv_models:mnasnet0_5"),
])
def test_builtin_specs_match_torchvision_node_by_node(invoke, in_nets, spec, target):
    """The family's hand-written specs against torchvision's own models, layer by layer."""
    _torchvision()
    result = invoke("verify", "--spec", spec, "--resolution", "96", "--against", target)
    assert result.exit_code == 0, result.stdout[-2000:]


def test_imported_squeeze_excite_spec_matches_its_model(invoke, in_nets, tmp_path):
    """A block written by import (gate first in torchvision's SE multiply) still matches."""
    _torchvision()
    out, _ = _import(invoke, "tv_models:mobilenet_v3_small", tmp_path, "--resolution", "96")
    result = invoke("verify", "--spec", str(out), "--against", "tv_models:mobilenet_v3_small")
    assert result.exit_code == 0, result.stdout[-2000:]


@pytest.mark.parametrize("resolution", ["57", "64x71"])
def test_ceil_mode_pools_and_dashed_names(invoke, in_nets, tmp_path, resolution):
    out, _ = _import(invoke, "hand_nets:Legacy", tmp_path, "--resolution", resolution)
    layers = {layer["name"]: layer for layer in yaml.safe_load(out.read_text())["layers"]}
    assert layers["pool"]["ceil_mode"] is True and "stem-0" in layers
    model = __import__("hand_nets").Legacy()
    h, w = (int(v) for v in resolution.split("x")) if "x" in resolution else \
        (int(resolution),) * 2
    x = torch.zeros(1, 3, h, w)
    net = mncost.network(str(out))
    assert net.node("smooth").output_shape[:2] == tuple(
        model.smooth(model.pool(getattr(model, "stem-0")(x))).shape[2:])
    result = invoke("verify", "--spec", str(out), "--against", "hand_nets:Legacy")
    assert result.exit_code == 0, result.stdout[-1500:]


def test_totals_only_mismatch_says_so(invoke, in_nets, tmp_path, write_yaml):
    """A spec of part of a model: every node matches but the parameters do not."""
    out, _ = _import(invoke, "hand_nets:zoo", tmp_path, "--resolution", "64")
    model = __import__("hand_nets").zoo()
    result = invoke("verify", "--spec", str(out), "--against", "hand_nets:with_unused_head")
    assert result.exit_code == 1
    assert "every node matches, but the totals differ (params (trainable))" in result.stderr
    assert sum(p.numel() for p in model.parameters()) < \
        sum(p.numel() for p in __import__("hand_nets").with_unused_head().parameters())
