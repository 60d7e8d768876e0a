"""The budget core: exact units, a located error for every malformed file, exact comparisons,
baselines that are read strictly and written atomically.

Expected costs come from ``mobilenet_costs`` below, an independent re-derivation of Table 1
from the paper's formulas (k·k·M·N·D_F·D_F and friends), not from the engine.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import textwrap
from fractions import Fraction
from pathlib import Path

import pytest

from mncost.core import budget
from mncost.core.errors import BudgetError, SpecError
from mncost.core.yamlio import load_yaml

# Table 1 after the first conv: (depthwise stride, pointwise output channels) per separable
# block, with row 17's erratum (stride 1).
BODY = [(1, 64), (2, 128), (1, 128), (2, 256), (1, 256), (2, 512)] + [(1, 512)] * 5 + \
    [(2, 1024), (1, 1024)]


def mobilenet_costs(alpha: Fraction = Fraction(1), resolution: int = 224,
                    classes: int = 1000) -> dict[str, int]:
    """mult-adds, trainable params and peak activation elements of MobileNet v1, by hand."""
    def ch(c: int) -> int:
        return max(1, int(c * alpha))

    def out(size: int, stride: int) -> int:  # 3×3, pad 1
        return (size + 2 - 3) // stride + 1

    size = out(resolution, 2)
    c = ch(32)
    mult_adds = 3 * 3 * 3 * c * size * size
    params = 3 * 3 * 3 * c + 2 * c                      # weights + batch-norm γ, β
    peak = resolution * resolution * 3 + size * size * c
    for stride, n in BODY:
        new = out(size, stride)
        mult_adds += 3 * 3 * c * new * new                # depthwise
        params += 3 * 3 * c + 2 * c
        peak = max(peak, size * size * c + new * new * c)
        size = new
        o = ch(n)
        mult_adds += c * o * size * size                  # pointwise
        params += c * o + 2 * o
        peak = max(peak, size * size * (c + o))
        c = o
    mult_adds += c * classes                              # fully connected
    params += c * classes + classes                       # + its bias
    peak = max(peak, size * size * c + c, c + classes, 2 * classes)
    return {"mult_adds": mult_adds, "params": params, "peak_elements": peak}


def test_hand_derivation_matches_the_paper():
    """The reference used below reproduces PAPER.md's exact figures for 1.0 MobileNet-224."""
    costs = mobilenet_costs()
    assert costs["mult_adds"] == 568_740_352
    assert costs["params"] == 4_231_976
    assert costs["peak_elements"] == 112 * 112 * 32 + 112 * 112 * 64


def parse_text(text: str, source: str = "budgets.yaml", base_dir: Path | str = ".") -> \
        budget.BudgetFile:
    text = textwrap.dedent(text).lstrip("\n")
    return budget.parse(load_yaml(text, source), source, base_dir=base_dir)


def parse_error(text: str) -> BudgetError:
    """Load ``text`` from a real file (shown as budgets.yaml) and return its BudgetError."""
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "budgets.yaml"
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        with pytest.raises(BudgetError) as info:
            budget.load(path, display="budgets.yaml")
    return info.value


