"""The house rules of ARCHITECTURE.md that a refactor could silently break."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

CORE = ["mncost.core.ir", "mncost.core.spec", "mncost.core.costing", "mncost.core.yamlio", "mncost.core.compare",
        "mncost.core.single_layer", "mncost.core.budget", "mncost.core.sweep", "mncost.core.presets",
        "mncost.core.memory", "mncost.views.formats", "mncost.api"]
HEAVY = ("torch", "fvcore", "matplotlib", "rich")


@pytest.mark.parametrize("module", CORE)
def test_core_module_imports_nothing_heavy(module):
    code = textwrap.dedent(f"""
        import sys, importlib
        importlib.import_module({module!r})
        print(",".join(m for m in {HEAVY!r} if m in sys.modules))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


@pytest.mark.parametrize("command", ["table", "compare", "layer", "check", "sweep"])
def test_analytic_commands_in_json_import_nothing_heavy(command, tmp_path):
    args = {"table": ["table"], "compare": ["compare", "standard", "separable"],
            "layer": ["layer", "--size", "14", "--in", "32", "--out", "64"],
            "check": ["check", "mncost/configs/budgets.yaml"],
            "sweep": ["sweep"]}[command]
    code = textwrap.dedent(f"""
        import sys
        from mncost.cli import main
        try:
            main({args + ["--format", "json"]!r}, standalone_mode=False)
        finally:
            # JSON output needs no rich either: a script piping JSON pays for none of it
            sys.stderr.write("HEAVY=" + ",".join(m for m in {HEAVY!r} if m in sys.modules))
    """)
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=root, check=True)
    assert out.stderr.strip().endswith("HEAVY=")


def test_one_rule_per_kind():
    from mncost.core.kinds import registry
    rules = registry()
    # conv, dw and pw share the one convolution formula
    assert rules["conv"] is rules["dw"] is rules["pw"]
