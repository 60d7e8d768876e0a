"""`mncost sweep`: exact lists and ranges, a fast path equal to the engine, cited accuracy,
plots."""

from __future__ import annotations

import csv
import io
import json
import os
import struct
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

import mncost
from mncost import api
from mncost.core import costing as engine
from mncost.core import spec as spec_module
from mncost.core import sweep
from mncost.core.errors import ConfigError

F = Fraction


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from the PNG header: signature, IHDR length, b'IHDR', width, height."""
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def mobilenet_224(alpha: Fraction, resolution: int) -> int:
    """Mult-adds of MobileNet v1 from the paper's Table 1 and formulas, computed by hand here:
    first conv, 13 separable pairs (dw k·k·M·D·D + pw M·N·D·D), then the FC."""
    def ch(c: int) -> int:
        return int(c * alpha)
    size = (resolution + 2 - 3) // 2 + 1
    total = 3 * 3 * 3 * ch(32) * size * size
    c_in = ch(32)
    for stride, out in [(1, 64), (2, 128), (1, 128), (2, 256), (1, 256), (2, 512)] + \
            [(1, 512)] * 5 + [(2, 1024), (1, 1024)]:
        size = (size + 2 - 3) // stride + 1
        total += 3 * 3 * c_in * size * size + c_in * ch(out) * size * size
        c_in = ch(out)
    return total + c_in * 1000


class TestParsing:
    """Lists keep order; ranges are exact fractions with an inclusive end on the grid."""

    def test_list_keeps_order(self):
        assert sweep.parse_alphas("1,0.75,0.5,0.25") == (F(1), F(3, 4), F(1, 2), F(1, 4))

    def test_alpha_range_is_exact_and_includes_stop(self):
        values = sweep.parse_alphas("0.25:1.0:0.05")
        assert len(values) == 16
        assert values[0] == F(1, 4) and values[-1] == F(1) and F(7, 20) in values
        assert all(b - a == F(1, 20) for a, b in zip(values, values[1:]))

    def test_resolution_range(self):
        assert sweep.parse_resolutions("96:224:32") == (96, 128, 160, 192, 224)

    def test_stop_off_the_grid_is_not_overshot(self):
        assert sweep.parse_resolutions("96:200:32") == (96, 128, 160, 192)

    def test_descending_range(self):
        assert sweep.parse_resolutions("224:128:-32") == (224, 192, 160, 128)

    def test_default_step_is_one(self):
        assert sweep.parse_resolutions("30:33") == (30, 31, 32, 33)

    def test_mixed_and_repeats_kept_once(self):
        assert sweep.parse_alphas("0.25,0.5:1:0.25,1.0") == (F(1, 4), F(1, 2), F(3, 4), F(1))

    def test_float_trap_avoided(self):
        # 0.1 + 0.2 != 0.3 in binary floating point; the range must still end exactly at 0.3.
        assert sweep.parse_alphas("0.1:0.3:0.1") == (F(1, 10), F(1, 5), F(3, 10))

    @pytest.mark.parametrize("text, message", [
        ("0,1", "greater than 0"),
        ("x", "'x' is not a number"),
        ("1:0.5:0.1", "never reaches 0.5"),
        ("0.5:1:0", "step 0"),
        ("1:2:3:4", "START:STOP"),
        ("1,,2", "empty value"),
        ("0.0001:10:0.0001", "at most 10,000 per axis"),
    ])
    def test_bad_alpha(self, text, message):
        with pytest.raises(ConfigError, match=message):
            sweep.parse_alphas(text)

    @pytest.mark.parametrize("text", ["100.5", "0", "-32", "96:224:0.5", "2000000"])
    def test_bad_resolution(self, text):
        with pytest.raises(ConfigError, match="whole number of pixels"):
            sweep.parse_resolutions(text)

    @pytest.mark.parametrize("value, text", [(F(1), "1"), (F(3, 4), "0.75"), (F(7, 20), "0.35"),
                                             (F(1, 3), "1/3"), (F(5, 2), "2.5"),
                                             (F(1, 1000), "0.001")])
    def test_format_number(self, value, text):
        assert sweep.format_number(value) == text


def _totals(report: engine.Report) -> tuple[int, int, int, int]:
    return (report.mult_adds, report.params, report.weight_bytes, report.peak_activation_bytes)


def _point_totals(point: sweep.SweepPoint) -> tuple[int, int, int, int]:
    return (point.mult_adds, point.params, point.weight_bytes, point.peak_activation_bytes)


class TestFastPathEqualsEngine:
    """Every point of the fast path equals resolve + engine.analyze for that configuration."""

    ALPHAS = ("1", "0.75", "0.5", "0.35", "0.29", "0.25", "1/3", "1.3", "0.05")
    RESOLUTIONS = (224, 192, 160, 128, 97, 33, 225, 8)

    @pytest.mark.parametrize("variant", ["separable", "standard", "shallow"])
    @pytest.mark.parametrize("params", engine.PARAMS_CONVENTIONS)
    def test_builtin_variants_and_conventions(self, mobilenet_spec, variant, params):
        result = sweep.run(mobilenet_spec, self.ALPHAS, self.RESOLUTIONS, variant=variant,
                           params=params)
        assert len(result.points) == len(self.ALPHAS) * len(self.RESOLUTIONS)
        for point in result.points:
            report = api.analyze(mobilenet_spec, variant=variant, alpha=point.alpha,
                                 resolution=point.resolution, params=params)
            assert _point_totals(point) == _totals(report), (point.alpha, point.resolution)

    @pytest.mark.parametrize("dtype", sorted(engine.DTYPE_BYTES))
    def test_dtypes_depth_multiplier_min_channels(self, mobilenet_spec, dtype):
        result = sweep.run(mobilenet_spec, ("1", "0.25", "0.1"), (224, 131), dtype=dtype,
                           depth_multiplier=2, min_channels=8)
        slow = sweep.run(mobilenet_spec, ("1", "0.25", "0.1"), (224, 131), dtype=dtype,
                         depth_multiplier=2, min_channels=8, fast=False)
        assert result.points == slow.points
        report = api.analyze(alpha="0.1", resolution=131, dtype=dtype, depth_multiplier=2,
                             min_channels=8)
        assert _point_totals(result.point("0.1", 131)) == _totals(report)

    def test_large_random_grid(self, mobilenet_spec):
        alphas = sweep.parse_alphas("0.05:1.5:0.05")
        resolutions = sweep.parse_resolutions("32:256:7")
        fast = sweep.run(mobilenet_spec, alphas, resolutions)
        slow = sweep.run(mobilenet_spec, alphas, resolutions, fast=False)
        assert fast.points == slow.points and len(fast.points) == 30 * 33

    def test_spatial_fc_biases_no_batch_norm(self, write_yaml):
        """An FC on a spatial input (no pooling) scales with the resolution; conv biases and
        layers without batch norm are counted as the engine counts them."""
        path = write_yaml("""
            model: Flat
            input: {resolution: 16, channels: 3}
            classes: 10
            defaults: {batch_norm: false, bias: true}
            layers:
              - {kind: conv, kernel: 3, stride: 2, out: 8}
              - {kind: separable, stride: 2, out: 16, batch_norm: true, bias: false}
              - {kind: dw, kernel: 5, stride: 1}
              - {kind: pw, out: 12}
              - {kind: fc}
              - {kind: softmax}
        """)
        loaded = spec_module.load(path)
        alphas, resolutions = ("1", "0.5", "0.3", "2"), (16, 15, 9, 32)
        for params in engine.PARAMS_CONVENTIONS:
            result = sweep.run(loaded, alphas, resolutions, params=params)
            for point in result.points:
                report = api.analyze(loaded, alpha=point.alpha, resolution=point.resolution,
                                     params=params)
                assert _point_totals(point) == _totals(report)
        # By hand at α = 1, 16×16: conv 3·3·3·8·8·8; dw 3·3·8·4·4; pw 8·16·4·4;
        # dw 5·5·16·4·4; pw 16·12·4·4; FC (4·4·12)·10. Weights + biases (convs without BN
        # have a bias; the separable pair has BN γ, β instead), trainable convention.
        point = sweep.run(loaded, ["1"], [16]).points[0]
        assert point.mult_adds == (3 * 3 * 3 * 8 * 64 + 3 * 3 * 8 * 16 + 8 * 16 * 16
                                   + 5 * 5 * 16 * 16 + 16 * 12 * 16 + 4 * 4 * 12 * 10)
        assert point.params == ((3 * 3 * 3 * 8 + 8) + (3 * 3 * 8 + 2 * 8) + (8 * 16 + 2 * 16)
                                + (5 * 5 * 16 + 16) + (16 * 12 + 12) + (4 * 4 * 12 * 10 + 10))

    @pytest.mark.parametrize("alpha, resolution", [("1", 224), ("0.75", 192), ("0.5", 160),
                                                   ("0.25", 128), ("0.35", 97)])
    def test_against_the_papers_formulas(self, mobilenet_spec, alpha, resolution):
        point = sweep.run(mobilenet_spec, [alpha], [resolution]).points[0]
        assert point.mult_adds == mobilenet_224(F(alpha), resolution)

    def test_paper_totals(self, mobilenet_spec):
        point = sweep.run(mobilenet_spec, ["1"], [224], params="paper").points[0]
        assert (point.mult_adds, point.params) == (568_740_352, 4_209_088)

    @pytest.mark.parametrize("fast", [True, False])
    def test_progress_counts_every_configuration(self, mobilenet_spec, fast):
        """Points are computed as they are read; progress counts the first pass only."""
        ticks = []
        result = sweep.run(mobilenet_spec, ["1", "0.5", "0.25"], [224, 96], fast=fast,
                           progress=ticks.append)
        assert len(result.points) == 6 and sum(ticks) == 6
        assert list(result.iter_matrix("mult_adds"))[1] == (149_497_088, 27_876_608)
        assert sum(ticks) == 6

    def test_points_are_computed_when_read(self, mobilenet_spec):
        """A sweep holds no points until read: a million-point grid streams."""
        result = sweep.run(mobilenet_spec, ["1", "0.5"], [224, 160])
        assert "points" not in result.__dict__
        assert [p.mult_adds for p in result.iter_points()] == \
            [568_740_352, 290_675_200, 149_497_088, 76_524_800]
        assert "points" not in result.__dict__

    def test_core_imports_no_rich_torch_or_matplotlib(self):
        code = ("import sys; import mncost.core.sweep, mncost.render.plot, mncost.torch.bench; "
                "print(sorted(m for m in ('rich', 'torch', 'matplotlib') if m in sys.modules))")
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True).stdout
        assert out.strip() == "[]"

    def test_resolution_too_small_is_a_config_error(self, write_yaml):
        path = write_yaml("""
            model: Deep
            input: {resolution: 32}
            layers:
              - {kind: conv, stride: 2, out: 8, padding: 0}
              - {kind: conv, stride: 2, out: 8, padding: 0}
              - {kind: avgpool}
              - {kind: fc}
        """)
        with pytest.raises(ConfigError, match="resolution 4 is too small"):
            sweep.run(spec_module.load(path), ["1"], [32, 4])


class TestPaperAccuracy:
    """Cited accuracy appears for the paper's own models and nowhere else."""

    PAPER = {("1", 224): 70.6, ("0.75", 224): 68.4, ("0.5", 224): 63.7, ("0.25", 224): 50.6,
             ("1", 192): 69.1, ("1", 160): 67.2, ("1", 128): 64.4}

    def test_data_file_is_cited_and_complete(self):
        data = json.loads(sweep.ACCURACY_FILE.read_text(encoding="utf-8"))
        assert "1704.04861" in data["citation"] and "Table" in data["citation"]
        got = {(e["alpha"], e["resolution"]): e["top1"] for e in data["entries"]}
        assert got == self.PAPER

    def test_the_papers_grid(self, mobilenet_spec):
        result = sweep.run(mobilenet_spec, sweep.parse_alphas(sweep.PAPER_ALPHAS),
                           sweep.parse_resolutions(sweep.PAPER_RESOLUTIONS))
        shown = {(sweep.format_number(p.alpha), p.resolution): p.top1_paper
                 for p in result.points if p.top1_paper is not None}
        assert shown == self.PAPER
        assert "1704.04861" in result.accuracy_citation

    @pytest.mark.parametrize("kwargs", [{"variant": "standard"}, {"variant": "shallow"},
                                        {"depth_multiplier": 2},
                                        {"min_channels": 16}])  # 0.25·32 = 8 becomes 16
    def test_not_for_other_networks(self, mobilenet_spec, kwargs):
        result = sweep.run(mobilenet_spec, ["1", "0.25"], [224], **kwargs)
        assert not result.has_accuracy and result.accuracy_citation is None

    def test_min_channels_that_change_nothing_keep_it(self, mobilenet_spec):
        result = sweep.run(mobilenet_spec, ["0.25"], [224], min_channels=8)
        assert result.points[0].top1_paper == 50.6

    def test_not_for_a_user_spec_file(self, tmp_path):
        copy = tmp_path / "mobilenet.yaml"
        copy.write_text(spec_module.builtin_spec_path().read_text(encoding="utf-8"))
        result = sweep.run(spec_module.load(copy), ["1"], [224])
        assert result.points[0].top1_paper is None


