"""`mncost compare`: side syntax, layer alignment, exact separable-vs-standard ratios, formats.

Expected numbers come from the paper's formulas (PAPER.md), computed by hand below from
Table 1, never from the code under test.
"""

from __future__ import annotations

import csv
import io
import json
from fractions import Fraction

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mncost
from mncost.views import report as report_view
from mncost.core import spec as spec_module
from mncost.core import yamlio
from mncost.core.compare import (Side, align_keys, compare, group_key, parse_side, ratio_words)
from mncost.core.errors import ConfigError

# Table 1 after conv1 (3×3×3×32, stride 2): each separable block as (stride, output channels).
TABLE1_BLOCKS = ([(1, 64), (2, 128), (1, 128), (2, 256), (1, 256), (2, 512)]
                 + [(1, 512)] * 5 + [(2, 1024), (1, 1024)])
SHALLOW_DROPPED = range(7, 12)  # block7 .. block11: the five 14×14×512 pairs


def mobilenet_by_hand(variant: str, resolution: int = 224) -> tuple[int, int]:
    """(mult-adds, weights) of MobileNet v1 at α = 1 from the formulas (even sizes only)."""
    size = resolution // 2
    mult_adds, weights = 3 * 3 * 3 * 32 * size * size, 3 * 3 * 3 * 32
    channels = 32
    for number, (stride, out) in enumerate(TABLE1_BLOCKS, start=1):
        if variant == "shallow" and number in SHALLOW_DROPPED:
            continue
        size //= stride
        if variant == "standard":
            mult_adds += 3 * 3 * channels * out * size * size
            weights += 3 * 3 * channels * out
        else:
            mult_adds += 3 * 3 * channels * size * size + channels * out * size * size
            weights += 3 * 3 * channels + channels * out
        channels = out
    return mult_adds + 1024 * 1000, weights + 1024 * 1000


