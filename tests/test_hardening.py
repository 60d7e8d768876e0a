"""Bad input gets one clear message and exit 2, never a traceback; the engine's invariants hold.

The corpus under tests/corpus/ holds malformed files, each starting with ``# expect: TEXT``
(the message must contain TEXT). Hypothesis generates valid specs to check invariants and
mutates valid files to check the error contract. ``HYPOTHESIS_PROFILE=thorough`` runs longer.
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import re
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mncost
from mncost.core import spec
from mncost.cli import main

settings.register_profile("default", max_examples=60, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                 HealthCheck.too_slow])
settings.register_profile("thorough", max_examples=2000, deadline=None,
                          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                 HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

CORPUS = Path(__file__).parent / "corpus"


def _expectation(path: Path) -> str:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    match = re.match(r"# expect: (.*)$", first)
    assert match, f"{path} must start with '# expect: ...'"
    return match.group(1)


def assert_clean_failure(result, expected: str | None = None) -> None:
    """Exit 2, one 'Error:' message on stderr, no traceback, nothing on stdout."""
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    assert "Traceback" not in result.stderr
    assert result.stderr.count("Error:") == 1
    if expected is not None:
        assert expected in result.stderr


class TestSpecCorpus:
    """Every malformed spec in tests/corpus/specs is refused with its expected message."""

    @pytest.mark.parametrize("path", sorted((CORPUS / "specs").glob("*.yaml")),
                             ids=lambda p: p.stem)
    def test_malformed_spec(self, runner, path):
        result = runner.invoke(main, ["table", "--spec", str(path)])
        assert_clean_failure(result, _expectation(path))
        assert str(path) in result.stderr  # the message names the file

    def test_python_tag_runs_nothing(self, runner, tmp_path):
        marker = tmp_path / "pwned"
        path = tmp_path / "evil.yaml"
        path.write_text(f"model: !!python/object/apply:os.system ['touch {marker}']\n")
        assert_clean_failure(runner.invoke(main, ["table", "--spec", str(path)]))
        assert not marker.exists()

    @pytest.mark.parametrize("content, expected", [
        (b"\x00\x01\x02binary", "is a binary file"),
        (b"model: caf\xe9\n", ":1: is not valid UTF-8 text"),
        (b"", "is empty"),
        (b"\xef\xbb\xbfmodel: m\ninput: {resolution: 8}\n", "layers: is required"),  # BOM ok
        (b"model: m\n" + b"x" * (1 << 20), "larger than 1024 KiB"),
    ], ids=["binary", "latin1", "empty", "bom", "too-large"])
    def test_odd_bytes(self, runner, tmp_path, content, expected):
        path = tmp_path / "odd.yaml"
        path.write_bytes(content)
        assert_clean_failure(runner.invoke(main, ["table", "--spec", str(path)]), expected)

    def test_directory_and_missing(self, runner, tmp_path):
        assert_clean_failure(runner.invoke(main, ["table", "--spec", str(tmp_path)]),
                             "is a directory")
        assert_clean_failure(runner.invoke(main, ["table", "--spec", str(tmp_path / "x")]),
                             "no such file")

    def test_unreadable_file(self, runner, tmp_path, monkeypatch):
        # Tests run as root here, where chmod 000 does not stop a read: simulate the OS error.
        from mncost.core import yamlio

        def denied(*args, **kwargs):
            raise PermissionError(13, "Permission denied")
        path = tmp_path / "locked.yaml"
        path.write_text("model: m\n")
        monkeypatch.setattr(yamlio, "open", denied, raising=False)
        assert_clean_failure(runner.invoke(main, ["table", "--spec", str(path)]),
                             "locked.yaml: permission denied")

    def test_deep_nesting(self, runner, tmp_path):
        path = tmp_path / "deep.yaml"
        path.write_text("model: " + "[" * 3000 + "]" * 3000 + "\n")
        assert_clean_failure(runner.invoke(main, ["table", "--spec", str(path)]))


class TestBudgetCorpus:
    """Every malformed budget file in tests/corpus/budgets is refused with its message."""

    @pytest.mark.parametrize("path", sorted((CORPUS / "budgets").glob("*.yaml")),
                             ids=lambda p: p.stem)
    def test_malformed_budget(self, runner, path):
        for fmt in ("rich", "json"):
            result = runner.invoke(main, ["check", str(path), "--format", fmt])
            assert_clean_failure(result, _expectation(path))
            assert str(path) in result.stderr

    def test_failed_run_keeps_baseline_byte_for_byte(self, runner, tmp_path):
        baseline = tmp_path / "baseline.json"
        baseline.write_bytes(b'{"hand": "written"}\n')
        bad = CORPUS / "budgets" / "bad_unit.yaml"
        runner.invoke(main, ["check", str(bad), "--baseline", str(baseline),
                             "--update-baseline"])
        assert baseline.read_bytes() == b'{"hand": "written"}\n'


COMMAND_FLAG_CASES = [
    (["compare", "separable"], "Missing argument"),
    (["compare", "separable", "standard@alpha=0"], "alpha"),
    (["compare", "separable", "standard@alpha"], "B"),
    (["compare", "separable", "standard@beta=1"], "beta"),
    (["compare", "separable", "nonexistent.yaml"], "nonexistent.yaml"),
    (["layer", "--size", "0", "--in", "8", "--out", "8"], "0"),
    (["layer", "--size", "14", "--in", "8"], "--out"),
    (["layer", "--size", "14", "--in", "8", "--out", "8", "--alpha", "-1"], "alpha"),
    (["sweep", "--alpha", "1:0:0"], "alpha"),
    (["sweep", "--alpha", "a,b"], "alpha"),
    (["sweep", "--resolution", "0"], "resolution"),
    (["check", "/nonexistent/budgets.yaml"], "no such file"),
    (["check", "."], "is a directory"),
]


class TestOtherCommandFlags:
    """Every command shares the error contract of `mncost table`."""

    @pytest.mark.parametrize("args, expected", COMMAND_FLAG_CASES, ids=lambda v: str(v))
    def test_bad_input(self, runner, args, expected):
        assert_clean_failure(runner.invoke(main, args), expected)


FLAG_CASES = [
    (["--alpha", "0"], "alpha must be greater than 0"),
    (["--alpha", "-1"], "alpha must be greater than 0"),
    (["--alpha", "inf"], "must be a number"),
    (["--alpha", "nan"], "must be a number"),
    (["--alpha", ""], "must be a number"),
    (["--alpha", "1/0"], "must be a number"),
    (["--rho", "-0.5"], "rho must be greater than 0"),
    (["--rho", "0.001"], "gives a resolution below 1 pixel"),
    (["--resolution", "-3"], "resolution must be a number of pixels N or HxW"),
    (["--resolution", "abc"], "resolution must be a number of pixels N or HxW"),
    (["--resolution", "12x"], "resolution must be a number of pixels N or HxW"),
    (["--resolution", "0x160"], "resolution must be a positive integer, got 0"),
    (["--resolution", "1000000000"], "resolution must be at most 1048576"),
    (["--resolution", "224", "--rho", "1"], "mutually exclusive"),
    (["--variant", ""], "variant must be a non-empty name"),
    (["--variant", "Standard"], "did you mean 'standard'"),
    (["--depth-multiplier", "1.5"], "depth multiplier must be a positive integer, got '1.5'"),
    (["--depth-multiplier", "99999"], "depth multiplier must be at most 1024"),
    (["--min-channels", "0"], "min channels must be a positive integer, got 0"),
    (["--rounding", "ceil"], "rounding must be floor or divisible:N"),
    (["--alpha", "1e-100000000"], "alpha is out of range (exponent beyond ±100)"),
    (["--alpha", "1e100000000"], "alpha is out of range (exponent beyond ±100)"),
    (["--alpha", "20000"], "alpha must be at most 10000"),
    (["--rho", "1e309"], "rho is out of range"),
    (["--dtype", "float64"], "'float64' is not one of"),
    (["--nonsense"], "No such option"),
    (["--alpha", "half"], "must be a number, got 'half'"),
    (["--resolution", "0"], "resolution must be a positive integer, got 0"),
    (["--variant", "deep"], "unknown variant 'deep'"),
    (["--params", "weights"], "'weights' is not one of"),
    (["--format", "xml"], "'xml' is not one of"),
    (["--spec", "/nonexistent/m.yaml"], "/nonexistent/m.yaml: no such file"),
    (["--spec", "no_such_builtin"], "unknown spec 'no_such_builtin': no such file or built-in spec; built-in specs: mobilenet_v1, keras_mobilenet"),
]


class TestFlagCorpus:
    """Bad flags: exit 2 with the reason."""

    @pytest.mark.parametrize("args, expected", FLAG_CASES, ids=lambda v: str(v))
    def test_bad_flag(self, runner, args, expected):
        assert_clean_failure(runner.invoke(main, ["table", *args]), expected)

    def test_huge_alpha_is_exact_not_refused(self, runner):
        data = json.loads(runner.invoke(main, ["table", "--alpha", "1000", "-f", "json"]).stdout)
        assert data["layers"][0]["output_shape"] == [112, 112, 32000]
        assert data["layers"][0]["mult_adds"] == 3 * 3 * 3 * 32000 * 112 * 112


# -- property-based: random valid specs -------------------------------------------------------

@st.composite
def specs(draw):
    """A random valid spec: conv/separable/dw/pw layers, then pool and fc."""
    n = draw(st.integers(1, 6))
    layers = []
    for _ in range(n):
        kind = draw(st.sampled_from(["conv", "separable", "separable", "dw", "pw"]))
        entry = {"kind": kind}
        if kind in ("conv", "separable", "pw"):
            entry["out"] = draw(st.integers(2, 96))
        if kind in ("conv", "separable", "dw"):
            entry["kernel"] = draw(st.sampled_from([3, 5]))  # odd: "same" padding never collapses
            entry["stride"] = draw(st.integers(1, 2))
        if draw(st.booleans()):
            entry["repeat"] = draw(st.integers(1, 3))
        layers.append(entry)
    layers += [{"kind": "avgpool"}, {"kind": "fc", "out": draw(st.integers(1, 50))}]
    return {
        "model": "random",
        "input": {"resolution": draw(st.integers(8, 64)), "channels": draw(st.integers(1, 4))},
        "defaults": {"bias": draw(st.booleans()), "batch_norm": draw(st.booleans())},
        "variants": {"separable": None, "standard": {"convert": {"separable": "conv"}}},
        "layers": layers,
    }


def _load(doc: dict, tmp_path: Path) -> spec.ModelSpec:
    import yaml
    path = tmp_path / "random.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return spec.load(path)


alphas = st.sampled_from(["0.25", "0.35", "0.5", "0.75", "1", "1.25"])


class TestInvariants:
    """The engine's invariants hold on random valid specs."""

    @given(doc=specs(), alpha=alphas, r1=st.integers(8, 96), r2=st.integers(8, 96))
    def test_params_independent_of_resolution(self, tmp_path, doc, alpha, r1, r2):
        loaded = _load(doc, tmp_path)
        a = mncost.analyze(spec.resolve(loaded, alpha=alpha, resolution=r1), params="all")
        b = mncost.analyze(spec.resolve(loaded, alpha=alpha, resolution=r2), params="all")
        assert a.params == b.params

    @given(doc=specs(), a1=alphas, a2=alphas, r1=st.integers(8, 96), r2=st.integers(8, 96))
    def test_mult_adds_monotone_in_alpha_and_resolution(self, tmp_path, doc, a1, a2, r1, r2):
        loaded = _load(doc, tmp_path)
        (a_lo, a_hi) = sorted((a1, a2), key=Fraction)
        (r_lo, r_hi) = sorted((r1, r2))
        lo = mncost.analyze(spec.resolve(loaded, alpha=a_lo, resolution=r_lo)).mult_adds
        hi = mncost.analyze(spec.resolve(loaded, alpha=a_hi, resolution=r_hi)).mult_adds
        assert lo <= hi

    @given(doc=specs(), alpha=alphas, resolution=st.integers(8, 96))
    def test_standard_costs_at_least_separable(self, tmp_path, doc, alpha, resolution):
        # Holds for k ≥ 2 and N ≥ 2 (k²MN ≥ k²M + MN); the generator keeps to those.
        loaded = _load(doc, tmp_path)
        kw = {"alpha": alpha, "resolution": resolution, "min_channels": 2}
        sep = mncost.analyze(spec.resolve(loaded, variant="separable", **kw), params="paper")
        std = mncost.analyze(spec.resolve(loaded, variant="standard", **kw), params="paper")
        assert std.mult_adds >= sep.mult_adds and std.params >= sep.params

    @given(doc=specs(), alpha=alphas, resolution=st.integers(8, 96),
           params=st.sampled_from(["paper", "trainable", "all"]))
    def test_totals_and_json_equal_the_table(self, runner, tmp_path, doc, alpha, resolution,
                                             params):
        loaded = _load(doc, tmp_path)
        report = mncost.analyze(spec.resolve(loaded, alpha=alpha, resolution=resolution),
                                params=params)
        assert report.mult_adds == sum(lr.mult_adds for lr in report.layers)
        assert report.params == sum(lr.cost.params(params) for lr in report.layers)
        args = ["table", "--spec", str(tmp_path / "random.yaml"), "--alpha", alpha,
                "--resolution", str(resolution), "--params", params]
        data = json.loads(runner.invoke(main, [*args, "-f", "json"]).stdout)
        csv_text = runner.invoke(main, [*args, "-f", "csv"]).stdout
        csv_rows = list(csv.DictReader(io.StringIO(csv_text)))
        assert data["totals"]["mult_adds"] == report.mult_adds
        assert data["totals"]["params"] == report.params
        assert [[row["name"], row["mult_adds"], row["params"]] for row in csv_rows] == \
            [[d["name"], str(d["mult_adds"]), str(d["params"])] for d in data["layers"]]


