"""`mncost bench`: latency statistics, the per-kind breakdown, --compare; no timing asserts."""

from __future__ import annotations

import csv
import io
import json
import statistics
import sys

import pytest

from mncost import api
from mncost.torch import bench
from mncost.core import spec as spec_module

TINY = """
    model: Tiny
    input: {resolution: 16, channels: 3}
    classes: 10
    default_variant: separable
    variants:
      separable: {description: as listed}
      standard: {convert: {separable: conv}}
    layers:
      - {kind: conv, stride: 2, out: 8}
      - {kind: separable, out: 16}
      - {kind: avgpool}
      - {kind: fc}
      - {kind: softmax}
"""
# By hand from k·k·(c_in/groups)·c_out·h·w on the 8×8 maps after the stride-2 first conv:
CONV1 = 3 * 3 * 3 * 8 * 8 * 8
DW, PW = 3 * 3 * 8 * 8 * 8, 8 * 16 * 8 * 8
STANDARD_BLOCK = 3 * 3 * 8 * 16 * 8 * 8
FC = 16 * 10
SEPARABLE_TOTAL = CONV1 + DW + PW + FC
STANDARD_TOTAL = CONV1 + STANDARD_BLOCK + FC


@pytest.fixture
def tiny(write_yaml):
    return write_yaml(TINY)


class TestLatency:
    """Median, quartiles and extremes of the timed passes."""

    def test_statistics(self):
        lat = bench.Latency((5.0, 1.0, 3.0, 2.0, 4.0))
        assert (lat.minimum, lat.q1, lat.median, lat.q3, lat.maximum) == (1, 2, 3, 4, 5)

    def test_single_sample(self):
        lat = bench.Latency((0.5,))
        assert lat.q1 == lat.median == lat.q3 == 0.5


class TestBreakdownLogic:
    """Shares computed from given per-layer times (no clock involved)."""

    def test_shares_by_kind(self, tiny):
        report = api.analyze(tiny)
        names = [lr.name for lr in report.layers]
        assert names == ["conv1", "block1.dw", "block1.pw", "pool", "fc", "softmax"]
        per_layer = {"conv1": [1.0, 3.0], "block1.dw": [2.0, 2.0], "block1.pw": [1.0, 1.0],
                     "pool": [0.5, 0.5], "fc": [0.25, 0.25], "softmax": [0.25, 0.25]}
        walls = [6.0, 8.0]  # 14 s in all; the layers account for 12 of them
        result = bench._result(report, 1, 0, 2, "test", [1.0, 2.0], per_layer, walls)
        kinds = {k.kind: k for k in result.kinds}
        assert list(kinds) == ["Conv 3×3", "Conv DW 3×3", "Conv 1×1", "Pooling",
                               "Fully connected", "Softmax"]
        assert kinds["Conv 3×3"].time_share == pytest.approx(4 / 14)
        assert kinds["Conv 3×3"].seconds == 2.0  # median of 1 and 3
        assert kinds["Conv DW 3×3"].mult_adds == DW and kinds["Conv 1×1"].mult_adds == PW
        assert kinds["Conv DW 3×3"].mult_add_share == pytest.approx(DW / SEPARABLE_TOTAL)
        assert kinds["Conv DW 3×3"].time_per_mult_add_share == pytest.approx(
            (4 / 14) / (DW / SEPARABLE_TOTAL))
        assert kinds["Pooling"].time_per_mult_add_share is None
        assert result.other_share == pytest.approx(2 / 14)
        assert result.mult_adds == SEPARABLE_TOTAL
        assert result.gmacs_per_second == pytest.approx(SEPARABLE_TOTAL / 1.5 / 1e9)

    def test_a_stalled_pass_is_left_out_of_the_shares(self, tiny):
        report = api.analyze(tiny)
        names = [lr.name for lr in report.layers]
        # Five passes of 1 s each spent entirely in conv1; the fifth stalled for 100 s in fc.
        per_layer = {name: [0.0] * 5 for name in names}
        per_layer["conv1"] = [1.0] * 5
        per_layer["fc"] = [0.0, 0.0, 0.0, 0.0, 100.0]
        walls = [1.0, 1.0, 1.0, 1.0, 101.0]
        assert bench.outlier_free(walls) == [0, 1, 2, 3]
        result = bench._result(report, 1, 0, 5, "test", [1.0] * 5, per_layer, walls)
        kinds = {k.kind: k for k in result.kinds}
        assert kinds["Conv 3×3"].time_share == 1.0 and kinds["Fully connected"].time_share == 0
        assert result.breakdown_passes == 4 and result.other_share == 0

    def test_standard_conv_groups_with_first_conv(self, tiny):
        report = api.analyze(tiny, variant="standard")
        per_layer = {lr.name: [1.0] for lr in report.layers}
        result = bench._result(report, 1, 0, 1, "test", [1.0], per_layer, [len(per_layer)])
        conv = next(k for k in result.kinds if k.kind == "Conv 3×3")
        assert (conv.layers, conv.mult_adds) == (2, CONV1 + STANDARD_BLOCK)

    def test_comparison_ratios(self, tiny):
        a = bench._result(api.analyze(tiny, variant="standard"), 1, 0, 1, "t", [0.3],
                          {n: [0.0] for n in ("conv1", "block1.conv", "pool", "fc", "softmax")},
                          [0.3])
        b = bench._result(api.analyze(tiny), 1, 0, 1, "t", [0.1],
                          {n: [0.0] for n in ("conv1", "block1.dw", "block1.pw", "pool", "fc",
                                              "softmax")}, [0.1])
        comparison = bench.BenchComparison(a, b)
        assert comparison.speedup == pytest.approx(3.0)
        assert comparison.mult_add_ratio == pytest.approx(STANDARD_TOTAL / SEPARABLE_TOTAL)