def compare_json(invoke, *args: str) -> dict:
    result = invoke("compare", *args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def analyzed(a: str, b: str, **shared) -> "mncost.core.compare.Comparison":
    reports = []
    for text in (a, b):
        side = parse_side(text)
        kwargs = side.resolve_kwargs({"alpha": None, "resolution": None, "rho": None,
                                      "depth_multiplier": None, "min_channels": None,
                                      **shared})
        reports.append(mncost.analyze(side.spec, params="paper", **kwargs))
    return compare(*reports)


class TestPaperTable4:
    """`compare standard separable` is Conv MobileNet vs MobileNet (paper Table 4)."""

    def test_hand_formula_matches_paper_md(self):
        assert mobilenet_by_hand("separable") == (568_740_352, 4_209_088)

    def test_totals_equal_the_formulas(self, invoke):
        data = compare_json(invoke, "standard", "separable", "--params", "paper")
        std, sep = (m["totals"] for m in data["models"])
        std_ma, std_w = mobilenet_by_hand("standard")
        sep_ma, sep_w = mobilenet_by_hand("separable")
        assert (std["mult_adds"], std["params"]) == (std_ma, std_w)
        assert (sep["mult_adds"], sep["params"]) == (sep_ma, sep_w)
        assert data["ratio"]["mult_adds"] == pytest.approx(std_ma / sep_ma, rel=1e-15)
        assert data["ratio"]["params"] == pytest.approx(std_w / sep_w, rel=1e-15)
        assert data["difference"]["mult_adds"] == sep_ma - std_ma

    def test_paper_figures_in_millions(self, invoke):
        data = compare_json(invoke, "standard", "separable", "--params", "paper")
        std, sep = (m["totals"] for m in data["models"])
        # Paper Table 4: Conv MobileNet 4866M mult-adds / 29.3M params; MobileNet 569 / 4.2.
        assert round(sep["mult_adds"] / 1e6) == 569
        assert round(std["params"] / 1e6, 1) == 29.3 and round(sep["params"] / 1e6, 1) == 4.2
        # The formulas give 4867.3M; the paper's 4866 is the convolutions without the FC.
        assert round(std["mult_adds"] / 1e6) == 4867
        assert round((std["mult_adds"] - 1024 * 1000) / 1e6) == 4866

    def test_words_and_note_in_rich_output(self, invoke):
        out = invoke("compare", "standard", "separable", "--params", "paper").stdout
        assert "8.6× fewer mult-adds" in out          # 4867.3 / 568.7 = 8.56
        assert "7.0× fewer params" in out             # 29.28 / 4.21 = 6.96
        assert "same peak activation memory" in out
        assert "4866M" in out and "4,866,269,184" in out


class TestSeparableRatio:
    """Aligned dw + pw vs conv rows: the actual ratio beside 1/N + 1/D_K², equal where due."""

    def test_every_block_agrees_exactly_at_224(self):
        comparison = analyzed("standard", "separable")
        pairs = comparison.separable_rows
        assert [r.name for r in pairs] == [f"block{i}" for i in range(1, 14)]
        for row, (stride, out) in zip(pairs, TABLE1_BLOCKS):
            sep = row.separable
            assert (sep.separable_side, sep.n, sep.kernel) == ("b", out, 3)
            assert sep.shapes_match
            assert sep.actual == Fraction(1, out) + Fraction(1, 9)
            assert sep.agree

    def test_strided_blocks_agree(self):
        # The dw carries the stride and the pw runs at the output size, like the conv.
        comparison = analyzed("separable", "standard")
        strided = [r for r in comparison.separable_rows if r.a[0].layer.stride == 2]
        assert [r.name for r in strided] == ["block2", "block4", "block6", "block12"]
        for row in strided:
            conv, dw, pw = row.b[0], row.a[0], row.a[1]
            m, n, size = conv.input_shape.c, conv.output_shape.c, conv.output_shape.h
            assert row.separable.separable_side == "a"
            assert conv.mult_adds == 9 * m * n * size * size
            assert dw.mult_adds + pw.mult_adds == 9 * m * size * size + m * n * size * size
            assert row.separable.actual == Fraction(1, n) + Fraction(1, 9)

    @pytest.mark.parametrize("shared", [{"alpha": "0.75"}, {"resolution": 97},
                                        {"rho": "0.571", "alpha": "0.5"},
                                        {"alpha": "0.25", "min_channels": 8}])
    def test_same_hyperparameters_always_agree(self, shared):
        comparison = analyzed("standard", "separable", **shared)
        assert len(comparison.separable_rows) == 13
        for row in comparison.separable_rows:
            assert row.separable.shapes_match and row.separable.agree
            assert row.separable.actual == row.separable.theory

    def test_different_widths_break_the_assumptions(self):
        comparison = analyzed("standard", "separable@alpha=0.5")
        for row in comparison.separable_rows:
            assert not row.separable.shapes_match
            assert not row.separable.agree

    def test_depth_multiplier_breaks_the_assumptions(self):
        # A dw with multiplier 2 outputs 2M channels: 2·k²·M·D² + 2M·N·D² over k²·M·N·D².
        comparison = analyzed("standard", "separable", depth_multiplier=2)
        for row in comparison.separable_rows:
            n = row.separable.n
            assert not row.separable.shapes_match
            assert row.separable.actual == Fraction(2, n) + Fraction(2, 9)

    def test_json_rows(self, invoke):
        data = compare_json(invoke, "standard", "separable")
        pair = next(r for r in data["rows"] if r["name"] == "block1")
        assert pair["status"] == "separable_vs_standard"
        assert pair["a"]["layers"] == ["block1.conv"]
        assert pair["b"]["layers"] == ["block1.dw", "block1.pw"]
        assert pair["a"]["mult_adds"] == 3 * 3 * 32 * 64 * 112 * 112
        assert pair["b"]["mult_adds"] == 3 * 3 * 32 * 112 * 112 + 32 * 64 * 112 * 112
        assert pair["separable"] == {"side": "b", "actual": pytest.approx(1 / 64 + 1 / 9),
                                     "theory": pytest.approx(1 / 64 + 1 / 9), "n": 64,
                                     "kernel": 3, "shapes_match": True, "agree": True}
        assert pair["mult_adds_ratio"] == pytest.approx(pair["a"]["mult_adds"]
                                                        / pair["b"]["mult_adds"])


@st.composite
def separable_specs(draw):
    """A random spec of conv / separable entries (odd kernels, strides 1-2) with both variants."""
    layers = []
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["conv", "separable", "separable"]))
        layers.append({"kind": kind, "out": draw(st.integers(1, 64)),
                       "kernel": draw(st.sampled_from([1, 3, 5, 7])),
                       "stride": draw(st.integers(1, 2)), "repeat": draw(st.integers(1, 2))})
    doc = {"model": "random",
           "input": {"resolution": draw(st.integers(4, 48)), "channels": draw(st.integers(1, 4))},
           "variants": {"separable": None, "standard": {"convert": {"separable": "conv"}}},
           "layers": layers + [{"kind": "avgpool"}, {"kind": "fc", "out": 10}]}
    return spec_module.parse(yamlio.load_yaml(yaml.safe_dump(doc), "random"), "random")