# -- the command -----------------------------------------------------------------------------------

DONE_WHEN = ("sweep", "--alpha", "1,0.75,0.5,0.25", "--resolution", "224,192,160,128")


class TestCommand:
    """Every format carries numbers equal to `mncost table` for the same configuration."""

    def test_done_when_grid_equals_table(self, invoke):
        result = invoke(*DONE_WHEN)
        assert result.exit_code == 0, result.stderr
        out = result.stdout
        assert "4 α × 4 resolutions = 16 configurations" in out
        assert "Top-1 (paper)" in out and "70.6%" in out and "50.6%" in out
        assert "Mult-adds, α × resolution" in out
        assert "Params (trainable), α × resolution" in out

        data = json.loads(invoke(*DONE_WHEN, "--format", "json").stdout)
        assert len(data["configurations"]) == 16
        for row in data["configurations"]:
            table = json.loads(invoke("table", "--alpha", str(row["alpha"]), "--resolution",
                                      row["resolution"], "--format", "json").stdout)
            assert {k: row[k] for k in table["totals"]} == table["totals"]
            assert f"{row['mult_adds']:,}" in out and f"{row['params']:,}" in out

    def test_done_when_plot_is_written(self, invoke, tmp_path):
        pytest.importorskip("matplotlib")
        plot = tmp_path / "out.png"
        result = invoke(*DONE_WHEN, "--plot", plot)
        assert result.exit_code == 0, result.stderr
        assert "16 configurations" in result.stdout
        assert f"Wrote {plot}" in result.stderr
        assert png_size(plot) == (1800, 750)

    def test_json_contract(self, invoke):
        data = json.loads(invoke("sweep", "-a", "1,0.5", "-r", "224,160", "-f", "json").stdout)
        assert set(data) == {"model", "variant", "params_convention", "dtype",
                             "depth_multiplier", "min_channels", "alphas", "resolutions",
                             "configurations", "matrices", "accuracy_source"}
        assert data["alphas"] == [1.0, 0.5] and data["resolutions"] == [224, 160]
        first, last = data["configurations"][0], data["configurations"][-1]
        assert set(first) == {"alpha", "resolution", "mult_adds", "params", "weight_bytes",
                              "peak_activation_bytes", "top1_paper"}
        assert (first["alpha"], first["resolution"], first["top1_paper"]) == (1.0, 224, 70.6)
        assert (last["alpha"], last["resolution"], last["top1_paper"]) == (0.5, 160, None)
        assert last["mult_adds"] == 76_524_800 and last["params"] == 1_331_592
        assert data["matrices"]["mult_adds"] == [[568_740_352, 290_675_200],
                                                 [149_497_088, 76_524_800]]
        assert data["matrices"]["params"][1] == [1_331_592, 1_331_592]
        assert all(isinstance(v, int) for r in data["configurations"]
                   for k, v in r.items() if k not in ("alpha", "top1_paper"))

    def test_csv(self, invoke):
        out = invoke("sweep", "-a", "0.25:0.5:0.25", "-r", "128", "-f", "csv",
                     "--params", "paper").stdout
        rows = list(csv.DictReader(io.StringIO(out)))
        assert [(r["alpha"], r["resolution"]) for r in rows] == [("0.25", "128"), ("0.5", "128")]
        assert int(rows[1]["mult_adds"]) == mobilenet_224(F(1, 2), 128)
        assert rows[0]["top1_paper"] == ""
        assert int(rows[1]["weight_bytes"]) == 4 * int(rows[1]["params"])

    def test_markdown(self, invoke):
        out = invoke("sweep", "-a", "1", "-r", "224,192", "-f", "markdown").stdout
        assert "| 1 | 224 | 568,740,352 | 4,231,976 |" in out and "| 70.6% |" in out
        assert "### Mult-adds, α × resolution" in out and "| 1 | 568.7M | 418.1M |" in out

    def test_wide_grid_leaves_out_matrices(self, invoke):
        out = invoke("sweep", "-a", "1", "-r", "96:224:4", "-f", "markdown").stdout
        assert "Matrix views left out" in out and "### Mult-adds, α × resolution" not in out

    def test_variant_and_spec(self, invoke, write_yaml):
        out = json.loads(invoke("sweep", "-v", "standard", "-a", "1", "-r", "224",
                                "-f", "json").stdout)
        assert out["configurations"][0]["mult_adds"] == api.analyze(variant="standard").mult_adds
        assert out["accuracy_source"] is None
        path = write_yaml("""
            model: Tiny
            input: {resolution: 8}
            layers:
              - {kind: conv, out: 4}
              - {kind: avgpool}
              - {kind: fc}
        """)
        data = json.loads(invoke("sweep", "--spec", path, "-a", "1,0.5", "-r", "8,4",
                                 "-f", "json").stdout)
        # conv 3·3·3·c·h·w + FC c·1000
        assert [r["mult_adds"] for r in data["configurations"]] == [
            27 * 4 * 64 + 4000, 27 * 4 * 16 + 4000, 27 * 2 * 64 + 2000, 27 * 2 * 16 + 2000]

    @pytest.mark.parametrize("args, message", [
        (("-a", "0,1"), "Invalid value for '--alpha': every value must be greater than 0"),
        (("-a", "1:0.5:0.1"), "never reaches 0.5"),
        (("-r", "100.5"), "Invalid value for '--resolution'"),
        (("-v", "nope"), "unknown variant 'nope'"),
        (("--plot", "x.txt"), "must end in .png, .svg, .pdf"),
        (("--plot", "no/such/dir/x.png"), "does not exist"),
    ])
    def test_bad_input_exits_2(self, invoke, args, message):
        result = invoke("sweep", *args)
        assert result.exit_code == 2 and message in result.stderr
        assert "Traceback" not in result.stderr and result.stdout == ""

    def test_resolution_too_small(self, invoke, write_yaml):
        path = write_yaml("""
            model: Deep
            input: {resolution: 32}
            layers:
              - {kind: conv, stride: 4, out: 8, padding: 0, kernel: 4}
              - {kind: conv, stride: 4, out: 8, padding: 0, kernel: 4}
        """)
        result = invoke("sweep", "--spec", path, "-a", "1", "-r", "32,8")
        assert result.exit_code == 2
        assert "Error: resolution 8 is too small for Deep" in result.stderr

    def test_help_teaches(self, invoke):
        out = invoke("sweep", "--help").stdout
        assert "Examples:" in out and "0.25:1.0:0.05" in out and "--force" in out