class TestQuantities:
    """Limits are exact ints; units are explicit; nonsense is refused."""

    @pytest.mark.parametrize("value, metric, expected", [
        (80_000_000, "mult_adds", 80_000_000),
        ("80M", "mult_adds", 80_000_000),
        ("1.4M", "params", 1_400_000),                  # exact, not 1399999.99...
        ("0.3M", "params", 300_000),                    # 0.3 is not a binary float here
        ("4.2e6", "mult_adds", 4_200_000),
        ("4.2E+6", "mult_adds", 4_200_000),
        (4.2e6, "mult_adds", 4_200_000),                # a YAML float
        ("1_000_000", "params", 1_000_000),
        ("500K", "params", 500_000),
        ("500k", "params", 500_000),
        ("2G", "mult_adds", 2_000_000_000),
        ("1T", "mult_adds", 10**12),
        ("80 M", "mult_adds", 80_000_000),
        ("2 MiB", "weight_bytes", 2 * 1024 * 1024),
        ("2MiB", "peak_activation_bytes", 2_097_152),
        ("1.5 KiB", "weight_bytes", 1536),
        ("1.4 MB", "weight_bytes", 1_400_000),
        ("1.4 kB", "weight_bytes", 1400),
        ("3 GiB", "weight_bytes", 3 * 2**30),
        ("512 B", "weight_bytes", 512),
        ("17M", "weight_bytes", 17_000_000),            # count units fit byte metrics too
        (".5M", "params", 500_000),
        ("5.M", "params", 5_000_000),
    ])
    def test_parses_exactly(self, value, metric, expected):
        result = budget.parse_quantity(value, metric)
        assert result == expected and type(result) is int

    @pytest.mark.parametrize("value, expected", [
        ("1.2345678M", 1_234_567),     # 1234567.8 rounds down
        ("1.0001K", 1000),             # 1000.1
        (1000.9, 1000),
        ("1.9", 1),
    ])
    def test_non_integral_values_round_down(self, value, expected):
        """An integer count c satisfies c <= x exactly when c <= floor(x)."""
        assert budget.parse_quantity(value) == expected

    @pytest.mark.parametrize("value, metric, message", [
        ("80X", "mult_adds", "unknown unit 'X'"),
        ("80m", "mult_adds", "unknown unit 'm' (did you mean 'M'?)"),
        ("2 MiB", "mult_adds", "'MiB' is a byte unit"),
        ("1.2B", "params", "write \"G\" for 10^9"),
        ("-80M", "mult_adds", "must not be negative"),
        (-5, "mult_adds", "must not be negative"),
        (-0.5, "mult_adds", "must not be negative"),
        (0, "mult_adds", "must be greater than 0"),
        ("0M", "mult_adds", "must be greater than 0"),
        ("0.4", "mult_adds", "at least 1 once rounded down"),
        (float("nan"), "mult_adds", "finite"),
        (float("inf"), "mult_adds", "finite"),
        ("nan", "mult_adds", "finite"),
        ("-inf", "mult_adds", "finite"),
        (True, "mult_adds", "got true"),
        (False, "mult_adds", "got false"),
        (None, "mult_adds", "got null"),
        ([1], "mult_adds", "got a list"),
        ("", "mult_adds", "must be a number with an optional unit"),
        ("1,5M", "mult_adds", "must be a number with an optional unit"),
        ("1__0", "mult_adds", "must be a number with an optional unit"),
        ("M", "mult_adds", "must be a number with an optional unit"),
        ("1e999999", "mult_adds", "exponent out of range"),
        ("1e30", "mult_adds", "unreasonably large"),
        (10**30, "mult_adds", "unreasonably large"),
    ])
    def test_refuses(self, value, metric, message):
        with pytest.raises(ValueError) as info:
            budget.parse_quantity(value, metric)
        assert message in str(info.value)

    @pytest.mark.parametrize("value, expected", [
        (0, Fraction(0)), (1, Fraction(1)), (0.5, Fraction(1, 2)), ("0.5%", Fraction(1, 2)),
        ("2", Fraction(2)), ("0.1", Fraction(1, 10)),
    ])
    def test_percent(self, value, expected):
        assert budget.parse_percent(value) == expected

    @pytest.mark.parametrize("value", [-1, "-0.5%", True, None, float("nan"), "abc", "1 %%"])
    def test_percent_refuses(self, value):
        with pytest.raises(ValueError):
            budget.parse_percent(value)


