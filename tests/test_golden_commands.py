"""The JSON contract of every command, pinned in tests/golden (pytest --update-golden)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def _json(invoke, *args):
    result = invoke(*args, "--format", "json")
    assert result.exit_code in (0, 1), result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("name, args", [
    ("compare_standard_separable", ["compare", "standard", "separable"]),
    ("compare_half_160_paper", ["compare", "separable", "separable@alpha=0.5,resolution=160",
                                "--params", "paper"]),
    ("layer_table3", ["layer", "--size", "14", "--in", "512", "--out", "512", "--alpha",
                      "0.75", "--rho", "0.714", "--params", "paper"]),
    ("sweep_paper_corners", ["sweep", "--alpha", "1,0.5", "--resolution", "224,160"]),
    ("check_shipped_budgets", ["check", "configs/budgets.yaml"]),
    ("specs", ["specs"]),
    ("sweep_two_families", ["sweep", "--spec", "mobilenet_v2", "--spec", "efficientnet_b0",
                            "--alpha", "1", "--resolution", "224"]),
])
def test_analytic_contracts(invoke, golden, name, args):
    golden(name, _json(invoke, *args))


@pytest.mark.torch
def test_verify_contract(invoke, golden):
    pytest.importorskip("torch")
    pytest.importorskip("fvcore")
    golden("verify_quarter_128", _json(invoke, "verify", "--alpha", "0.25", "--resolution",
                                       "128"))


@pytest.mark.torch
def test_bench_contract(invoke, golden):
    """Timings vary run to run: the keys and the counted numbers are pinned, not the times."""
    pytest.importorskip("torch")
    data = _json(invoke, "bench", "--spec", "tests/data/tiny_conv.yaml", "--runs", "2",
                 "--warmup", "0")
    golden("bench_tiny_conv", data, volatile=("latency_ms", "samples_ms", "gmacs_per_s",
                                              "time_ms", "time_share", "other_time_share",
                                              "torch_version", "threads",
                                              "breakdown_passes"))


@pytest.mark.torch
def test_verify_against_contract(invoke, golden, monkeypatch):
    pytest.importorskip("torch")
    pytest.importorskip("fvcore")
    nets = ROOT / "tests" / "data" / "torchnets"
    monkeypatch.chdir(nets)
    monkeypatch.syspath_prepend(str(nets))
    spec = invoke("import", "hand_nets:zoo", "--resolution", "64").stdout
    path = nets.parent.parent / ".zoo_golden.yaml"
    try:
        path.write_text(spec, encoding="utf-8")
        golden("verify_against_zoo", _json(invoke, "verify", "--spec", str(path),
                                           "--against", "hand_nets:zoo"))
    finally:
        path.unlink()