class TestWithoutTorch:
    def test_missing_extra_exit_2(self, invoke, monkeypatch):
        monkeypatch.setitem(sys.modules, "torch", None)
        result = invoke("bench", "--runs", "1")
        assert result.exit_code == 2
        assert result.stderr.startswith("Error: mncost bench needs the 'verify' extra: "
                                        "pip install 'mncost[verify]' (install torch first")
        assert result.stdout == ""


@pytest.mark.torch
class TestWithTorch:
    """Real forward passes of a tiny model, few runs; shapes of results, never durations."""

    @pytest.fixture(autouse=True)
    def _torch(self):
        pytest.importorskip("torch")

    def test_run_core(self, tiny):
        import torch
        network = spec_module.resolve(spec_module.load(tiny))
        ticks = []
        before = torch.get_num_threads()
        result = bench.run(network, runs=3, warmup=1, threads=1, progress=ticks.append)
        assert sum(ticks) == bench.forward_passes(network, runs=3, warmup=1) == 1 + 1 + 6
        assert torch.get_num_threads() == before  # restored
        assert result.threads == 1 and len(result.latency.samples) == 3
        lat = result.latency
        assert 0 < lat.minimum <= lat.q1 <= lat.median <= lat.q3 <= lat.maximum
        assert [lt.name for lt in result.layers] == [layer.name for layer in network.layers]
        assert sum(k.time_share for k in result.kinds) + result.other_share == pytest.approx(1)
        assert sum(k.mult_adds for k in result.kinds) == SEPARABLE_TOTAL

    def test_json(self, invoke, tiny):
        result = invoke("bench", "--spec", tiny, "--runs", "2", "--warmup", "1",
                        "--threads", "1", "--format", "json")
        assert result.exit_code == 0, result.stderr
        data = json.loads(result.stdout)
        assert {"model", "variant", "alpha", "resolution", "threads", "runs", "warmup",
                "torch_version", "mult_adds", "latency_ms", "samples_ms", "gmacs_per_s",
                "kinds", "other_time_share", "layers", "batch", "device", "dtype",
                "breakdown_passes"} <= set(data)
        assert (data["model"], data["threads"], data["runs"], data["batch"]) == ("Tiny", 1, 2, 1)
        assert data["mult_adds"] == SEPARABLE_TOTAL and len(data["samples_ms"]) == 2
        assert data["latency_ms"]["median"] == pytest.approx(
            statistics.median(data["samples_ms"]), abs=1e-3)
        kinds = {k["kind"]: k for k in data["kinds"]}
        assert kinds["Conv DW 3×3"]["mult_adds"] == DW and kinds["Conv 1×1"]["layers"] == 1
        assert kinds["Fully connected"]["mult_adds"] == FC
        assert data["gmacs_per_s"] == pytest.approx(
            SEPARABLE_TOTAL / (data["latency_ms"]["median"] / 1000) / 1e9, rel=1e-2)

    def test_rich_and_csv(self, invoke, tiny):
        out = invoke("bench", "--spec", tiny, "--runs", "2", "--warmup", "0").stdout
        assert "Tiny · separable · α=1 · 16×16 · measured latency" in out
        assert "Measured time by layer kind" in out and "Conv DW 3×3" in out
        assert "other (between layers)" in out and f"{SEPARABLE_TOTAL:,}" in out
        rows = list(csv.DictReader(io.StringIO(
            invoke("bench", "--spec", tiny, "--runs", "2", "-f", "csv").stdout)))
        assert [r["kind"] for r in rows] == ["Conv 3×3", "Conv DW 3×3", "Conv 1×1", "Pooling",
                                             "Fully connected", "Softmax", "other"]
        assert int(rows[2]["mult_adds"]) == PW

    def test_compare(self, invoke, tiny):
        result = invoke("bench", "--spec", tiny, "--runs", "2", "--warmup", "0",
                        "--compare", "standard", "separable", "--format", "json")
        assert result.exit_code == 0, result.stderr
        data = json.loads(result.stdout)
        a, b = data["models"]
        assert data["labels"] == ["standard", "separable"]
        assert (a["variant"], b["variant"]) == ("standard", "separable")
        assert (a["mult_adds"], b["mult_adds"]) == (STANDARD_TOTAL, SEPARABLE_TOTAL)
        assert data["mult_add_ratio"] == pytest.approx(STANDARD_TOTAL / SEPARABLE_TOTAL,
                                                       abs=1e-4)
        assert data["speedup"] == pytest.approx(
            a["latency_ms"]["median"] / b["latency_ms"]["median"], rel=1e-3)

    def test_compare_side_overrides_and_markdown(self, invoke, tiny):
        out = invoke("bench", "--spec", tiny, "--runs", "1", "--warmup", "0", "--compare",
                     "separable", "separable@alpha=0.5,resolution=8", "-f", "markdown").stdout
        assert "| separable@alpha=0.5,resolution=8 |" in out
        assert "Measured speed-up of separable@alpha=0.5,resolution=8 over separable" in out
        half = api.analyze(tiny, alpha="0.5", resolution=8).mult_adds
        assert f"mult-add ratio separable / separable@alpha=0.5,resolution=8: " \
               f"{SEPARABLE_TOTAL / half:.2f}×" in out

    @pytest.mark.parametrize("args, message", [
        (("--compare", "standard", "separable", "--variant", "standard"),
         "--variant does not combine with --compare"),
        (("--compare", "standard", "sep@alpha=0"), "Invalid value for '--compare'"),
        (("--compare", "standard", "nope"), "unknown variant 'nope'"),
        (("--runs", "0"), "Invalid value for '--runs'"),
        (("--alpha", "0"), "alpha must be greater than 0"),
    ])
    def test_bad_input_exits_2(self, invoke, tiny, args, message):
        result = invoke("bench", "--spec", tiny, *args)
        assert result.exit_code == 2 and message in result.stderr
        assert "Traceback" not in result.stderr

    def test_help_teaches(self, invoke):
        out = invoke("bench", "--help").stdout
        assert "Examples:" in out and "--compare standard separable" in out
