"""Every command on every family spec: specs, table, compare, sweep, check."""

from __future__ import annotations

import csv
import io
import json

import pytest

from mncost.core import spec as spec_module
from test_family import FAMILY


def test_specs_lists_every_builtin_with_its_defaults(invoke):
    result = invoke("specs", "--format", "json")
    assert result.exit_code == 0
    rows = {row["name"]: row for row in json.loads(result.stdout)["specs"]}
    assert list(rows) == list(spec_module.BUILTIN_SPECS)
    for name, resolution, mult_adds, params in FAMILY:
        assert (rows[name]["resolution"], rows[name]["mult_adds"], rows[name]["params"]) == \
            (resolution, mult_adds, params)
    assert rows["efficientnet_b5"]["alpha"] == "1.6"
    assert rows["efficientnet_b5"]["repeat_multiplier"] == "2.2"
    assert rows["mnasnet0_75"]["alpha"] == "0.75"
    assert rows["mobilenet_v1"]["variants"] == ["separable", "standard", "shallow"]
    assert rows["mobilenet_v2"]["rounding"] == "divisible:8"


def test_specs_rich_and_csv(invoke, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    rich = invoke("specs").stdout
    assert "efficientnet_b7" in rich and "37.75G" in rich
    assert max(len(line) for line in rich.splitlines()) <= 80
    table = list(csv.DictReader(io.StringIO(invoke("specs", "--format", "csv").stdout)))
    assert table[2]["name"] == "mobilenet_v2" and table[2]["mult_adds"] == "300774272"


def test_unknown_spec_lists_the_builtins(invoke):
    result = invoke("table", "--spec", "mobilenet_v4")
    assert result.exit_code == 2
    assert "built-in specs: mobilenet_v1, keras_mobilenet, mobilenet_v2" in result.stderr
    assert "efficientnet_b7" in result.stderr and len(result.stderr.splitlines()) == 1


def test_table_groups_blocks_with_rules(invoke):
    lines = invoke("table", "--spec", "mobilenet_v2").stdout.splitlines()
    names = [line.split("│")[2].strip() if line.count("│") > 3 else None for line in lines]
    rule_after = {names[i - 1] for i, line in enumerate(lines) if line.startswith("├")}
    assert {"conv1", "block1.project", "block3.add", "block17.project"} <= rule_after
    # MobileNet v1's two-node pairs stay one unbroken table, as in the paper.
    v1 = invoke("table").stdout.splitlines()
    assert sum(line.startswith("├") for line in v1) == 1   # the totals row only


@pytest.mark.parametrize("name", ["mobilenet_v3_large", "efficientnet_b0", "mnasnet0_5"])
def test_every_format_agrees(invoke, name):
    data = json.loads(invoke("table", "--spec", name, "--format", "json").stdout)
    rows = list(csv.DictReader(io.StringIO(invoke("table", "--spec", name, "--format",
                                                  "csv").stdout)))
    assert [r["name"] for r in rows] == [layer["name"] for layer in data["layers"]]
    assert sum(int(r["mult_adds"]) for r in rows) == data["totals"]["mult_adds"]
    markdown = invoke("table", "--spec", name, "--format", "markdown").stdout
    assert f"| {data['layers'][-1]['name']} |" in markdown


def test_compare_builtin_families(invoke):
    result = invoke("compare", "mobilenet_v2", "mobilenet_v3_large@alpha=0.75", "--format",
                    "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    import mncost

    assert [m["model"] for m in data["models"]] == ["MobileNetV2", "MobileNetV3-Large"]
    assert [m["totals"]["mult_adds"] for m in data["models"]] == [
        300_774_272, mncost.analyze("mobilenet_v3_large", alpha="0.75").mult_adds]
    names = {row["name"] for row in data["rows"]}
    assert {"conv1", "block15", "head"} <= names


def test_compare_repeat_multiplier_override(invoke):
    data = json.loads(invoke("compare", "efficientnet_b0", "efficientnet_b0@alpha=0.5,"
                             "repeat_multiplier=0.5", "--format", "json").stdout)
    assert [m["totals"]["mult_adds"] for m in data["models"]] == [385_814_752, 73_937_232]


def test_sweep_defaults_follow_the_spec(invoke):
    b3 = json.loads(invoke("sweep", "--spec", "efficientnet_b3", "--format", "json").stdout)
    assert b3["alphas"] == [1.2] and b3["resolutions"] == [300]
    assert b3["configurations"][0]["mult_adds"] == 1_827_141_392
    v2 = json.loads(invoke("sweep", "--spec", "mobilenet_v2", "--format", "json").stdout)
    assert v2["alphas"] == [1, 0.75, 0.5, 0.25] and v2["resolutions"] == [224, 192, 160, 128]
    assert v2["configurations"][0]["top1_paper"] == 72.0
    assert "Sandler" in v2["accuracy_source"]


def test_sweep_across_alphas_that_change_a_blocks_structure(invoke):
    """At α = 0.1 V3-Small's block2 has no expand conv: each α is costed as resolved."""
    import mncost

    data = json.loads(invoke("sweep", "--spec", "mobilenet_v3_small", "--alpha", "1,0.1",
                             "--resolution", "224,97", "--format", "json").stdout)
    for row in data["configurations"]:
        expected = mncost.analyze("mobilenet_v3_small", alpha=str(row["alpha"]),
                                  resolution=row["resolution"]).mult_adds
        assert row["mult_adds"] == expected


def test_sweep_several_families(invoke, tmp_path):
    args = ["sweep", "--spec", "mobilenet_v1", "--spec", "mobilenet_v3_small", "--spec",
            "efficientnet_b7", "--alpha", "1", "--resolution", "224"]
    data = json.loads(invoke(*args, "--format", "json").stdout)
    assert [s["spec"] for s in data["sweeps"]] == ["mobilenet_v1", "mobilenet_v3_small",
                                                  "efficientnet_b7"]
    assert data["sweeps"][1]["configurations"][0]["top1_paper"] == 67.4
    # B7 swept at α 1 and 224 is not the published B7: no accuracy borrowed.
    assert data["sweeps"][2]["configurations"][0]["top1_paper"] is None
    rows = list(csv.DictReader(io.StringIO(invoke(*args, "--format", "csv").stdout)))
    assert [r["spec"] for r in rows] == ["mobilenet_v1", "mobilenet_v3_small", "efficientnet_b7"]
    assert rows[1]["mult_adds"] == "56510400"


def test_single_family_plot_with_published_accuracy(invoke, tmp_path):
    pytest.importorskip("matplotlib")
    target = tmp_path / "v2.png"
    result = invoke("sweep", "--spec", "mobilenet_v2", "--alpha", "1.4,1", "--resolution",
                    "224", "--plot", str(target), "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [c["top1_paper"] for c in json.loads(result.stdout)["configurations"]] == [74.7, 72.0]


def test_family_plot(invoke, tmp_path):
    pytest.importorskip("matplotlib")
    target = tmp_path / "family.png"
    result = invoke("sweep", "--spec", "mobilenet_v2", "--spec", "efficientnet_b0",
                    "--alpha", "1,0.5", "--resolution", "224,160", "--plot", str(target))
    assert result.exit_code == 0, result.stderr
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_check_budgets_name_builtins(invoke, write_yaml):
    budgets = write_yaml("""
        budgets:
          - name: v3-small
            spec: mobilenet_v3_small
            limits: {mult_adds: 56510400}
          - name: mnasnet
            spec: mnasnet0_5
            limits: {mult_adds: 104455967}
          - name: b0-shallow
            spec: efficientnet_b0
            alpha: 0.5
            repeat_multiplier: 0.5
            limits: {params: 1298120}
        """, "budgets.yaml")
    result = invoke("check", str(budgets), "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    status = {(r["name"], r["metric"]): r["status"] for r in data["results"]}
    assert status == {("v3-small", "mult_adds"): "ok", ("mnasnet", "mult_adds"): "fail",
                      ("b0-shallow", "params"): "ok"}
