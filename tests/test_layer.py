"""`mncost layer`: one layer in the form of the paper's Table 3, checked against the formulas."""

from __future__ import annotations

import csv
import io
import json
from fractions import Fraction

import pytest

import mncost
from mncost.core.errors import ConfigError
from mncost.core.single_layer import single_layer

# The paper counts weights only: --params paper (the command's default is trainable, as
# everywhere else).
TABLE3 = ("--size", "14", "--in", "512", "--out", "512", "--params", "paper")


def standard(k: int, m: int, n: int, d: int) -> tuple[int, int]:
    """(mult-adds, weights) of a standard conv, paper §3.1; d is the output size."""
    return k * k * m * n * d * d, k * k * m * n


def separable(k: int, m: int, n: int, d: int) -> tuple[int, int]:
    return k * k * m * d * d + m * n * d * d, k * k * m + m * n


def layer_json(invoke, *args: str) -> dict:
    result = invoke("layer", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def rows_of(data: dict) -> dict[str, tuple[int, int]]:
    return {r["row"]: (r["mult_adds"], r["params"]) for r in data["rows"]}


class TestPaperTable3:
    """14×14×512 → 512, 3×3: the four rows of Table 3 from the formulas."""

    def test_two_rows_by_default(self, invoke):
        data = layer_json(invoke, *TABLE3)
        assert [r["row"] for r in data["rows"]] == ["standard", "separable"]
        assert rows_of(data) == {"standard": standard(3, 512, 512, 14),
                                 "separable": separable(3, 512, 512, 14)}
        assert data["params_convention"] == "paper"

    def test_all_four_rows(self, invoke):
        data = layer_json(invoke, *TABLE3, "--alpha", "0.75", "--rho", "0.714")
        assert [r["row"] for r in data["rows"]] == ["standard", "separable", "alpha", "rho"]
        # α = 0.75: 512 → 384 channels. ρ = 0.714: the paper's 14·0.714 = 9.996 → 10.
        assert rows_of(data) == {"standard": standard(3, 512, 512, 14),
                                 "separable": separable(3, 512, 512, 14),
                                 "alpha": separable(3, 384, 384, 14),
                                 "rho": separable(3, 384, 384, 10)}
        assert data["rows"][3]["input_shape"] == [10, 10, 384]

    def test_paper_rounded_figures(self, invoke):
        data = layer_json(invoke, *TABLE3, "--alpha", "0.75", "--rho", "0.714")
        millions = [(float(f"{r['mult_adds'] / 1e6:.3g}"), round(r["params"] / 1e6, 2))
                    for r in data["rows"]]
        # Paper Table 3: 462 / 2.36, 52.3 / 0.27, 29.6 / 0.15, 15.1 / 0.15.
        assert millions == [(462, 2.36), (52.3, 0.27), (29.6, 0.15), (15.1, 0.15)]

    def test_separable_ratio_is_the_theory(self, invoke):
        data = layer_json(invoke, *TABLE3)
        sep = data["rows"][1]
        assert sep["mult_adds_ratio"] == float(Fraction(1, 512) + Fraction(1, 9))
        assert sep["params_ratio"] == float(Fraction(1, 512) + Fraction(1, 9))
        assert data["theory"] == float(Fraction(1, 512) + Fraction(1, 9))

    def test_rich_output(self, invoke):
        out = invoke("layer", *TABLE3, "--alpha", "0.75", "--rho", "0.714").stdout
        for text in ("462,422,016", "52,283,392", "29,578,752", "15,091,200", "2,359,296",
                     "266,752", "150,912", "Depthwise separable conv", "α = 0.75",
                     "ρ = 0.714", "8.8× fewer", "(equal, exactly)",
                     "D_F = floor(14·0.714 + 1/2) = 10", "weights only"):
            assert text in out, text

    def test_same_costs_as_the_network_engine(self):
        # MobileNet's block7 is this very layer; Conv MobileNet's block7.conv its standard row.
        result = single_layer(14, 512, 512, params="trainable")
        sep = mncost.analyze(variant="separable")
        std = mncost.analyze(variant="standard")
        block = [sep.layer("block7.dw"), sep.layer("block7.pw")]
        assert result.row("separable").mult_adds == sum(lr.mult_adds for lr in block)
        assert result.row("separable").params == sum(lr.params for lr in block)
        assert result.row("standard").mult_adds == std.layer("block7.conv").mult_adds
        assert result.row("standard").params == std.layer("block7.conv").params


class TestRowsAndRules:
    """Only the rows asked for; α floors channels; ρ rounds the size half up; strides."""

    def test_rho_alone_applies_to_the_unscaled_layer(self, invoke):
        data = layer_json(invoke, *TABLE3, "--rho", "0.5")
        assert [r["row"] for r in data["rows"]] == ["standard", "separable", "rho"]
        assert rows_of(data)["rho"] == separable(3, 512, 512, 7)

    def test_alpha_floors_channels(self, invoke):
        data = layer_json(invoke, "--size", "7", "--in", "100", "--out", "30",
                          "--alpha", "0.29", "--params", "paper")
        assert rows_of(data)["alpha"] == separable(3, 29, 8, 7)  # 0.29·30 = 8.7 → 8

    @pytest.mark.parametrize("size, rho, expected", [(15, "0.5", 8), (14, "0.714", 10),
                                                     (13, "0.5", 7), (224, "0.571", 128)])
    def test_rho_rounds_half_up(self, size, rho, expected):
        result = single_layer(size, 8, 8, rho=rho)
        assert result.row("rho").input_shape.h == expected

    def test_stride_uses_output_size(self, invoke):
        data = layer_json(invoke, "--size", "112", "--in", "32", "--out", "64", "--stride", "2",
                          "--kernel", "5", "--params", "paper")
        # pad = 2: floor((112 + 4 − 5) / 2) + 1 = 56
        assert data["rows"][0]["output_shape"] == [56, 56, 64]
        assert rows_of(data) == {"standard": standard(5, 32, 64, 56),
                                 "separable": separable(5, 32, 64, 56)}

    @pytest.mark.parametrize("size, m, n, k, s", [(14, 512, 512, 3, 1), (112, 32, 64, 3, 2),
                                                  (15, 7, 11, 5, 2), (9, 3, 1, 7, 3),
                                                  (1, 1, 1, 1, 1), (97, 24, 40, 3, 2)])
    def test_ratio_equals_theory_exactly(self, size, m, n, k, s):
        result = single_layer(size, m, n, kernel=k, stride=s)
        assert result.mult_adds_ratio(result.row("separable")) == \
            Fraction(1, n) + Fraction(1, k * k)
        assert result.theory == Fraction(1, n) + Fraction(1, k * k)

    def test_trainable_params_add_batch_norm(self, invoke):
        data = layer_json(invoke, "--size", "8", "--in", "16", "--out", "32",
                          "--params", "trainable")
        assert data["params_convention"] == "trainable"
        assert rows_of(data)["standard"][1] == 3 * 3 * 16 * 32 + 2 * 32
        assert rows_of(data)["separable"][1] == 3 * 3 * 16 + 16 * 32 + 2 * 16 + 2 * 32


class TestFormatsAndErrors:
    def test_json_types(self, invoke):
        data = layer_json(invoke, *TABLE3, "--alpha", "0.5", "--rho", "0.5")
        for row in data["rows"]:
            assert type(row["mult_adds"]) is int and type(row["params"]) is int
            assert type(row["mult_adds_ratio"]) is float

    def test_csv(self, invoke):
        out = invoke("layer", *TABLE3, "--alpha", "0.75", "--format", "csv").stdout
        rows = list(csv.DictReader(io.StringIO(out)))
        assert [r["row"] for r in rows] == ["standard", "separable", "alpha"]
        assert int(rows[2]["mult_adds"]) == separable(3, 384, 384, 14)[0]
        assert rows[2]["input_shape"] == "14x14x384"

    def test_markdown(self, invoke):
        out = invoke("layer", *TABLE3, "--format", "markdown").stdout
        assert out.startswith("### One layer: 14×14×512 → 512 channels, 3×3 kernel, stride 1")
        assert "| Convolution | 14×14×512 | 14×14×512 | 462,422,016 | 462 |" in out

    @pytest.mark.parametrize("args, message", [
        (("--size", "0", "--in", "5", "--out", "5"), "Invalid value for '--size'"),
        (("--size", "14", "--in", "5"), "Missing option '--out'"),
        (("--size", "14", "--in", "5", "--out", "5", "--alpha", "0"),
         "alpha must be greater than 0"),
        (("--size", "14", "--in", "5", "--out", "5", "--rho", "abc"), "must be a number"),
        (("--size", "14", "--in", "5", "--out", "5", "--rho", "0.01"),
         "Error: rho 0.01 scales the 14×14 input below 1 pixel"),
        (("--size", "1", "--in", "5", "--out", "5", "--kernel", "2"),
         "Error: a 2×2 stride-1 conv on a 1×1 input would output 0×0"),
        (("--size", "14", "--in", "5", "--out", "5", "--params", "weights"),
         "Invalid value for '--params'"),
    ])
    def test_bad_input_exits_2(self, invoke, args, message):
        result = invoke("layer", *args)
        assert result.exit_code == 2
        assert message in result.stderr
        assert "Traceback" not in result.stderr and result.stdout == ""

    def test_core_validates(self):
        with pytest.raises(ConfigError, match="size must be a positive integer"):
            single_layer(0, 1, 1)
        with pytest.raises(ConfigError, match="params must be one of"):
            single_layer(1, 1, 1, params="weights")

    def test_help_teaches(self, invoke):
        out = invoke("layer", "--help").stdout
        assert "Examples:" in out and "1/N + 1/D_K²" in out


def test_default_params_convention_is_trainable_as_everywhere(invoke):
    """Like every other command; the weights-only Table 3 is --params paper."""
    data = layer_json(invoke, "--size", "14", "--in", "512", "--out", "512")
    assert data["params_convention"] == "trainable"
    # standard: weights + batch-norm γ, β of 512 channels
    assert rows_of(data)["standard"][1] == 3 * 3 * 512 * 512 + 2 * 512
