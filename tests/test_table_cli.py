"""`mncost table`: every format carries the same exact numbers; bad input exits 2."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

import mncost

# 0.5 MobileNet-160 from the formulas: channels halve, sizes are 160/2^k.
HALF_160_MULT_ADDS = 76_524_800
HALF_160_TRAINABLE = 1_331_592


class TestRichOutput:
    """The default view reads like Table 1 plus costs."""

    def test_default_is_mobilenet_224_with_human_totals(self, invoke):
        result = invoke("table")
        assert result.exit_code == 0
        out = result.stdout
        assert "MobileNet v1 · separable · α=1 · 224×224" in out
        assert "568.7M" in out and "4.232M" in out  # 4 true significant digits
        assert "568,740,352 mult-adds · 4,231,976 params (trainable)" in out
        assert "3×3×32 dw" in out and "1×1×32×64" in out and "Conv dw / s2" in out
        assert "Resources per layer type (paper Table 2)" in out
        assert "1.91%" in out and "1.19%" in out  # the erratum note names both

    def test_quick_start_configuration(self, invoke):
        out = invoke("table", "--alpha", "0.5", "--resolution", "160").stdout
        assert "α=0.5 · 160×160" in out and f"{HALF_160_MULT_ADDS:,} mult-adds" in out
        assert "76.52M" in out and "1.332M" in out

    def test_no_ansi_codes_when_not_a_tty(self, invoke):
        assert "\x1b[" not in invoke("table").stdout

    def test_no_color_env_disables_colour(self, monkeypatch):
        from mncost.cli.common import console
        monkeypatch.setenv("NO_COLOR", "1")
        assert console().no_color is True

    @pytest.mark.parametrize("args", [["table"], ["check", "mncost/configs/budgets.yaml"],
                                      ["compare", "standard", "separable"]])
    def test_narrow_terminal_never_truncates_cells(self, runner, args):
        """At 60 columns the least needed columns are left out and text folds: nothing is
        cut to "…" and every first-column value (a layer or budget name) is still there."""
        from rich.cells import cell_len

        from mncost.cli import main
        out = runner.invoke(main, args, env={"COLUMNS": "60"}).stdout
        assert "…" not in out
        assert max(cell_len(line) for line in out.splitlines()) <= 60
        if args == ["table"]:  # the Layer column is kept whole: every name is there
            import mncost
            assert all(f" {lr.name} " in out for lr in mncost.analyze().layers)

    def test_params_convention_in_header(self, invoke):
        assert "Params (paper)" in invoke("table", "--params", "paper").stdout


class TestMachineReadable:
    """JSON and CSV carry exact ints equal to the engine's."""

    def test_json_contract(self, invoke):
        data = json.loads(invoke("table", "-a", "0.5", "-r", "160", "-f", "json").stdout)
        assert {"model", "variant", "alpha", "resolution", "params_convention", "layers",
                "totals"} <= set(data)
        assert (data["variant"], data["alpha"], data["resolution"]) == ("separable", 0.5, 160)
        assert data["totals"]["mult_adds"] == HALF_160_MULT_ADDS
        assert data["totals"]["params"] == HALF_160_TRAINABLE
        assert data["totals"]["weight_bytes"] == HALF_160_TRAINABLE * 4
        # peak: block1.pw reads 80×80×16 and writes 80×80×32 at float32
        assert data["totals"]["peak_activation_bytes"] == (80 * 80 * 16 + 80 * 80 * 32) * 4
        assert data["peak_activation_layer"] == "block1.pw"
        first = data["layers"][0]
        assert first == {**first, "name": "conv1", "kind": "conv", "stride": 2,
                         "input_shape": [160, 160, 3], "output_shape": [80, 80, 16],
                         "mult_adds": 3 * 3 * 3 * 16 * 80 * 80, "params": 3 * 3 * 3 * 16 + 32}
        for layer in data["layers"]:
            assert {"name", "kind", "stride", "input_shape", "output_shape", "mult_adds",
                    "params"} <= set(layer)
            assert type(layer["mult_adds"]) is int and type(layer["params"]) is int

    @pytest.mark.parametrize("params", ["paper", "trainable", "all"])
    def test_json_equals_engine(self, invoke, params):
        data = json.loads(invoke("table", "--params", params, "-f", "json").stdout)
        report = mncost.analyze(params=params)
        assert data["params_convention"] == params
        assert [(d["name"], d["mult_adds"], d["params"]) for d in data["layers"]] == \
            [(lr.name, lr.mult_adds, lr.params) for lr in report.layers]
        assert sum(d["mult_adds"] for d in data["layers"]) == data["totals"]["mult_adds"]

    def test_csv_one_row_per_layer(self, invoke):
        rows = list(csv.DictReader(io.StringIO(invoke("table", "-f", "csv").stdout)))
        assert len(rows) == 30
        assert list(rows[0]) == ["name", "kind", "inputs", "stride", "filter", "input_shape",
                                 "output_shape", "mult_adds", "params", "activation_elements"]
        assert rows[0]["input_shape"] == "224x224x3" and rows[0]["inputs"] == "input"
        assert rows[1]["inputs"] == "conv1" and rows[1]["filter"] == "3×3×32 dw"
        # every field the CSV has, the JSON has, with the same values
        data = json.loads(invoke("table", "-f", "json").stdout)["layers"]
        assert [r["activation_elements"] for r in rows] == \
            [str(d["activation_elements"]) for d in data]
        assert sum(int(r["mult_adds"]) for r in rows) == 568_740_352

    def test_markdown_table(self, invoke):
        out = invoke("table", "-f", "markdown", "--variant", "shallow").stdout
        assert out.startswith("### MobileNet v1 · shallow")
        assert "| # | Layer | Type / Stride |" in out
        assert "| **Total** |" in out

    def test_dtype_changes_bytes_only(self, invoke):
        f32 = json.loads(invoke("table", "-f", "json").stdout)["totals"]
        i8 = json.loads(invoke("table", "-f", "json", "--dtype", "int8").stdout)["totals"]
        assert i8["mult_adds"] == f32["mult_adds"] and i8["weight_bytes"] * 4 == f32["weight_bytes"]


class TestErrors:
    """Bad specs and flags: one message, exit 2, no traceback."""

    def test_spec_error_is_one_line_with_location(self, invoke, write_yaml):
        path = write_yaml("""
            model: x
            input: {resolution: 32}
            layers:
              - kind: conv
                out: 8
                stride: 0
            """, name="x.yaml")
        result = invoke("table", "--spec", path)
        assert result.exit_code == 2
        assert result.stderr.strip() == f"Error: {path}:6: layers[0].stride: must be a " \
                                        "positive integer, got 0"
        assert result.stdout == ""

    def test_resolution_too_small(self, invoke, write_yaml):
        path = write_yaml("""
            model: tiny
            input: {resolution: 32}
            layers:
              - {kind: conv, out: 8, kernel: 7, padding: 0}
            """)
        result = invoke("table", "--spec", path, "--resolution", "5")
        assert result.exit_code == 2
        assert "resolution 5 is too small for tiny: layer conv1 would output -1×-1" in result.stderr


def test_module_entry_point():
    result = subprocess.run([sys.executable, "-m", "mncost", "table", "-f", "json"],
                            capture_output=True, text=True, check=True)
    assert json.loads(result.stdout)["totals"]["mult_adds"] == 568_740_352