class TestSeparableRatioProperty:
    """On random specs: the same hyperparameters on both sides always meet the assumptions and
    agree exactly; whatever the sides, meeting the assumptions implies agreement."""

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(model=separable_specs(), alpha=st.sampled_from(["0.25", "0.5", "0.75", "1", "1.5"]),
           resolution=st.integers(4, 64), depth_multiplier=st.integers(1, 2))
    def test_same_hyperparameters(self, model, alpha, resolution, depth_multiplier):
        kwargs = dict(alpha=alpha, resolution=resolution, depth_multiplier=depth_multiplier)
        comparison = compare(
            mncost.analyze(model, variant="standard", **kwargs),
            mncost.analyze(model, variant="separable", **kwargs))
        for row in comparison.separable_rows:
            sep = row.separable
            assert sep.shapes_match == (depth_multiplier == 1)
            assert sep.agree == sep.shapes_match
        assert len(comparison.separable_rows) == sum(
            entry.repeat for entry in model.layers if entry.kind == "separable")

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(model=separable_specs(), a1=st.sampled_from(["0.5", "1"]),
           a2=st.sampled_from(["0.5", "1"]), r1=st.integers(4, 64), r2=st.integers(4, 64))
    def test_assumptions_imply_agreement(self, model, a1, a2, r1, r2):
        comparison = compare(
            mncost.analyze(model, variant="separable", alpha=a1, resolution=r1),
            mncost.analyze(model, variant="standard", alpha=a2, resolution=r2))
        for row in comparison.separable_rows:
            if row.separable.shapes_match:
                assert row.separable.actual == \
                    Fraction(1, row.separable.n) + Fraction(1, row.separable.kernel ** 2)