class TestBudgetFileErrors:
    """Every malformed budget names file, line and field (a BudgetError, so exit 2)."""

    def test_bad_unit_points_at_its_line(self):
        err = parse_error("""
            budgets:
              - name: half
                alpha: 0.5
                limits:
                  mult_adds: 80X
            """)
        assert (err.file, err.line, err.field) == ("budgets.yaml", 5, "budgets[0].limits.mult_adds")
        assert str(err).startswith("budgets.yaml:5: budgets[0].limits.mult_adds: unknown unit")

    def test_unknown_metric_suggests(self):
        err = parse_error("""
            budgets:
              - name: half
                limits:
                  mult_adds: 80M
                  mult_add: 80M
            """)
        assert (err.line, err.field) == (5, "budgets[0].limits.mult_add")
        assert "unknown metric (did you mean 'mult_adds'?)" in err.message

    def test_unknown_variant_lists_declared(self):
        err = parse_error("""
            budgets:
              - name: half
                variant: deep
                limits: {mult_adds: 80M}
            """)
        assert (err.line, err.field) == (3, "budgets[0].variant")
        assert "unknown variant 'deep'" in err.message and "separable, standard, shallow" \
            in err.message

    def test_negative_limit_in_mapping_form_points_at_max(self):
        err = parse_error("""
            budgets:
              - name: half
                limits:
                  params:
                    level: warn
                    max: -1.4M
            """)
        assert (err.line, err.field) == (6, "budgets[0].limits.params.max")
        assert "must not be negative" in err.message

    def test_yaml_syntax_error_has_a_line(self):
        err = parse_error("budgets:\n  - name: a\n    limits: {mult_adds: 1M\n  - name: b\n")
        assert err.file == "budgets.yaml" and err.line == 4
        assert "invalid YAML" in err.message

    @pytest.mark.parametrize("text, line, field, message", [
        ("budgets:\n  - name: a\n    limits: {mult_adds: {max: 1M, level: fatal}}\n",
         3, "budgets[0].limits.mult_adds.level", "must be one of error, warn"),
        ("budgets:\n  - name: a\n    limits:\n      mult_adds: {level: warn}\n",
         4, "budgets[0].limits.mult_adds.max", "is required"),
        ("budgets:\n  - name: a\n    limits:\n      params: {max: 1M, lvl: warn}\n",
         4, "budgets[0].limits.params.lvl", "did you mean 'level'?"),
        ("budgets:\n  - name: a\n    limits: {}\n", 3, "budgets[0].limits",
         "must set at least one of"),
        ("budgets:\n  - name: a\n    alpha: 0.5\n", 2, "budgets[0].limits", "is required"),
        ("budgets:\n  - alpha: 0.5\n    limits: {params: 1M}\n", 2, "budgets[0].name",
         "is required"),
        ("budgets: []\n", 1, "budgets", "must not be empty"),
        ("budget:\n  - name: a\n", 1, "budget", "did you mean 'budgets'?"),
        ("budgets:\n  - name: a\n    limits: {params: 1M}\n  - name: a\n    limits: {params: 2M}\n",
         4, "budgets[1].name", "duplicate budget name 'a' (first on line 2)"),
        ("budgets:\n  - name: a b\n    limits: {params: 1M}\n", 2, "budgets[0].name",
         "letters, digits"),
        ("budgets:\n  - name: a\n    resolution: 160\n    rho: 0.5\n    limits: {params: 1M}\n",
         4, "budgets[0].rho", "either resolution or rho"),
        ("budgets:\n  - name: a\n    resolution: 0\n    limits: {params: 1M}\n",
         3, "budgets[0].resolution", "positive integer"),
        ("budgets:\n  - name: a\n    alpha: 0\n    limits: {params: 1M}\n",
         3, "budgets[0].alpha", "greater than 0"),
        ("budgets:\n  - name: a\n    alpha: [1]\n    limits: {params: 1M}\n",
         3, "budgets[0].alpha", "must be a number"),
        ("budgets:\n  - name: a\n    tolerance: -1\n    limits: {params: 1M}\n",
         3, "budgets[0].tolerance", "must not be negative"),
        ("budgets:\n  - name: a\n    dtype: fp8\n    limits: {params: 1M}\n",
         3, "budgets[0].dtype", "float32, float16"),
        ("budgets:\n  - name: a\n    params_convention: weights\n    limits: {params: 1M}\n",
         3, "budgets[0].params_convention", "paper, trainable, all"),
        ("budgets:\n  - name: a\n    flops: 1M\n    limits: {params: 1M}\n",
         3, "budgets[0].flops", "unknown key"),
        ("budgets:\n  - name: a\n    spec: nets/missing.yaml\n    limits: {params: 1M}\n",
         3, "budgets[0].spec", "no such spec file"),
        ("defaults:\n  variant: deep\nbudgets:\n  - name: a\n    limits: {params: 1M}\n",
         2, "defaults.variant", "unknown variant 'deep'"),
        ("defaults:\n  tolerance: lots\nbudgets:\n  - name: a\n    limits: {params: 1M}\n",
         2, "defaults.tolerance", "percentage"),
        ("defaults:\n  limits: {params: 1M}\nbudgets:\n  - name: a\n    limits: {params: 1M}\n",
         2, "defaults.limits", "unknown key"),
        ("budgets:\n  - name: a\n    limits:\n      mult_adds: 1M\n      mult_adds: 2M\n",
         5, None, "duplicate key 'mult_adds' (first on line 4)"),
        ("budgets:\n  - name: a\n    limits: {weight_bytes: 2 MiB, mult_adds: 2 MiB}\n",
         3, "budgets[0].limits.mult_adds", "byte unit"),
        ("budgets:\n  - name: a\n    limits: {params: true}\n", 3, "budgets[0].limits.params",
         "got true"),
        ("budgets:\n  - name: a\n    limits: {params: .nan}\n", 3, "budgets[0].limits.params",
         "finite"),
        ("budgets:\n  - name: a\n    limits: {params: 0}\n", 3, "budgets[0].limits.params",
         "greater than 0"),
        ("- name: a\n", 1, None, "must be a mapping"),
    ])
    def test_located(self, text, line, field, message):
        err = parse_error(text)
        assert err.line == line, str(err)
        assert err.field == field, str(err)
        assert message in err.message, str(err)
        assert isinstance(err, SpecError)  # BudgetError is a SpecError: same rendering

    def test_empty_file(self):
        err = parse_error("")
        assert err.line is None and "is empty" in err.message

    def test_error_inside_a_referenced_spec_names_that_spec(self, tmp_path):
        (tmp_path / "net.yaml").write_text("model: X\ninput: {resolution: 32}\nlayers:\n"
                                           "  - {kind: conv, out: 0}\n", encoding="utf-8")
        with pytest.raises(SpecError) as info:
            parse_text("budgets:\n  - name: a\n    spec: net.yaml\n    limits: {params: 1}\n",
                       base_dir=tmp_path)
        assert info.value.file.endswith("net.yaml") and info.value.line == 4
        assert info.value.field == "layers[0].out"


