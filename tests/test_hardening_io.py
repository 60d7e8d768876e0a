"""Hardening II: the terminal, the environment and the file system, each one line + exit code."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, env: dict | None = None, stdout=subprocess.PIPE, timeout: float = 60):
    """The real console-script path (``python -m mncost`` = ``mncost._entry.run``)."""
    start = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "mncost", *args], stdout=stdout,
                            stderr=subprocess.PIPE, encoding="utf-8", errors="replace",
                            timeout=timeout, cwd=ROOT,
                            env={**os.environ, **(env or {})})
    result.seconds = time.monotonic() - start
    return result


def one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Error: "), stderr
    assert "Traceback" not in stderr
    return lines[0]


class TestEnvironment:
    """Bad terminals and environments never crash the output."""

    def test_columns_not_a_number(self):
        result = run("table", env={"COLUMNS": "abc"})
        assert result.returncode == 0 and "block13.pw" in result.stdout

    @pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
    def test_narrow_encodings(self, encoding):
        for args in (["table"], ["table", "-f", "markdown"], ["compare", "standard",
                                                              "separable"]):
            result = run(*args, env={"PYTHONIOENCODING": encoding})
            assert result.returncode == 0, result.stderr
            assert "Traceback" not in result.stderr

    @pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
    def test_full_disk(self):
        with open("/dev/full", "w") as full:
            result = run("table", stdout=full)
        assert result.returncode == 2
        assert one_error_line(result.stderr) == \
            "Error: cannot write the output: No space left on device"

    def test_closed_pipe_is_quiet(self, runner, monkeypatch):
        """A reader that went away (``mncost table | head -1``): no traceback, no message,
        exit 141 as a shell reports SIGPIPE, never 1 (a failed check)."""
        from mncost.cli import common, main

        def closed(*args, **kwargs):
            raise BrokenPipeError(32, "Broken pipe")
        monkeypatch.setattr(common.click, "echo", closed)
        result = runner.invoke(main, ["table", "-f", "json"])
        assert result.exit_code == 141
        assert result.stderr == ""


class TestUsageErrorsAreOneLine:
    @pytest.mark.parametrize("args", [["tabel"], ["table", "--alpha", "0"],
                                      ["table", "--nonsense"], ["compare", "separable"]])
    def test_one_line(self, args):
        result = run(*args)
        assert result.returncode == 2
        line = one_error_line(result.stderr)
        assert "--help'" in line  # the hint is on the same line


class TestInterrupt:
    def test_ctrl_c_in_a_command_exits_130_with_one_line(self, runner, monkeypatch):
        from mncost import api
        from mncost.cli import main

        def interrupted(*args, **kwargs):
            raise KeyboardInterrupt
        monkeypatch.setattr(api, "analyze", interrupted)
        result = runner.invoke(main, ["table"])
        assert result.exit_code == 130
        assert one_error_line(result.stderr) == "Error: interrupted"


class TestFiles:
    """Names that are not readable regular files: one line, exit 2, quickly."""

    @pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
    def test_fifo_spec_does_not_block(self, tmp_path):
        fifo = tmp_path / "spec.yaml"
        os.mkfifo(fifo)
        result = run("table", "--spec", str(fifo), timeout=20)
        assert result.returncode == 2 and result.seconds < 20
        assert "is not a regular file" in one_error_line(result.stderr)

    def test_symlink_loop(self, tmp_path):
        (tmp_path / "a.yaml").symlink_to(tmp_path / "b.yaml")
        (tmp_path / "b.yaml").symlink_to(tmp_path / "a.yaml")
        result = run("table", "--spec", str(tmp_path / "a.yaml"))
        assert result.returncode == 2
        assert "is a symbolic link loop" in one_error_line(result.stderr)

    def test_overlong_name_as_compare_side(self):
        result = run("compare", "separable", "x" * 300 + ".yaml")
        assert result.returncode == 2
        one_error_line(result.stderr)

    def test_control_characters_in_messages_are_escaped(self, tmp_path):
        name = "evil\n::error file=evil::\x1b[31m.yaml"
        result = run("table", "--spec", str(tmp_path / name))
        assert result.returncode == 2
        line = one_error_line(result.stderr)
        assert "\\n::error" in line and "\x1b" not in result.stderr


class TestExponentBounds:
    """Every numeric input is bounded before exact arithmetic: 1e-100000000 is refused at once
    (Fraction would expand the exponent for minutes), wherever α or ρ is read."""

    from hypothesis import given, settings, strategies as st

    @given(exponent=st.integers(min_value=101, max_value=10**12), sign=st.sampled_from("+-"))
    @settings(max_examples=60, deadline=1000)
    def test_every_parser(self, exponent, sign):
        from mncost.core import compare, settings as core_settings, sweep
        from mncost.core.errors import ConfigError

        text = f"1e{sign}{exponent}"
        start = time.monotonic()
        for parse in (lambda: core_settings.parse_multiplier(text, "alpha"),
                      lambda: core_settings.ModelSettings.parse(rho=text),
                      lambda: sweep.parse_alphas(text),
                      lambda: compare.parse_side(f"separable@alpha={text}")):
            with pytest.raises(ConfigError, match="out of range"):
                parse()
        assert time.monotonic() - start < 1

    @given(exponent=st.integers(min_value=-100, max_value=100))
    @settings(max_examples=60, deadline=1000)
    def test_within_bounds_parses_exactly_or_is_out_of_the_range_of_alpha(self, exponent):
        from fractions import Fraction

        from mncost.core import settings as core_settings
        from mncost.core.errors import ConfigError

        value = Fraction(10) ** exponent
        try:
            assert core_settings.parse_multiplier(f"1e{exponent}", "alpha") == value
        except ConfigError as exc:
            assert value > core_settings.MAX_MULTIPLIER and "at most" in str(exc)

    def test_budget_alpha(self, write_yaml, runner):
        from mncost.cli import main

        path = write_yaml("budgets:\n  - name: x\n    alpha: 1e-100000000\n"
                          "    limits: {mult_adds: 1M}\n", "budgets.yaml")
        start = time.monotonic()
        result = runner.invoke(main, ["check", str(path)])
        assert result.exit_code == 2 and time.monotonic() - start < 5
        assert "out of range" in one_error_line(result.stderr)


class TestScale:
    """Within the documented limits (10,000 layers, 1,000 budgets) a check stays quick and
    small: entries naming one model share one resolved network and one analysis, and the
    liveness sweep is linear."""

    def test_many_budgets_on_a_large_spec(self, tmp_path, runner):
        from mncost.cli import main

        (tmp_path / "big.yaml").write_text(
            "model: big\ninput: {resolution: 64}\nlayers:\n  - {kind: conv, out: 8}\n"
            "  - {kind: separable, out: 8, repeat: 4998}\n  - {kind: avgpool}\n")
        entries = "".join(f"  - name: b{i}\n    spec: big.yaml\n    limits: {{mult_adds: 10G}}\n"
                          for i in range(1000))
        (tmp_path / "budgets.yaml").write_text("budgets:\n" + entries)
        start = time.monotonic()
        result = runner.invoke(main, ["check", str(tmp_path / "budgets.yaml"), "-f", "json"])
        assert result.exit_code == 0, result.stderr
        assert time.monotonic() - start < 60  # was 145 s before sharing; about 1 s here


def test_interrupt_while_updating_the_baseline_is_reported_truthfully(tmp_path):
    """A Ctrl-C that arrives while the baseline is replaced waits until the run has said
    the baseline was updated; then the run ends with exit 130."""
    import signal

    from mncost.core.fileio import interrupts_deferred

    target = tmp_path / "baseline.json"
    with pytest.raises(KeyboardInterrupt):
        with interrupts_deferred():
            os.kill(os.getpid(), signal.SIGINT)   # arrives mid-block...
            target.write_text("written")          # ...and the block still finishes
    assert target.read_text() == "written"