class TestAlignment:
    """Layers are grouped by name prefix; groups align by name; missing ones show as missing."""

    def test_group_key(self):
        assert [group_key(n) for n in ("conv1", "block3.dw", "block3.conv", "fc")] == \
            ["conv1", "block3", "block3", "fc"]

    def test_align_keys_deletions_and_insertions(self):
        assert align_keys(["a", "b", "c", "d"], ["a", "d", "e"]) == \
            [(0, 0), (1, None), (2, None), (3, 1), (None, 2)]

    def test_align_keys_pairs_replaced_runs_in_order(self):
        assert align_keys(["x", "p", "q", "z"], ["x", "r", "z"]) == \
            [(0, 0), (1, 1), (2, None), (3, 2)]

    def test_standard_vs_separable(self):
        rows = analyzed("standard", "separable").rows
        assert [r.name for r in rows] == (["conv1"] + [f"block{i}" for i in range(1, 14)]
                                          + ["pool", "fc", "softmax"])
        assert [r.status for r in rows] == \
            ["same"] + ["separable_vs_standard"] * 13 + ["same"] * 3

    def test_separable_vs_shallow(self):
        rows = analyzed("separable", "shallow").rows
        assert len(rows) == 30  # every layer of the deeper model, once
        missing = [r.name for r in rows if r.status == "only_a"]
        assert missing == [f"block{i}.{part}" for i in SHALLOW_DROPPED for part in ("dw", "pw")]
        assert {r.status for r in rows if r.name not in missing} == {"same"}
        assert all(not r.b for r in rows if r.name in missing)

    def test_shallow_vs_separable_mirrors(self):
        rows = analyzed("shallow", "separable").rows
        assert [r.name for r in rows if r.status == "only_b"] == \
            [f"block{i}.{part}" for i in SHALLOW_DROPPED for part in ("dw", "pw")]

    def test_standard_vs_shallow(self):
        rows = analyzed("standard", "shallow").rows
        assert [r.name for r in rows if r.status == "only_a"] == \
            [f"block{i}.conv" for i in SHALLOW_DROPPED]
        assert [r.name for r in rows if r.status == "separable_vs_standard"] == \
            [f"block{i}" for i in (1, 2, 3, 4, 5, 6, 12, 13)]
        # block12 still meets the assumptions: block6's output feeds it on both sides.
        assert all(r.separable.agree for r in rows if r.separable)

    def test_same_kinds_pair_layer_by_layer(self):
        rows = analyzed("separable", "separable@alpha=0.5").rows
        assert len(rows) == 30
        by_name = {r.name: r for r in rows}
        assert by_name["block1.dw"].status == "changed"
        assert by_name["block1.dw"].a_mult_adds == 3 * 3 * 32 * 112 * 112
        assert by_name["block1.dw"].b_mult_adds == 3 * 3 * 16 * 112 * 112
        assert by_name["softmax"].status == "same"

    def test_identical_models(self):
        comparison = analyzed("separable", "separable")
        assert {r.status for r in comparison.rows} == {"same"}
        assert all(t.difference == 0 and t.ratio == 1 for t in comparison.totals)

    def test_different_spec_files(self, invoke, write_yaml):
        tiny = write_yaml("""
            model: TinyNet
            input: {resolution: 32}
            classes: 10
            layers:
              - {kind: conv, out: 8, stride: 2, name: stem}
              - {kind: separable, out: 16}
              - {kind: avgpool}
              - {kind: fc}
            """, "tiny.yaml")
        data = compare_json(invoke, "standard", str(tiny))
        names = [(r["name"], r["status"]) for r in data["rows"]]
        assert names[0] == ("conv1 ↔ stem", "changed")
        assert names[1] == ("block1", "separable_vs_standard")
        assert names[2:14] == [(f"block{i}.conv", "only_a") for i in range(2, 14)]
        assert names[14:] == [("pool", "changed"), ("fc", "changed"), ("softmax", "only_a")]
        # The tiny block1 reads 16×16×8, conv MobileNet's 112×112×32: no theory claim.
        block1 = data["rows"][1]
        assert block1["separable"]["shapes_match"] is False
        assert block1["b"]["mult_adds"] == 3 * 3 * 8 * 16 * 16 + 8 * 16 * 16 * 16


