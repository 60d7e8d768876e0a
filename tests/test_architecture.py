"""The house rules of ARCHITECTURE.md that a refactor could silently break."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

CORE = ["mncost.core.ir", "mncost.core.spec", "mncost.core.costing", "mncost.core.yamlio",
        "mncost.core.compare", "mncost.core.settings", "mncost.core.units", "mncost.core.blocks",
        "mncost.core.kinds",
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


# -- the import direction, both ways ---------------------------------------------------------

PACKAGE = Path(__file__).resolve().parent.parent / "mncost"
# What each layer of the package may import from mncost, and which third-party packages it
# may never import (at any depth, lazily or not).
LAYERS = {
    "core": (("mncost.core",), ("torch", "fvcore", "matplotlib", "rich", "click")),
    "views": (("mncost.core", "mncost.views"), ("torch", "fvcore", "matplotlib", "rich", "click")),
    "render": (("mncost.core", "mncost.views", "mncost.render"), ("torch", "fvcore", "click")),
    "torch": (("mncost.core", "mncost.torch"), ("rich", "click", "matplotlib")),
}


def _imports(path: Path) -> set[str]:
    import ast

    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names
                         if node.module == "mncost")
    return found


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_import_direction(layer):
    """core knows nothing of torch, rich, click or the outputs; views and render know nothing
    of the CLI or torch; the torch side knows nothing of the terminal."""
    allowed, forbidden = LAYERS[layer]
    problems = []
    for path in sorted((PACKAGE / layer).rglob("*.py")):
        for name in _imports(path):
            top = name.split(".")[0]
            if top in forbidden:
                problems.append(f"{path.relative_to(PACKAGE)} imports {name}")
            if top == "mncost" and name != "mncost" and not name.startswith(allowed):
                problems.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert problems == []


def test_nothing_imports_the_cli_but_the_cli():
    for path in sorted(PACKAGE.rglob("*.py")):
        if "cli" in path.relative_to(PACKAGE).parts or path.name in ("__main__.py", "_entry.py"):
            continue
        assert not any(name.startswith("mncost.cli") for name in _imports(path)), path


def test_product_code_never_imports_torchvision_or_timm():
    """mncost imports what the user's MODULE imports, never a model zoo of its own."""
    import ast

    offenders = []
    for path in (Path(__file__).resolve().parent.parent / "mncost").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            offenders += [f"{path.name}: {n}" for n in names
                          if n.split(".")[0] in ("torchvision", "timm")]
    assert offenders == []