class TestSchema:
    """Defaults, per-entry overrides, specs relative to the budget file."""

    def test_defaults_and_overrides(self):
        parsed = parse_text("""
            defaults:
              dtype: int8
              tolerance: 2
              params_convention: paper
            budgets:
              - name: a
                alpha: 0.5
                resolution: 160
                limits:
                  params: 1.4M
                  weight_bytes: {max: 2 MiB, level: warn, tolerance: 0.25}
              - name: b
                dtype: float16
                tolerance: 0
                rho: 0.5
                variant: shallow
                limits: {mult_adds: 100M}
            """)
        a, b = parsed.entries
        assert a.config.dtype == "int8" and a.config.params_convention == "paper"
        assert (a.config.alpha, a.config.resolution, a.config.variant) == (0.5, 160, "separable")
        params, weights = a.limits
        assert (params.metric, params.max, params.level, params.tolerance) == \
            ("params", 1_400_000, "error", Fraction(2))
        assert (weights.max, weights.level, weights.tolerance) == \
            (2 * 2**20, "warn", Fraction(1, 4))
        assert (params.line, weights.line) == (10, 11)
        assert b.config.dtype == "float16" and b.limits[0].tolerance == 0
        assert (b.config.resolution, b.config.variant) == (112, "shallow")  # 224 · 0.5

    def test_entry_resolution_replaces_default_rho(self):
        parsed = parse_text("""
            defaults: {rho: 0.5}
            budgets:
              - {name: a, limits: {params: 1M}}
              - {name: b, resolution: 160, limits: {params: 1M}}
            """)
        assert [e.config.resolution for e in parsed.entries] == [112, 160]

    def test_spec_is_relative_to_the_budget_file(self, tmp_path, tiny_conv_spec):
        (tmp_path / "nets").mkdir()
        shutil.copy(tiny_conv_spec, tmp_path / "nets" / "tiny.yaml")
        path = tmp_path / "budgets.yaml"
        path.write_text("defaults: {spec: nets/tiny.yaml}\nbudgets:\n"
                        "  - {name: tiny, limits: {mult_adds: 1M}}\n", encoding="utf-8")
        parsed = budget.load(path)
        (entry,) = parsed.entries
        assert entry.network.model == "Tiny" and entry.config.spec == "nets/tiny.yaml"
        result = budget.check(parsed)
        # conv 3×3×3×8 on a 16×16 output, then fc 8 → 10
        assert result.results[0].actual == 3 * 3 * 3 * 8 * 16 * 16 + 8 * 10

    def test_builtin_spec_by_name(self):
        (entry,) = parse_text("budgets:\n  - {name: a, spec: mobilenet_v1, limits: "
                              "{params: 5M}}\n").entries
        assert entry.network.model == "MobileNet v1" and entry.config.spec == "mobilenet_v1"

    def test_shipped_example_parses_and_passes_with_headroom(self):
        path = Path(budget.__file__).parent.parent / "configs" / "budgets.yaml"
        result = budget.check(budget.load(path))
        assert result.ok and not result.warnings
        assert len(result.budget.entries) >= 4
        for r in result.results:
            assert Fraction(2) <= r.headroom <= Fraction(20), (r.name, r.metric, r.headroom)


