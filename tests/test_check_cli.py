"""`mncost check`: exit codes as a contract, every output format, baselines that only move
after a fully successful run.

Actual costs are derived by hand from the paper's formulas (tests/test_budget.py's
``mobilenet_costs``), never read back from the engine.
"""

from __future__ import annotations

import json
import textwrap
import xml.etree.ElementTree as ET
from fractions import Fraction
from pathlib import Path

import pytest

import mncost
from test_budget import mobilenet_costs

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "mncost" / "configs" / "budgets.yaml"

HALF = mobilenet_costs(Fraction(1, 2), 160)     # 0.5 MobileNet-160
FULL = mobilenet_costs()                        # 1.0 MobileNet-224

# One failing error limit (line 6), one exceeded warn limit (line 8: the `max` key), one ok
# limit (line 11) and a second entry that passes (line 15).
MIXED = f"""\
defaults:
  tolerance: 1
budgets:
  - name: half
    alpha: 0.5
    resolution: 160
    limits:
      mult_adds: {HALF['mult_adds'] - 1}
      params:
        max: 1.3M
        level: warn
      weight_bytes: 6 MiB
  - name: full
    limits:
      mult_adds: 600M
"""
MIXED_LINES = {("half", "mult_adds"): 8, ("half", "params"): 10, ("half", "weight_bytes"): 12,
               ("full", "mult_adds"): 15}


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """Run in tmp_path so paths in messages are short and relative, as in a CI checkout."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(path: Path, text: str) -> str:
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path.name


def half_budget(limits: str, tolerance: str | None = None) -> str:
    extra = f"defaults:\n  tolerance: {tolerance}\n" if tolerance is not None else ""
    return (extra + "budgets:\n  - name: half\n    alpha: 0.5\n    resolution: 160\n"
            "    limits:\n" + textwrap.indent(textwrap.dedent(limits), "      "))


def assert_clean_error(result, *parts: str) -> None:
    """Exit 2, nothing on stdout, one 'Error:' line on stderr, no traceback."""
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr.count("Error:") == 1
    for part in parts:
        assert part in result.stderr, result.stderr


class TestExitCodes:
    """0 when every error-level limit holds, 1 when any is exceeded, 2 for bad input."""

    def test_limit_one_below_actual_fails_naming_entry_and_metric(self, invoke, workdir):
        name = write(workdir / "b.yaml", half_budget(f"mult_adds: {HALF['mult_adds'] - 1}\n"))
        result = invoke("check", name)
        assert result.exit_code == 1
        assert "half" in result.stdout and "mult_adds" in result.stdout
        assert "FAIL" in result.stdout
        assert f"half mult_adds: {HALF['mult_adds']:,} exceeds the error limit " \
               f"{HALF['mult_adds'] - 1:,} by 1" in result.stdout
        assert result.stderr.strip() == \
            "Error: budget check failed for half mult_adds (1 of 1 limits)"

    def test_limit_equal_to_actual_passes(self, invoke, workdir):
        name = write(workdir / "b.yaml", half_budget(
            f"mult_adds: {HALF['mult_adds']}\nparams: {HALF['params']}\n"))
        result = invoke("check", name)
        assert result.exit_code == 0, result.stderr
        assert "PASSED" in result.stdout and "FAIL" not in result.stdout
        assert result.stdout.count(" 0.0% ") == 2  # headroom of both rows
        assert result.stderr == ""

    def test_warn_limit_exceeded_passes_with_a_warning(self, invoke, workdir):
        name = write(workdir / "b.yaml", half_budget("params: {max: 1.3M, level: warn}\n"))
        result = invoke("check", name)
        assert result.exit_code == 0
        message = (f"half params: {HALF['params']:,} exceeds the warn limit 1,300,000 (1.3M) "
                   f"by {HALF['params'] - 1_300_000:,}")
        assert f"warning: {message}" in result.stdout
        json_run = invoke("check", name, "--format", "json")
        assert json_run.exit_code == 0 and json.loads(json_run.stdout)["ok"] is True
        assert f"Warning: {message}" in json_run.stderr

    def test_growth_past_baseline_plus_tolerance_fails_under_the_limit(self, invoke, workdir):
        name = write(workdir / "b.yaml", half_budget("mult_adds: 100M\n", tolerance="5"))
        baseline = HALF["mult_adds"] * 100 // 110        # the model is 10% bigger now
        (workdir / "base.json").write_text(json.dumps({"mncost_baseline": 1, "entries": {
            "half": {"model": {}, "metrics": {"mult_adds": baseline}}}}), encoding="utf-8")
        result = invoke("check", name, "--baseline", "base.json")
        assert result.exit_code == 1
        assert f"half mult_adds: {HALF['mult_adds']:,} grew +10.0% from the baseline " \
               f"{baseline:,}, past its tolerance 5%" in result.stdout
        (row,) = [line for line in result.stdout.splitlines() if line.startswith("│ half")]
        assert "+10.0%" in row and f"{baseline:,}" in row and "5%" in row
        assert "half mult_adds" in result.stderr

    def test_growth_within_tolerance_passes(self, invoke, workdir):
        name = write(workdir / "b.yaml", half_budget("mult_adds: 100M\n", tolerance="10"))
        baseline = HALF["mult_adds"] * 100 // 110 + 1
        (workdir / "base.json").write_text(json.dumps({"mncost_baseline": 1, "entries": {
            "half": {"model": {}, "metrics": {"mult_adds": baseline}}}}), encoding="utf-8")
        assert invoke("check", name, "--baseline", "base.json").exit_code == 0

    def test_shipped_budgets_pass(self, invoke):
        """Dogfood: the project's own configurations stay within configs/budgets.yaml."""
        result = invoke("check", str(SHIPPED), "--format", "json")
        assert result.exit_code == 0, result.stdout
        data = json.loads(result.stdout)
        assert data["ok"] is True and data["summary"]["warnings"] == 0
        by_key = {(r["name"], r["metric"]): r for r in data["results"]}
        assert by_key[("mobilenet-1.0-224", "mult_adds")]["actual"] == FULL["mult_adds"]
        assert by_key[("mobilenet-1.0-224", "mult_adds")]["limit"] == 600_000_000
        assert by_key[("mobilenet-0.5-160", "mult_adds")]["limit"] == 80_000_000
        assert by_key[("mobilenet-0.5-160", "params")]["limit"] == 1_400_000
        assert by_key[("mobilenet-0.5-160", "params")]["actual"] == HALF["params"]


