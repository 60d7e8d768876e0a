"""The README stays true: every command documented, its examples run, CI runs its test command."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mncost.core import spec
from mncost.core import yamlio
from mncost.cli import COMMANDS, main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _code_blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.S)


class TestReadme:
    """README.md documents what the code does."""

    @pytest.mark.parametrize("command", sorted(COMMANDS))
    def test_every_command_has_a_section(self, command):
        assert f"### `mncost {command}`" in README

    @pytest.mark.parametrize("command", sorted(COMMANDS))
    def test_every_command_help_has_examples(self, runner, command):
        result = runner.invoke(main, [command, "--help"])
        assert result.exit_code == 0
        assert "Examples:" in result.stdout

    def test_quick_start_is_two_commands_and_ci_runs_the_second(self):
        quick = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
        commands = [block.strip() for block in re.findall(r"```bash\n(.*?)```", quick, re.S)]
        assert len(commands) == 2
        assert commands[0].startswith("pip install") and "mncost table" in commands[0]
        ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
        assert commands[1] in ci.splitlines()

    def test_spec_example_is_valid_and_names_as_documented(self):
        example = next(b for b in _code_blocks("yaml") if b.startswith("model: TinyNet"))
        loaded = spec.parse(yamlio.load_yaml(example, "README"), "README")
        assert loaded.variant_names == ("separable", "standard", "short")
        names = [layer.name for layer in spec.resolve(loaded, variant="short").layers]
        assert names == ["conv1", "block1.dw", "block1.pw", "dw1", "pw1", "pool", "fc",
                         "softmax"]

    def test_conventions_table_numbers(self):
        import mncost
        for convention in ("paper", "trainable", "all"):
            total = mncost.analyze(params=convention).params
            assert f"| `{convention}`" in README and f"{total:,}" in README


def test_readme_graph_example_is_what_it_says():
    """The README's hand-written inverted residual block loads, and its printed totals line
    is the tool's: the skip tensor keeps the peak at `scale`."""
    import mncost

    example = next(b for b in _code_blocks("yaml") if b.startswith("model: Block"))
    report = mncost.analyze(spec.parse(yamlio.load_yaml(example, "README"), "README"))
    assert report.peak_activation_layer == "scale"
    quoted = README.split("$ mncost table --spec block.yaml | grep peak\n", 1)[1].split("\n")[0]
    assert quoted.startswith(f"{report.mult_adds:,} mult-adds · {report.params:,} params")
    assert quoted.endswith("(at scale)")


def test_readme_python_api_runs_outside_the_repository(tmp_path, monkeypatch):
    """The API example names the built-in spec, not a path that exists only in a checkout."""
    block = next(b for b in _code_blocks("python") if "import mncost" in b)
    monkeypatch.chdir(tmp_path)
    exec(compile(block, "README", "exec"), {})


def test_license_file_matches_pyproject():
    assert "license = { text = \"MIT\" }" in (ROOT / "pyproject.toml").read_text()
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