def one_entry(limits: str, **model) -> budget.BudgetFile:
    settings = "".join(f"    {k}: {v}\n" for k, v in model.items())
    return parse_text(f"budgets:\n  - name: m\n{settings}    limits:\n{limits}")


class TestEvaluation:
    """Exact comparisons: equal passes, one over fails; warn never fails the check."""

    HALF = mobilenet_costs(Fraction(1, 2), 160)

    def test_limit_equal_to_actual_passes(self):
        result = budget.check(one_entry(f"      mult_adds: {self.HALF['mult_adds']}\n",
                                        alpha=0.5, resolution=160))
        (r,) = result.results
        assert r.actual == self.HALF["mult_adds"] and r.ok and result.ok
        assert r.headroom == 0 and r.status == "ok"

    def test_limit_one_below_actual_fails(self):
        result = budget.check(one_entry(f"      mult_adds: {self.HALF['mult_adds'] - 1}\n",
                                        alpha=0.5, resolution=160))
        (r,) = result.results
        assert not r.ok and not result.ok and r.status == "fail" and r.reason == "limit"
        assert result.failures == (r,)
        assert budget.describe(r).startswith(f"m mult_adds: {self.HALF['mult_adds']:,} "
                                             "exceeds the error limit")

    def test_warn_limit_exceeded_is_a_warning(self):
        result = budget.check(one_entry("      params: {max: 1.3M, level: warn}\n",
                                        alpha=0.5, resolution=160))
        (r,) = result.results
        assert r.actual == self.HALF["params"] > 1_300_000
        assert result.ok and r.status == "warn" and result.warnings == (r,)

    @pytest.mark.parametrize("metric, expected", [
        ("mult_adds", HALF["mult_adds"]),
        ("params", HALF["params"]),
        ("weight_bytes", 1 * HALF["params"]),          # int8: one byte per parameter
        ("peak_activation_bytes", 1 * HALF["peak_elements"]),
    ])
    def test_every_metric(self, metric, expected):
        result = budget.check(one_entry(f"      {metric}: {expected}\n", alpha=0.5,
                                        resolution=160, dtype="int8"))
        assert result.results[0].actual == expected and result.ok

    def test_params_convention_paper_counts_weights_only(self):
        result = budget.check(one_entry("      params: 4209088\n", params_convention="paper"))
        assert result.results[0].actual == 4_209_088 and result.ok  # PAPER.md