class TestSideSyntax:
    """NAME[@key=value,...], PATH[:VARIANT][@...]; bad syntax is a clear exit 2."""

    @pytest.mark.parametrize("text, expected", [
        ("separable", Side("separable", None, "separable")),
        ("shallow@alpha=0.5", Side("shallow@alpha=0.5", None, "shallow", alpha=Fraction("0.5"))),
        ("separable@alpha=0.5,resolution=160",
         Side("separable@alpha=0.5,resolution=160", None, "separable", alpha=Fraction("0.5"),
              resolution=(160, 160))),
        ("standard@rho=0.714, depth-multiplier=2",
         Side("standard@rho=0.714, depth-multiplier=2", None, "standard",
              rho=Fraction("0.714"), depth_multiplier=2)),
        ("nets/x.yaml", Side("nets/x.yaml", "nets/x.yaml", None)),
        ("nets/x.yaml:standard@min_channels=8",
         Side("nets/x.yaml:standard@min_channels=8", "nets/x.yaml", "standard",
              min_channels=8)),
        ("mobilenet_v1:shallow", Side("mobilenet_v1:shallow", "mobilenet_v1", "shallow")),
    ])
    def test_valid(self, text, expected):
        assert parse_side(text) == expected

    def test_existing_file_wins(self, write_yaml, tmp_path, monkeypatch):
        monkeypatch.chdir(tmp_path)
        write_yaml("x", "odd@name.yaml")
        assert parse_side("odd@name.yaml") == Side("odd@name.yaml", "odd@name.yaml", None)

    @pytest.mark.parametrize("text, message", [
        ("", "empty model"),
        ("separable@", "nothing after '@'"),
        ("@alpha=0.5", "the model name is empty"),
        ("separable@alpha", "expected key=value, got 'alpha'"),
        ("separable@alfa=0.5", "unknown key 'alfa' (did you mean 'alpha'?)"),
        ("separable@alpha=0", "alpha must be greater than 0, got 0"),
        ("separable@alpha=-1", "alpha must be greater than 0"),
        ("separable@rho=x", "rho must be a number, got 'x'"),
        ("separable@resolution=1.5", "resolution must be a number of pixels N or HxW"),
        ("separable@resolution=0", "resolution must be a positive integer"),
        ("separable@alpha=0.5,alpha=0.75", "alpha is given twice"),
        ("separable@alpha=0.5,", "an empty setting between commas"),
        ("separable@rho=0.5,resolution=160", "give either resolution or rho, not both"),
        (":standard", "no spec before ':'"),
    ])
    def test_invalid(self, text, message):
        with pytest.raises(ConfigError, match="syntax: NAME") as info:
            parse_side(text)
        assert message in str(info.value)

    def test_bad_syntax_on_the_command_line(self, invoke):
        result = invoke("compare", "separable", "separable@alfa=0.5")
        assert result.exit_code == 2
        assert "Invalid value for 'B'" in result.stderr and "did you mean 'alpha'" in result.stderr
        assert "Traceback" not in result.stderr and result.stdout == ""

    def test_unknown_variant(self, invoke):
        result = invoke("compare", "separabel", "standard")
        assert result.exit_code == 2
        assert "Invalid value for 'A': unknown variant 'separabel' (did you mean " \
               "'separable'?)" in result.stderr

    def test_missing_file(self, invoke, tmp_path):
        result = invoke("compare", "separable", str(tmp_path / "none.yaml"))
        assert result.exit_code == 2 and "no such file" in result.stderr

    def test_resolution_and_rho_flags_exclusive(self, invoke):
        result = invoke("compare", "a", "b", "--resolution", "160", "--rho", "0.5")
        assert result.exit_code == 2 and "mutually exclusive" in result.stderr

    def test_side_too_small_names_the_side(self, invoke, write_yaml):
        path = write_yaml("""
            model: valid
            input: {resolution: 32}
            layers:
              - {kind: conv, out: 8, padding: 0}
              - {kind: fc}
            """)
        result = invoke("compare", str(path), f"{path}@resolution=2")
        assert result.exit_code == 2
        assert "Invalid value for 'B': resolution 2 is too small" in result.stderr

    def test_builtin_spec_name_as_side(self, invoke):
        data = compare_json(invoke, "mobilenet_v1", "shallow")
        assert [m["variant"] for m in data["models"]] == ["separable", "shallow"]


class TestSharedFlags:
    """Shared flags apply to both sides unless a side overrides them."""

    def test_resolve_kwargs(self):
        shared = {"alpha": "0.75", "resolution": None, "rho": "0.5", "depth_multiplier": 1,
                  "min_channels": 1, "rounding": None}
        assert parse_side("standard").resolve_kwargs(shared) == {
            "variant": "standard", "alpha": "0.75", "resolution": None, "rho": "0.5",
            "depth_multiplier": 1, "min_channels": 1, "rounding": None,
            "repeat_multiplier": None}
        assert parse_side("standard@resolution=160,alpha=1").resolve_kwargs(shared) == {
            "variant": "standard", "alpha": 1, "resolution": (160, 160), "rho": None,
            "depth_multiplier": 1, "min_channels": 1, "rounding": None,
            "repeat_multiplier": None}

    def test_cli_shared_and_overridden(self, invoke):
        data = compare_json(invoke, "separable", "separable@resolution=160,alpha=0.5",
                            "--rho", "0.5", "--alpha", "0.75")
        a, b = data["models"]
        assert (a["alpha"], a["resolution"]) == (0.75, 112)
        assert (b["alpha"], b["resolution"]) == (0.5, 160)
        assert b["totals"]["mult_adds"] == 76_524_800  # 0.5 MobileNet-160, README

    def test_spec_flag_applies_to_variant_names(self, invoke, write_yaml):
        path = write_yaml("""
            model: two
            input: {resolution: 8}
            variants:
              wide: {}
              narrow: {drop: [extra]}
            layers:
              - {kind: conv, out: 4}
              - {kind: conv, out: 4, tag: extra}
            """)
        data = compare_json(invoke, "wide", "narrow", "--spec", str(path), "--params", "paper")
        assert [r["status"] for r in data["rows"]] == ["same", "only_a"]
        assert data["models"][0]["totals"]["mult_adds"] == \
            3 * 3 * 3 * 4 * 64 + 3 * 3 * 4 * 4 * 64