class TestPlot:
    """--plot writes atomically, never replaces a file without --force, has a fixed size."""

    @pytest.fixture(autouse=True)
    def _matplotlib(self):
        pytest.importorskip("matplotlib")

    def test_refuses_to_overwrite_without_force(self, invoke, tmp_path):
        plot = tmp_path / "out.png"
        plot.write_bytes(b"keep me")
        result = invoke("sweep", "-a", "1", "-r", "224", "--plot", plot)
        assert result.exit_code == 2 and "already exists; pass --force" in result.stderr
        assert plot.read_bytes() == b"keep me"
        result = invoke("sweep", "-a", "1", "-r", "224", "--plot", plot, "--force",
                        "-f", "csv")
        assert result.exit_code == 0 and png_size(plot) == (1800, 750)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["out.png"]  # no temp file left

    def test_one_panel_without_accuracy(self, mobilenet_spec, tmp_path):
        from mncost.render.plot import pixel_size, plot_sweep
        result = sweep.run(mobilenet_spec, ["1", "0.5"], [224, 160], variant="standard")
        written = plot_sweep(result, tmp_path / "std.png")
        assert png_size(written) == pixel_size(result) == (1050, 750)

    def test_many_points_and_svg(self, mobilenet_spec, tmp_path):
        from mncost.render.plot import plot_sweep
        result = sweep.run(mobilenet_spec, sweep.parse_alphas("0.1:1:0.05"),
                           sweep.parse_resolutions("96:224:16"))
        assert len(result.alphas) > 10 and len(result.points) > 40
        written = plot_sweep(result, tmp_path / "many.svg")
        assert written.read_text(encoding="utf-8").lstrip().startswith("<?xml")

    def test_write_failure_exits_2_and_keeps_the_old_file(self, invoke, tmp_path, monkeypatch):
        pytest.importorskip("matplotlib")
        target = tmp_path / "out.png"
        target.write_bytes(b"old plot")

        def refuse(src, dst):
            raise PermissionError(13, "Permission denied")
        monkeypatch.setattr(os, "replace", refuse)
        result = invoke("sweep", "-a", "1", "-r", "224", "--plot", target, "--force")
        assert result.exit_code == 2 and "Traceback" not in result.stderr
        assert "cannot write plot" in result.stderr and "Permission denied" in result.stderr
        assert target.read_bytes() == b"old plot"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["out.png"]

    def test_refusal_is_atomic_against_a_late_file(self, mobilenet_spec, tmp_path,
                                                   monkeypatch):
        """A file that appears while the figure is drawn is not replaced either."""
        from mncost.render import plot as plot_module
        target = tmp_path / "late.png"
        real = plot_module._write_atomically

        def late(figure, path, overwrite):
            path.write_bytes(b"arrived meanwhile")
            real(figure, path, overwrite)
        monkeypatch.setattr(plot_module, "_write_atomically", late)
        result = sweep.run(mobilenet_spec, ["1"], [224])
        with pytest.raises(ConfigError, match="already exists"):
            plot_module.plot_sweep(result, target)
        assert target.read_bytes() == b"arrived meanwhile"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["late.png"]

    def test_without_matplotlib_exit_2(self, invoke, tmp_path, monkeypatch):
        for name in ("matplotlib", "matplotlib.figure", "matplotlib.backends.backend_agg"):
            monkeypatch.setitem(sys.modules, name, None)
        result = invoke("sweep", "-a", "1", "-r", "224", "--plot", tmp_path / "x.png")
        assert result.exit_code == 2
        assert "needs the 'plot' extra: pip install 'mncost[plot]'" in result.stderr
        assert not (tmp_path / "x.png").exists()