def baseline_for(entry_name: str, **metrics: int) -> budget.Baseline:
    return budget.Baseline(source="base.json", entries={
        entry_name: budget.BaselineEntry(config={}, metrics=metrics)})


class TestBaselineComparison:
    """Growth past baseline + tolerance fails even under the limit; the arithmetic is exact."""

    @pytest.mark.parametrize("baseline, tolerance, ok", [
        (1_000_000, "1", True),        # actual 1,010,000 = +1.0% exactly: allowed
        (1_000_001, "1", True),
        (999_999, "1", False),         # +1.0000010%: past 1%
        (1_010_000, "0", True),        # no growth
        (1_009_999, "0", False),       # one more than the baseline at zero tolerance
        (1_000_000, "0.99", False),
    ])
    def test_tolerance_boundary(self, baseline, tolerance, ok):
        entry = one_entry(f"      params: {{max: 2M, tolerance: {tolerance}}}\n").entries[0]
        report = _fake_report(params=1_010_000)
        (r,) = budget.evaluate_entry(entry, report,
                                     budget.BaselineEntry(config={}, metrics={"params": baseline}))
        assert r.within_limit and r.ok is ok
        assert r.reason == (None if ok else "growth")

    def test_growth_fails_under_the_limit_and_reports_growth(self):
        half = mobilenet_costs(Fraction(1, 2), 160)["mult_adds"]
        parsed = one_entry("      mult_adds: 100M\n", alpha=0.5, resolution=160)
        base = baseline_for("m", mult_adds=half * 100 // 110)   # actual is ~10% more
        result = budget.check(parsed, base)
        (r,) = result.results
        assert r.within_limit and not r.ok and r.status == "fail" and r.reason == "growth"
        assert Fraction(9) < r.growth < Fraction(11)
        assert "grew +10.0% from the baseline" in budget.describe(r)

    def test_growth_not_enforced_when_updating(self):
        parsed = one_entry("      mult_adds: 100M\n", alpha=0.5, resolution=160)
        result = budget.check(parsed, baseline_for("m", mult_adds=1), enforce_growth=False)
        assert result.ok and result.results[0].grew_past_tolerance

    def test_growth_of_a_warn_limit_warns(self):
        parsed = one_entry("      mult_adds: {max: 100M, level: warn}\n", alpha=0.5,
                           resolution=160)
        result = budget.check(parsed, baseline_for("m", mult_adds=1))
        assert result.ok and result.results[0].status == "warn"

    def test_new_entry_and_changed_config_are_noted(self):
        parsed = parse_text("budgets:\n  - {name: a, limits: {params: 5M}}\n"
                            "  - {name: b, dtype: int8, limits: {params: 5M}}\n")
        base = budget.Baseline("base.json", {"b": budget.BaselineEntry(
            config={**parsed.entries[1].config.as_dict(), "dtype": "float32"},
            metrics={"params": 4_231_976})})
        result = budget.check(parsed, base)
        assert result.ok
        assert [r.baseline for r in result.results] == [None, 4_231_976]
        assert any("a: not in the baseline" in n for n in result.notes)
        assert any("b: the model configuration changed" in n and "dtype" in n
                   for n in result.notes)


def _fake_report(**values: int):
    """A stand-in Report with given totals, for exact boundary arithmetic."""
    class Fake:
        mult_adds = values.get("mult_adds", 1)
        params = values.get("params", 1)
        weight_bytes = values.get("weight_bytes", 1)
        peak_activation_bytes = values.get("peak_activation_bytes", 1)
    return Fake()


class TestBaselineFiles:
    """Baselines are read strictly and written atomically."""

    def test_round_trip(self, tmp_path):
        parsed = parse_text("budgets:\n  - {name: half, alpha: 0.5, resolution: 160, "
                            "limits: {params: 1.4M}}\n")
        result = budget.check(parsed)
        path = tmp_path / "base.json"
        assert budget.write_atomic(path, budget.baseline_json(result)) is True
        data = json.loads(path.read_text(encoding="utf-8"))
        half = mobilenet_costs(Fraction(1, 2), 160)
        assert data["mncost_baseline"] == 1
        assert data["entries"]["half"]["metrics"] == {
            "mult_adds": half["mult_adds"], "params": half["params"],
            "weight_bytes": 4 * half["params"],
            "peak_activation_bytes": 4 * half["peak_elements"]}
        assert data["entries"]["half"]["model"]["resolution"] == 160
        loaded = budget.load_baseline(path)
        assert loaded.entries["half"].metrics["params"] == half["params"]
        assert budget.check(parsed, loaded).results[0].growth == 0

    def test_unchanged_content_is_not_rewritten(self, tmp_path):
        path = tmp_path / "base.json"
        assert budget.write_atomic(path, "x\n") is True
        before = path.stat().st_mtime_ns
        os.utime(path, ns=(before - 10**9, before - 10**9))
        assert budget.write_atomic(path, "x\n") is False
        assert path.stat().st_mtime_ns == before - 10**9

    def test_replace_keeps_mode_and_leaves_no_temporary_file(self, tmp_path):
        path = tmp_path / "base.json"
        path.write_text("old\n", encoding="utf-8")
        os.chmod(path, 0o640)
        assert budget.write_atomic(path, "new\n") is True
        assert path.read_text(encoding="utf-8") == "new\n"
        assert stat.S_IMODE(path.stat().st_mode) == 0o640
        assert sorted(p.name for p in tmp_path.iterdir()) == ["base.json"]

    def test_write_failure_is_a_budget_error_and_cleans_up(self, tmp_path, monkeypatch):
        path = tmp_path / "base.json"
        path.write_text("old\n", encoding="utf-8")

        def refuse(src, dst):
            raise PermissionError(13, "Permission denied")
        monkeypatch.setattr(budget.os, "replace", refuse)
        with pytest.raises(BudgetError, match="cannot write baseline: Permission denied"):
            budget.write_atomic(path, "new\n")
        assert path.read_text(encoding="utf-8") == "old\n"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["base.json"]

    @pytest.mark.parametrize("text, message", [
        ("{", "invalid JSON"),
        ("[]", "is not an mncost baseline"),
        ('{"mncost_baseline": 2, "entries": {}}', "is not an mncost baseline"),
        ('{"mncost_baseline": 1}', "entries: must be a mapping"),
        ('{"mncost_baseline": 1, "entries": {"a": 1}}', "entries.a: must be a mapping"),
        ('{"mncost_baseline": 1, "entries": {"a": {"model": {}, "metrics": {"flops": 1}}}}',
         "entries.a.metrics.flops: unknown metric"),
        ('{"mncost_baseline": 1, "entries": {"a": {"model": {}, "metrics": {"params": 1.5}}}}',
         "entries.a.metrics.params: must be a non-negative integer"),
        ('{"mncost_baseline": 1, "entries": {"a": {"model": {}, "metrics": {"params": true}}}}',
         "must be a non-negative integer"),
        ('{"mncost_baseline": 1, "entries": {"a": {"metrics": {}}}}',
         "entries.a.model: must be a mapping"),
    ])
    def test_malformed_baseline(self, tmp_path, text, message):
        path = tmp_path / "base.json"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(BudgetError) as info:
            budget.load_baseline(path)
        assert message in str(info.value) and str(path) in str(info.value)

    def test_json_error_has_a_line(self, tmp_path):
        path = tmp_path / "base.json"
        path.write_text('{\n  "mncost_baseline": 1,\n  "entries": {,}\n}\n', encoding="utf-8")
        with pytest.raises(BudgetError) as info:
            budget.load_baseline(path)
        assert info.value.line == 3
