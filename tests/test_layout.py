"""Every rich output fits the terminal; --wide shows every column; piped output has no padding."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from mncost.core.units import human, human_bytes, percent

COMMANDS = [
    ["table"],
    ["table", "--count-as", "thop"],
    ["table", "--spec", "tests/data/peer_kinds.yaml"],
    ["compare", "standard", "separable"],
    ["compare", "separable", "shallow"],
    ["layer", "--size", "14", "--in", "512", "--out", "512", "--alpha", "0.75", "--rho",
     "0.714"],
    ["check", "configs/budgets.yaml"],
    ["sweep"],
]


@pytest.fixture(autouse=True)
def _at_root(monkeypatch):
    from pathlib import Path
    monkeypatch.chdir(Path(__file__).resolve().parent.parent)


def _widest(text: str) -> int:
    return max(cell_len(line) for line in text.split("\n"))


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
@pytest.mark.parametrize("columns", [80, 100])
def test_fits_the_terminal(invoke, monkeypatch, args, columns):
    monkeypatch.setenv("COLUMNS", str(columns))
    result = invoke(*args)
    assert result.exit_code == 0, result.stderr
    assert _widest(result.stdout) <= columns


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_no_trailing_padding_when_piped(invoke, args):
    out = invoke(*args).stdout
    assert all(line == line.rstrip() for line in out.split("\n"))


def test_dropped_columns_are_named_and_wide_shows_them(invoke, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    narrow = invoke("table").stdout
    header = next(line for line in narrow.split("\n") if "Layer" in line and "┃" in line)
    assert "Input size" not in header and "% mult-adds" not in header
    assert "Left out to fit 80 columns: Type / Stride, Input size, #, % mult-adds" in narrow
    wide = invoke("table", "--wide").stdout
    assert "% mult-adds" in wide and "Input size" in wide and _widest(wide) > 80


def test_verify_fits(invoke, monkeypatch):
    pytest.importorskip("torch")
    pytest.importorskip("fvcore")
    monkeypatch.setenv("COLUMNS", "80")
    result = invoke("verify", "--alpha", "0.25", "--resolution", "128")
    assert result.exit_code == 0 and _widest(result.stdout) <= 80


class TestUnits:
    """Four true significant digits, rounded half up from the exact int: no false digit."""

    @pytest.mark.parametrize("n, text", [
        (149_497_088, "149.5M"), (568_740_352, "568.7M"), (396_572, "396.6K"),
        (76_524_800, "76.52M"), (4_231_976, "4.232M"), (999, "999"), (1000, "1.000K"),
        (999_960, "1.000M"), (999_949, "999.9K"), (12_345_678_901, "12.35G"),
        (-2_500_000, "-2.500M"), (1_000_000_000_000_000_000_000, "1.000Z"),
    ])
    def test_human(self, n, text):
        assert human(n) == text

    @pytest.mark.parametrize("n, text", [(16_836_352, "16.06 MiB"), (1 << 30, "1.00 GiB"),
                                         (1023, "1023 B"), (1536, "1.50 KiB")])
    def test_bytes(self, n, text):
        assert human_bytes(n) == text

    def test_percent_rounds_half_up_exactly(self):
        assert percent(1, 8, 1) == "12.5%" and percent(1, 3) == "33.33%"
        assert percent(5, 1000, 2) == "0.50%" and percent(1, 0) == "-"