MALFORMED = [
    # (name, text, expected "file:line: field: message" start)
    ("bad unit", half_budget("mult_adds: 80X\n"),
     "b.yaml:6: budgets[0].limits.mult_adds: unknown unit 'X'"),
    ("unknown metric", half_budget("mult_adds: 80M\nflops: 80M\n"),
     "b.yaml:7: budgets[0].limits.flops: unknown metric"),
    ("unknown variant", "budgets:\n  - name: a\n    variant: deep\n    limits: {params: 1M}\n",
     "b.yaml:3: budgets[0].variant: unknown variant 'deep'"),
    ("negative limit", half_budget("params: -1.4M\n"),
     "b.yaml:6: budgets[0].limits.params: must not be negative"),
    ("negative in mapping", half_budget("params:\n  level: warn\n  max: -5\n"),
     "b.yaml:8: budgets[0].limits.params.max: must not be negative"),
    ("yaml error", "budgets:\n  - name: a\n    limits: [1\n  - name: b\n",
     "b.yaml:4: invalid YAML"),
    ("byte unit on a count", half_budget("mult_adds: 2 MiB\n"),
     "b.yaml:6: budgets[0].limits.mult_adds: 'MiB' is a byte unit"),
    ("nan", half_budget("mult_adds: .nan\n"), "b.yaml:6: budgets[0].limits.mult_adds: must be "
                                              "a finite number"),
    ("bool", half_budget("mult_adds: yes\n"), "b.yaml:6: budgets[0].limits.mult_adds: must be "
                                              "a number or a string"),
    ("bad level", half_budget("params: {max: 1M, level: fatal}\n"),
     "b.yaml:6: budgets[0].limits.params.level: must be one of error, warn"),
    ("unknown key", "budgets:\n  - name: a\n    alfa: 0.5\n    limits: {params: 1M}\n",
     "b.yaml:3: budgets[0].alfa: unknown key (did you mean 'alpha'?)"),
    ("missing limits", "budgets:\n  - name: a\n", "b.yaml:2: budgets[0].limits: is required"),
    ("duplicate name", "budgets:\n  - {name: a, limits: {params: 1M}}\n"
                       "  - {name: a, limits: {params: 1M}}\n",
     "b.yaml:3: budgets[1].name: duplicate budget name 'a'"),
    ("negative tolerance", "defaults: {tolerance: -1}\nbudgets:\n  - {name: a, limits: "
                           "{params: 1M}}\n", "b.yaml:1: defaults.tolerance: must not be "
                                              "negative"),
    ("missing spec", "budgets:\n  - name: a\n    spec: nets/x.yaml\n    limits: {params: 1M}\n",
     "b.yaml:3: budgets[0].spec: no such spec file"),
    ("empty", "", "b.yaml: is empty"),
    ("not a mapping", "- 1\n", "b.yaml:1: must be a mapping"),
]


