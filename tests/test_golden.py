"""Every documented JSON contract, pinned: a dropped key or a changed number fails here."""

from __future__ import annotations

import json

import pytest


@pytest.mark.parametrize("name, args", [
    ("table_default", ["table"]),
    ("table_half_160_count_as_fvcore", ["table", "--alpha", "0.5", "--resolution", "160",
                                        "--count-as", "fvcore"]),
    ("table_tiny_mixed_all", ["table", "--spec", "tests/data/tiny_mixed.yaml",
                              "--params", "all", "--resolution", "33x41"]),
])
def test_table_json(invoke, golden, name, args, monkeypatch):
    from pathlib import Path
    monkeypatch.chdir(Path(__file__).resolve().parent.parent)
    result = invoke(*args, "--format", "json")
    assert result.exit_code == 0, result.stderr
    golden(name, json.loads(result.stdout))
