"""Shared fixtures: a CliRunner, the built-in spec, and helpers to write spec files."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from mncost.core import spec as spec_module
from mncost.cli import main


@pytest.fixture(autouse=True)
def _natural_width(monkeypatch):
    """Tables at their natural width unless a test sets COLUMNS: a terminal's COLUMNS in the
    environment must not change what the tests read."""
    monkeypatch.delenv("COLUMNS", raising=False)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def invoke(runner):
    """Run the CLI in-process; returns click's Result (exit_code, stdout, stderr)."""
    def run(*args: str, **kwargs):
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False, **kwargs)
    return run


@pytest.fixture(scope="session")
def mobilenet_spec() -> spec_module.ModelSpec:
    return spec_module.load()


DATA = Path(__file__).parent / "data"


@pytest.fixture
def tiny_mixed_spec() -> Path:
    """tests/data/tiny_mixed.yaml: bias, relu6/relu, batch norm on and off, 5×5 dw, odd size."""
    return DATA / "tiny_mixed.yaml"


@pytest.fixture
def tiny_conv_spec() -> Path:
    """tests/data/tiny_conv.yaml: conv 3×3 s2 (3→8, 32→16), global pool, fc to 10 classes."""
    return DATA / "tiny_conv.yaml"


@pytest.fixture
def write_yaml(tmp_path: Path):
    """Write dedented YAML text to a file under tmp_path and return its path."""
    def write(text: str, name: str = "spec.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path
    return write


def _declare_torchvision_ops() -> None:
    """Make this machine's torchvision importable (see shared FAMILY.md).

    The registries serve torchvision 0.28 only as a CUDA build, whose compiled ops do not load
    next to the CPU torch 2.13: ``import torchvision`` (and so ``import ptflops``, which
    imports it when present) raises ``operator torchvision::nms does not exist``. Its model
    definitions are pure Python; declaring the two op schemas its import registers fake
    kernels for lets it load. Tests only: product code never imports torchvision.
    """
    import importlib.util

    if importlib.util.find_spec("torchvision") is None or importlib.util.find_spec("torch") is None:
        return
    import torch

    try:
        torch.ops.torchvision.nms  # noqa: B018 - already declared (a real CPU build)
        return
    except (AttributeError, RuntimeError):
        pass
    library = torch.library.Library("torchvision", "DEF")
    library.define("nms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
    library.define("qnms(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
    globals()["_TORCHVISION_LIBRARY"] = library  # keep it alive for the session


_declare_torchvision_ops()


# -- golden JSON contracts ---------------------------------------------------------------------

GOLDEN = Path(__file__).parent / "golden"
VOLATILE = "<volatile>"


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite tests/golden/*.json from the current output instead of "
                          "comparing (review the diff before committing)")


def _mask(data, volatile):
    """``data`` with the values of keys named in ``volatile`` replaced (timings, versions)."""
    if isinstance(data, dict):
        return {k: VOLATILE if k in volatile else _mask(v, volatile) for k, v in data.items()}
    if isinstance(data, list):
        return [_mask(v, volatile) for v in data]
    return data


@pytest.fixture
def golden(request):
    """``golden("table_default", data, volatile=("latency_ms",))`` compares a command's JSON
    with ``tests/golden/table_default.json``: dropping or renaming a documented key, or
    changing a number, fails. ``pytest --update-golden`` rewrites the files instead."""
    import json

    def check(name: str, data, volatile: tuple[str, ...] = ()):
        path = GOLDEN / f"{name}.json"
        masked = _mask(data, set(volatile))
        if request.config.getoption("--update-golden"):
            GOLDEN.mkdir(exist_ok=True)
            path.write_text(json.dumps(masked, indent=2, ensure_ascii=False) + "\n",
                            encoding="utf-8")
            return
        assert path.exists(), f"no golden file {path.name}; run pytest --update-golden"
        assert masked == json.loads(path.read_text(encoding="utf-8")), \
            f"{path.name} changed; if intended, run pytest --update-golden and review the diff"
    return check