class TestMalformedBudgets:
    """Bad budget files exit 2 with file:line and field, and print no report."""

    @pytest.mark.parametrize("text, expected", [(t, e) for _, t, e in MALFORMED],
                             ids=[n for n, _, _ in MALFORMED])
    def test_exit_2_with_location(self, invoke, workdir, text, expected):
        (workdir / "b.yaml").write_text(text, encoding="utf-8")
        result = invoke("check", "b.yaml")
        assert_clean_error(result, f"Error: {expected}")

    def test_missing_budget_file(self, invoke, workdir):
        assert_clean_error(invoke("check", "nope.yaml"), "Error: nope.yaml: no such file")

    def test_update_baseline_needs_baseline(self, invoke, workdir):
        result = invoke("check", str(SHIPPED), "--update-baseline")
        assert result.exit_code == 2 and "--update-baseline needs --baseline FILE" in \
            result.stderr

    def test_missing_baseline_without_update(self, invoke, workdir):
        result = invoke("check", str(SHIPPED), "--baseline", "base.json")
        assert result.exit_code == 2 and "create it with --update-baseline" in result.stderr

    def test_bad_format(self, invoke, workdir):
        result = invoke("check", str(SHIPPED), "--format", "csv")
        assert result.exit_code == 2 and "Invalid value" in result.stderr