class TestRho:
    """--rho: resolution multipliers, each the resolution `--rho` gives in every command."""

    def test_paper_table7_by_rho(self, invoke):
        out = invoke("sweep", "--alpha", "1", "--rho", "1,0.857,0.714,0.571", "-f", "json")
        data = json.loads(out.stdout)
        assert data["resolutions"] == [224, 192, 160, 128]  # round half up of 224·ρ
        for point in data["configurations"]:
            assert point["mult_adds"] == mncost.analyze(
                resolution=point["resolution"]).mult_adds

    def test_values_landing_on_one_resolution_are_kept_once(self):
        from mncost.core import sweep as sweep_module
        assert sweep_module.parse_rhos("0.5,0.501,1", 224) == (112, 224)

    @pytest.mark.parametrize("args, message", [
        (["--rho", "1", "--resolution", "224"], "mutually exclusive"),
        (["--rho", "0"], "greater than 0"),
        (["--rho", "1e999"], "out of range"),
    ])
    def test_errors(self, invoke, args, message):
        result = invoke("sweep", *args)
        assert result.exit_code == 2 and message in result.stderr


def test_json_and_csv_stream_the_same_text(mobilenet_spec):
    """Sweep JSON and CSV come out in chunks, computed as written, equal to the whole text."""
    import json as json_module

    from mncost.render import render
    from mncost.views.sweep import SweepView, sweep_dict

    result = sweep.run(mobilenet_spec, ["1", "0.75", "0.5"], [224, 192, 97])
    chunks = render(SweepView(result), "json")
    assert not isinstance(chunks, str)
    text = "".join(chunks)
    assert text == json_module.dumps(json_module.loads(text), indent=2, ensure_ascii=False) + "\n"
    assert json_module.loads(text)["matrices"]["mult_adds"] == \
        [list(row) for row in result.matrix("mult_adds")]
    assert json_module.loads(text)["configurations"][0]["top1_paper"] == 70.6
    csv_text = "".join(render(SweepView(result), "csv"))
    assert csv_text.count("\n") == 1 + 9
    assert sweep_dict(result)["configurations"].__len__() == 9
