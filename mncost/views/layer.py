"""The view of one layer, standard against separable (``mncost layer``, paper Table 3)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Iterable, Sequence

from mncost.core.single_layer import SingleLayer
from mncost.core.units import grouped
from mncost.views.base import View
from mncost.views.formats import Column, TableData


def millions(n: int) -> str:
    """The paper's unit: 462422016 → '462', 52283392 → '52.3', 266752 → '0.267'."""
    return f"{n / 1e6:.3g}"


def ratio_text(value: Fraction) -> str:
    """0.1131… → '0.1131 (8.8× fewer)'; 1 → '1'."""
    if value == 1:
        return "1"
    if value < 1:
        return f"{float(value):.4f} ({float(1 / value):.1f}× fewer)"
    return f"{float(value):.4f} ({float(value):.1f}× more)"


def layer_table(result: SingleLayer):
    columns = (
        Column("label", "Layer / modification"), Column("input", "Input", drop=3),
        Column("output", "Output"), Column("mult_adds", "Mult-adds", numeric=True),
        Column("million_ma", "≈ M", numeric=True, drop=2),
        Column("params", f"Params ({result.params_convention})", numeric=True),
        Column("million_p", "≈ M", numeric=True, drop=2),
        Column("ratio_ma", "Mult-adds ÷ standard", numeric=True),
        Column("ratio_p", "Params ÷ standard", numeric=True, drop=1),
    )
    rows = tuple(
        {"label": row.label, "input": str(row.input_shape), "output": str(row.output_shape),
         "mult_adds": grouped(row.mult_adds), "million_ma": millions(row.mult_adds),
         "params": grouped(row.params), "million_p": millions(row.params),
         "ratio_ma": ratio_text(result.mult_adds_ratio(row)),
         "ratio_p": ratio_text(result.params_ratio(row))}
        for row in result.rows
    )
    n, k = result.c_out, result.kernel
    separable = result.row("separable")
    actual = result.mult_adds_ratio(separable)
    verdict = "equal, exactly" if actual == result.theory else "differs"
    notes = [
        f"Depthwise separable / standard mult-adds: {actual.numerator:,}/"
        f"{actual.denominator:,} = {float(actual):.6f}; the paper's 1/N + 1/D_K² = "
        f"1/{n} + 1/{k}² = {float(result.theory):.6f} ({verdict}).",
    ]
    if result.rho is not None:
        rho_row = result.row("rho")
        notes.append(f"ρ = {result.rho}: D_F = floor({result.size}·{result.rho} + 1/2) = "
                     f"{rho_row.input_shape.h} (round half up).")
    if result.params_convention == "paper":
        notes.append("Params count weights only (the paper's convention); --params trainable "
                     "adds batch-norm γ and β.")
    title = (f"One layer: {result.size}×{result.size}×{result.c_in} → {result.c_out} "
             f"channels, {k}×{k} kernel, stride {result.stride} (paper Table 3)")
    return TableData(title=title, columns=columns, rows=rows, notes=tuple(notes))


def layer_dict(result: SingleLayer) -> dict:
    return {
        "params_convention": result.params_convention,
        "theory": float(result.theory),
        "rows": [
            {"row": row.row, "mult_adds": row.mult_adds, "params": row.params,
             "input_shape": list(row.input_shape), "output_shape": list(row.output_shape),
             "mult_adds_ratio": float(result.mult_adds_ratio(row)),
             "params_ratio": float(result.params_ratio(row))}
            for row in result.rows
        ],
    }


CSV_FIELDS = ("row", "input_shape", "output_shape", "mult_adds", "params", "mult_adds_ratio",
              "params_ratio")


@dataclass(frozen=True)
class SingleLayerView(View):
    """``mncost layer``: one table (the paper's Table 3), its JSON and CSV."""

    result: SingleLayer

    csv_fields = CSV_FIELDS

    def to_dict(self) -> dict[str, Any]:
        return layer_dict(self.result)

    def tables(self) -> tuple[TableData, ...]:
        return (layer_table(self.result),)

    def csv_rows(self) -> Iterable[Sequence[Any]]:
        for row in self.result.rows:
            yield [row.row, "x".join(map(str, row.input_shape)),
                   "x".join(map(str, row.output_shape)), row.mult_adds, row.params,
                   repr(float(self.result.mult_adds_ratio(row))),
                   repr(float(self.result.params_ratio(row)))]