class TestFormats:
    """Every format carries the same results: one per entry × metric."""

    @pytest.fixture
    def mixed(self, workdir):
        return write(workdir / "budgets.yaml", MIXED)

    def test_rich(self, invoke, mixed):
        result = invoke("check", mixed)
        assert result.exit_code == 1
        out = result.stdout
        for header in ("Budget", "Metric", "Actual", "Limit", "Headroom", "Status"):
            assert header in out
        rows = [line for line in out.splitlines() if line.startswith("│")
                and any(f" {m} " in line for m in ("mult_adds", "params", "weight_bytes"))]
        assert len(rows) == 4
        assert "│ half " in rows[0] and "separable α=0.5 160px" in rows[1]
        assert "trainable · float32" in rows[2]
        assert f"{HALF['mult_adds']:,}" in rows[0] and "FAIL" in rows[0] and "-<0.1%" in rows[0]
        assert "1,300,000 (1.3M)" in rows[1] and "warn" in rows[1]
        assert "6,291,456 (6 MiB)" in rows[2] and "ok" in rows[2]
        headroom = Fraction(100 * (600_000_000 - FULL["mult_adds"]), 600_000_000)
        assert f"{float(headroom):.1f}%" in rows[3] and "full" in rows[3]
        assert "FAILED: 2 budgets, 4 limits: 2 ok, 1 warning, 1 failed" in out
        assert "\x1b[" not in out

    def test_json_is_printed_on_failure(self, invoke, mixed):
        result = invoke("check", mixed, "--format", "json")
        assert result.exit_code == 1
        data = json.loads(result.stdout)
        assert data["ok"] is False
        rows = [(r["name"], r["metric"], r["actual"], r["limit"], r["level"], r["baseline"],
                 r["ok"]) for r in data["results"]]
        assert rows == [
            ("half", "mult_adds", HALF["mult_adds"], HALF["mult_adds"] - 1, "error", None, False),
            ("half", "params", HALF["params"], 1_300_000, "warn", None, False),
            ("half", "weight_bytes", 4 * HALF["params"], 6 * 2**20, "error", None, True),
            ("full", "mult_adds", FULL["mult_adds"], 600_000_000, "error", None, True),
        ]
        for r in data["results"]:
            assert type(r["actual"]) is int and type(r["limit"]) is int
            assert r["line"] == MIXED_LINES[(r["name"], r["metric"])]
        assert [r["status"] for r in data["results"]] == ["fail", "warn", "ok", "ok"]
        assert data["summary"] == {"limits": 4, "ok": 2, "warnings": 1, "failures": 1}

    def test_markdown(self, invoke, mixed):
        result = invoke("check", mixed, "--format", "markdown")
        assert result.exit_code == 1
        out = result.stdout
        assert out.startswith("### mncost check · budgets.yaml · failed\n")
        assert "| Budget | Model | Metric | Actual | Limit | Level | Headroom | Status |" in out
        table_rows = [line for line in out.splitlines() if line.startswith("| ")][1:]
        assert len(table_rows) == 4
        assert "❌ fail" in table_rows[0] and "⚠️ warn" in table_rows[1]
        assert "✅ ok" in table_rows[2]
        assert "**❌ failed** — 2 budgets, 4 limits: 2 ok, 1 warning, 1 failed" in out
        assert f"- ❌ half mult_adds: {HALF['mult_adds']:,} exceeds" in out

    def test_github_workflow_commands_carry_line_numbers(self, invoke, mixed):
        result = invoke("check", mixed, "--format", "github")
        assert result.exit_code == 1
        lines = result.stdout.splitlines()
        commands = [line for line in lines if line.startswith("::")]
        assert len(commands) == 2
        error, warning = commands
        assert error.startswith(f"::error file=budgets.yaml,line={MIXED_LINES[('half', 'mult_adds')]},"
                                "title=mncost budget exceeded%3A half mult_adds::")
        assert f"half mult_adds: {HALF['mult_adds']:,} exceeds the error limit" in error
        assert "%25" in error and "%" not in error.replace("%25", "").replace("%3A", "")
        assert warning.startswith(f"::warning file=budgets.yaml,line={MIXED_LINES[('half', 'params')]},")
        assert lines[-1].startswith("mncost check budgets.yaml: failed")

    def test_github_growth_points_at_the_limit_line(self, invoke, workdir):
        name = write(workdir / "b.yaml", "budgets:\n  - name: full\n    limits:\n"
                                         "      params: 5M\n      mult_adds:\n"
                                         "        max: 600M\n")
        (workdir / "base.json").write_text(json.dumps({"mncost_baseline": 1, "entries": {
            "full": {"model": {}, "metrics": {"mult_adds": 1, "params": 1}}}}),
            encoding="utf-8")
        result = invoke("check", name, "--baseline", "base.json", "--format", "github")
        assert result.exit_code == 1
        commands = [line for line in result.stdout.splitlines() if line.startswith("::")]
        assert [c.split("::")[1].split(",title=")[0] for c in commands] == \
            ["error file=b.yaml,line=4", "error file=b.yaml,line=6"]
        assert all("grew past baseline" in c for c in commands)

    def test_junit_parses_with_one_case_per_entry_and_metric(self, invoke, mixed):
        result = invoke("check", mixed, "--format", "junit")
        assert result.exit_code == 1
        root = ET.fromstring(result.stdout.encode("utf-8"))
        assert root.tag == "testsuites"
        assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("4", "1", "0")
        suites = root.findall("testsuite")
        assert [s.get("name") for s in suites] == ["half", "full"]
        cases = root.iter("testcase")
        seen = {}
        for case in cases:
            name = case.get("classname").removeprefix("mncost.check.")
            seen[(name, case.get("name"))] = case
            assert case.get("file") == "budgets.yaml"
            assert int(case.get("line")) == MIXED_LINES[(name, case.get("name"))]
        assert set(seen) == set(MIXED_LINES)
        failure = seen[("half", "mult_adds")].find("failure")
        assert failure is not None and "exceeds the error limit" in failure.get("message")
        assert f"actual: {HALF['mult_adds']}" in failure.text
        for key in (("half", "params"), ("half", "weight_bytes"), ("full", "mult_adds")):
            assert seen[key].find("failure") is None
        assert seen[("half", "params")].find("system-out").text.startswith("WARNING: ")
        assert "Warning: half params" in result.stderr

    def test_passing_run_in_every_format(self, invoke):
        for fmt in ("rich", "json", "markdown", "github", "junit"):
            result = invoke("check", str(SHIPPED), "--format", fmt)
            assert result.exit_code == 0, (fmt, result.stderr)
            assert result.stderr == ""
        root = ET.fromstring(invoke("check", str(SHIPPED), "-f", "junit").stdout.encode())
        assert root.get("failures") == "0" and int(root.get("tests")) >= 10
        assert "::" not in invoke("check", str(SHIPPED), "-f", "github").stdout