# -- mutation fuzzing of valid files ----------------------------------------------------------

JUNK = ["0", "-1", "1.5", ".nan", ".inf", "true", "null", "~", "[]", "{}", "'x'", "&a", "*a",
        "!!python/object:os.system", "1e999", "99999999999999999999", ":", "- ", "\t", "#",
        "{kind: conv}", "é", "\x00", "'", '"', "<<: *b"]


def mutate(text: str, rnd: random.Random, steps: int) -> str:
    lines = text.splitlines()
    for _ in range(steps):
        if not lines:
            lines = [""]
        i = rnd.randrange(len(lines))
        op = rnd.randrange(6)
        if op == 0:
            del lines[i]
        elif op == 1:
            lines.insert(i, lines[rnd.randrange(len(lines))])
        elif op == 2:  # replace a value after a colon
            head, sep, _ = lines[i].partition(":")
            lines[i] = f"{head}{sep or ':'} {rnd.choice(JUNK)}"
        elif op == 3:  # replace a token anywhere
            tokens = re.split(r"(\W)", lines[i])
            j = rnd.randrange(len(tokens))
            tokens[j] = rnd.choice(JUNK)
            lines[i] = "".join(tokens)
        elif op == 4:
            lines[i] = lines[i][: rnd.randrange(len(lines[i]) + 1)]
        else:
            lines[i] = " " * rnd.randrange(4) + lines[i]
    return "\n".join(lines) + "\n"