class TestFormats:
    """Every format carries the same numbers; JSON ratios are the only floats."""

    def test_json_models_are_table_json(self, invoke):
        data = compare_json(invoke, "separable", "shallow@alpha=0.5", "--dtype", "float16")
        assert data["sides"] == ["separable", "shallow@alpha=0.5"]
        assert data["models"][0] == report_view.report_dict(mncost.analyze(dtype="float16"))
        assert data["models"][1] == report_view.report_dict(
            mncost.analyze(variant="shallow", alpha="0.5", dtype="float16"))
        assert set(data["ratio"]) == set(data["difference"]) == \
            {"mult_adds", "params", "weight_bytes", "peak_activation_bytes"}

    def test_json_types(self, invoke):
        data = compare_json(invoke, "standard", "shallow")
        assert all(type(v) is float for v in data["ratio"].values())
        assert all(type(v) is int for v in data["difference"].values())
        for row in data["rows"]:
            for side in ("a", "b"):
                if row[side] is not None:
                    assert type(row[side]["mult_adds"]) is int
                    assert type(row[side]["params"]) is int
            assert row["mult_adds_ratio"] is None or type(row["mult_adds_ratio"]) is float
        missing = [r for r in data["rows"] if r["status"] == "only_a"]
        assert len(missing) == 5 and all(r["b"] is None and r["mult_adds_ratio"] is None
                                         for r in missing)
        pool = next(r for r in data["rows"] if r["name"] == "pool")
        assert pool["mult_adds_ratio"] is None  # 0 / 0

    def test_csv(self, invoke):
        result = invoke("compare", "standard", "separable", "--format", "csv")
        rows = list(csv.DictReader(io.StringIO(result.stdout)))
        assert len(rows) == 17 + 1
        block1 = rows[1]
        assert block1["name"] == "block1" and block1["status"] == "separable_vs_standard"
        assert block1["b_layers"] == "block1.dw block1.pw"
        assert float(block1["separable_actual"]) == float(Fraction(1, 64) + Fraction(1, 9))
        total = rows[-1]
        assert total["name"] == "total"
        assert int(total["a_mult_adds"]) == mobilenet_by_hand("standard")[0]
        assert int(total["b_mult_adds"]) == mobilenet_by_hand("separable")[0]

    def test_markdown(self, invoke):
        out = invoke("compare", "separable", "shallow", "--format", "markdown").stdout
        assert out.startswith("### separable vs shallow\n")
        assert "### Layers aligned by name" in out
        assert "| block7.dw | 3×3×512 dw | 903,168 | (missing) | – | – |" in out
        assert "Missing: 10 layers of A are not in B; 0 layers of B are not in A." in out

    def test_rich(self, invoke):
        out = invoke("compare", "separable", "separable@alpha=0.5,resolution=160").stdout
        assert "7.4× fewer mult-adds" in out  # 568,740,352 / 76,524,800 = 7.43
        assert "B = MobileNet v1 · separable · α=0.5 · 160×160" in out
        assert "\x1b[" not in out

    def test_help_teaches(self, invoke):
        out = invoke("compare", "--help").stdout
        assert "Examples:" in out and "NAME[@key=value,...]" in out


class TestRatioWords:
    @pytest.mark.parametrize("a, b, expected", [
        (4_867_293_184, 568_740_352, "8.6× fewer mult-adds"),
        (100, 150, "1.5× more mult-adds"),
        (100, 112, "12.0% more mult-adds"),
        (100, 80, "20.0% fewer mult-adds"),
        (7, 7, "same mult-adds"),
        (100_000, 10, "10,000× fewer mult-adds"),
    ])
    def test_words(self, a, b, expected):
        assert ratio_words(a, b, "mult-adds") == expected

    def test_memory_is_less_not_fewer(self):
        assert ratio_words(300, 100, "weight memory", countable=False) == \
            "3.0× less weight memory"