class TestBaselineUpdates:
    """--update-baseline writes atomically, and only after a fully successful run."""

    def snapshot(self, directory: Path) -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}

    def test_update_then_compare(self, invoke, workdir):
        name = write(workdir / "b.yaml", half_budget("mult_adds: 80M\nparams: 1.4M\n"))
        result = invoke("check", name, "--baseline", "base.json", "--update-baseline")
        assert result.exit_code == 0 and "Baseline base.json updated." in result.stderr
        data = json.loads((workdir / "base.json").read_text(encoding="utf-8"))
        assert data["entries"]["half"]["metrics"]["mult_adds"] == HALF["mult_adds"]
        assert data["entries"]["half"]["metrics"]["params"] == HALF["params"]
        again = invoke("check", name, "--baseline", "base.json", "--format", "json")
        assert again.exit_code == 0
        rows = json.loads(again.stdout)["results"]
        assert [(r["baseline"], r["growth_percent"]) for r in rows] == \
            [(HALF["mult_adds"], 0.0), (HALF["params"], 0.0)]
        same = invoke("check", name, "--baseline", "base.json", "--update-baseline")
        assert "unchanged" in same.stderr

    def test_update_accepts_growth_under_the_limit(self, invoke, workdir):
        name = write(workdir / "b.yaml", half_budget("mult_adds: 80M\n"))
        (workdir / "base.json").write_text(json.dumps({"mncost_baseline": 1, "entries": {
            "half": {"model": {}, "metrics": {"mult_adds": 1000}}}}), encoding="utf-8")
        result = invoke("check", name, "--baseline", "base.json", "--update-baseline")
        assert result.exit_code == 0
        assert "accepted: updating the baseline" in result.stdout
        data = json.loads((workdir / "base.json").read_text(encoding="utf-8"))
        assert data["entries"]["half"]["metrics"]["mult_adds"] == HALF["mult_adds"]

    @pytest.mark.parametrize("case", ["limit exceeded", "invalid budget", "growth",
                                      "invalid baseline"])
    def test_baseline_survives_a_failed_or_invalid_run_byte_for_byte(self, invoke, workdir,
                                                                       case):
        if case == "invalid baseline":
            original = b'{"mncost_baseline": 1, "entries": {"half": 3}}\n'
        else:
            original = (b'{\n  "mncost_baseline": 1,\n  "entries": {"half": {"model": {}, '
                        b'"metrics": {"mult_adds": 1000}}}\n}\n')
        (workdir / "base.json").write_bytes(original)
        limits = {"limit exceeded": f"mult_adds: {HALF['mult_adds'] - 1}\n",
                  "invalid budget": "mult_adds: 80X\n",
                  "growth": "mult_adds: 80M\n",
                  "invalid baseline": "mult_adds: 80M\n"}[case]
        name = write(workdir / "b.yaml", half_budget(limits))
        before = self.snapshot(workdir)
        flags = [] if case == "growth" else ["--update-baseline"]
        result = invoke("check", name, "--baseline", "base.json", *flags)
        assert result.exit_code == (1 if case in ("limit exceeded", "growth") else 2)
        assert (workdir / "base.json").read_bytes() == original
        assert self.snapshot(workdir) == before      # and no temporary file left behind
        if case == "limit exceeded":
            assert "Baseline base.json not updated: the check failed." in result.stderr

    def test_first_update_creates_the_file(self, invoke, workdir):
        name = write(workdir / "b.yaml", half_budget("params: 1.4M\n"))
        result = invoke("check", name, "--baseline", "sub/base.json", "--update-baseline")
        assert result.exit_code == 2 and "cannot write baseline" in result.stderr
        (workdir / "sub").mkdir()
        assert invoke("check", name, "--baseline", "sub/base.json",
                      "--update-baseline").exit_code == 0
        assert (workdir / "sub" / "base.json").is_file()
        assert sorted(p.name for p in (workdir / "sub").iterdir()) == ["base.json"]


def test_help_teaches_with_examples(invoke):
    out = invoke("check", "--help").stdout
    assert "Examples:" in out and "--update-baseline" in out and "Exit codes" in out