def assert_contract(result) -> None:
    """Exit code in {0, 1, 2}, no traceback, a message when non-zero."""
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        f"{result.exception!r}\n{result.stderr}"
    assert result.exit_code in (0, 1, 2)
    assert "Traceback" not in result.stderr
    if result.exit_code:
        assert result.stderr.strip()


class TestSpecMutations:
    """Random mutations of the built-in spec never produce a traceback."""

    @given(seed=st.integers(0, 2 ** 32 - 1), steps=st.integers(1, 4))
    def test_mutated_builtin_spec(self, runner, tmp_path, seed, steps):
        text = spec.builtin_spec_path().read_text(encoding="utf-8")
        path = tmp_path / "mutated.yaml"
        path.write_text(mutate(text, random.Random(seed), steps), encoding="utf-8")
        for args in (["table", "-f", "json"], ["table", "--variant", "standard", "-a", "0.5"]):
            assert_contract(runner.invoke(main, [*args, "--spec", str(path)]))


class TestBudgetMutations:
    """Random mutations of the shipped budget file never produce a traceback."""

    @given(seed=st.integers(0, 2 ** 32 - 1), steps=st.integers(1, 4))
    def test_mutated_budgets(self, runner, tmp_path, seed, steps):
        text = (spec.builtin_spec_path().parent / "budgets.yaml").read_text(encoding="utf-8")
        path = tmp_path / "budgets.yaml"
        path.write_text(mutate(text, random.Random(seed), steps), encoding="utf-8")
        for fmt in ("json", "github"):
            assert_contract(runner.invoke(main, ["check", str(path), "--format", fmt]))