class TestDocs:
    """docs/check.md and the README section say what the command does."""

    DOCS = ROOT / "docs" / "check.md"
    README = ROOT / "README.md"

    @staticmethod
    def yaml_blocks(path: Path) -> list[str]:
        import re
        return re.findall(r"```yaml\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.S)

    def test_docs_cover_the_command(self):
        docs = self.DOCS.read_text(encoding="utf-8")
        for word in ("params_convention", "tolerance", "level", "--update-baseline",
                     "--format", "::error", "JUnit", "pre-commit", "runs-on", "Exit codes",
                     "os.replace", "rounded down"):
            assert word in docs, word
        readme = self.README.read_text(encoding="utf-8")
        readme = readme.split("### `mncost check`", 1)[1].split("\n### ", 1)[0]
        for word in ("runs-on", "mncost-check", "Exit codes", "--update-baseline"):
            assert word in readme, word

    def test_schema_example_is_valid(self, tmp_path):
        from mncost.core import budget
        from mncost.core import spec
        example = next(b for b in self.yaml_blocks(self.DOCS) if b.startswith("defaults:"))
        (tmp_path / "nets").mkdir()
        (tmp_path / "nets" / "my_mobilenet.yaml").write_bytes(
            spec.builtin_spec_path().read_bytes())
        (tmp_path / "budgets.yaml").write_text(example, encoding="utf-8")
        parsed = budget.load(tmp_path / "budgets.yaml")
        limits = {lim.metric: lim for lim in parsed.entries[0].limits}
        assert limits["weight_bytes"].level == "warn"
        assert limits["peak_activation_bytes"].max == 3 * 2**19
        assert budget.check(parsed).results[0].actual == HALF["mult_adds"]

    def test_readme_example_passes(self, invoke, workdir):
        example = next(b for b in self.yaml_blocks(self.README)
                       if b.startswith("defaults:"))
        (workdir / "budgets.yaml").write_text(example, encoding="utf-8")
        result = invoke("check", "budgets.yaml", "--format", "json")
        assert result.exit_code == 0, result.stdout
        assert [r["actual"] for r in json.loads(result.stdout)["results"]] == \
            [HALF["mult_adds"], HALF["params"], HALF["peak_elements"]]  # int8: 1 byte each

    def test_pre_commit_manifest(self):
        import yaml
        (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
        assert hook["id"] == "mncost-check" and hook["entry"] == "mncost check"
        assert hook["language"] == "python" and hook["pass_filenames"] is False
        assert hook["args"] == ["configs/budgets.yaml"]


def test_github_format_annotates_a_malformed_budget(invoke, workdir):
    (workdir / "b.yaml").write_text(half_budget("mult_adds: 80X\n"), encoding="utf-8")
    result = invoke("check", "b.yaml", "--format", "github")
    assert result.exit_code == 2
    assert result.stdout.startswith("::error file=b.yaml,line=6,title=mncost check%3A invalid "
                                    "input::budgets[0].limits.mult_adds: unknown unit 'X'")
    assert result.stderr.count("Error:") == 1


class TestPeerToolLimits:
    """A budget can limit the totals the peer tools report (count_as_fvcore, _torch, ...)."""

    def test_limits_in_fvcore_and_torch_units(self, invoke, write_yaml):
        from mncost.core import presets
        report = mncost.analyze(alpha="0.5")
        fvcore = presets.count_as("fvcore", report).total
        torch_flops = presets.count_as("torch", report).total
        assert torch_flops == 2 * report.mult_adds
        path = write_yaml(f"""
            budgets:
              - name: half
                alpha: 0.5
                limits: {{count_as_fvcore: {fvcore}, count_as_torch: {torch_flops - 1}}}
            """, "budgets.yaml")
        result = invoke("check", path, "--format", "json")
        data = json.loads(result.stdout)
        assert result.exit_code == 1
        assert [(r["metric"], r["actual"], r["status"]) for r in data["results"]] == [
            ("count_as_fvcore", fvcore, "ok"), ("count_as_torch", torch_flops, "fail")]

    def test_unknown_peer_metric_suggests(self, invoke, write_yaml):
        path = write_yaml("""
            budgets:
              - name: x
                limits: {count_as_fvcor: 1M}
            """, "budgets.yaml")
        result = invoke("check", path)
        assert result.exit_code == 2 and "did you mean 'count_as_fvcore'" in result.stderr
