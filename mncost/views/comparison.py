"""The view of a Comparison: ``mncost compare``'s JSON contract, tables and CSV."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Iterable, Sequence

from mncost.core.compare import AlignedRow, Comparison, TotalRow, group_shapes
from mncost.views.base import View
from mncost.views.formats import Column, TableData


def _float(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


def ratio_cell(value: Fraction | None) -> str:
    """A ratio for display: '8.56', '10.9', '1,154', '0.113'; '–' when undefined."""
    if value is None:
        return "–"
    number = float(value)
    if number >= 100:
        return f"{number:,.0f}"
    if number >= 0.001 or number == 0:
        return f"{number:.3g}"
    return f"{number:.2e}"


def side_title(label: str, comparison: Comparison, which: str) -> str:
    report = comparison.a if which == "a" else comparison.b
    net = report.network
    return (f"{label} = {net.model} · {net.variant} · α={net.alpha:g} · "
            f"{net.resolution_text}"
            + (f" · depth multiplier {net.depth_multiplier}" if net.depth_multiplier != 1
               else ""))


def _layers_text(layers) -> str:
    if not layers:
        return "(missing)"
    parts = []
    for lr in layers:
        stride = f" /s{lr.layer.stride}" if lr.layer.stride != 1 else ""
        parts.append(f"{lr.layer.filter_shape}{stride}")
    return " + ".join(parts)


def _int_cell(value: int | None) -> str:
    from mncost.views.formats import grouped
    return "–" if value is None else grouped(value)


def _theory_cell(row: AlignedRow) -> tuple[str, str]:
    if row.separable is None:
        return "", ""
    sep = row.separable
    mark = "✓ exact" if sep.agree else "≠"
    actual = float(sep.actual)
    return (f"{actual:.5f}" if actual >= 0.001 else f"{actual:.2e}",
            f"1/{sep.n} + 1/{sep.kernel}² = {float(sep.theory):.5f} {mark}")


def totals_table(comparison: Comparison, side_a: str, side_b: str):
    from mncost.views.formats import Column, TableData, grouped, human, human_bytes

    def show(total: TotalRow, value: int) -> str:
        if total.countable:
            return f"{grouped(value)} ({human(value)})"
        return f"{grouped(value)} ({human_bytes(value)})"

    rows = []
    for total in comparison.totals:
        label = (f"params ({comparison.a.params_convention})" if total.key == "params"
                 else total.label)
        if total.key in ("weight_bytes", "peak_activation_bytes"):
            label += f" ({comparison.a.dtype})"
        diff = total.difference
        rows.append({"metric": label, "a": show(total, total.a), "b": show(total, total.b),
                     "difference": ("+" if diff > 0 else "") + grouped(diff),
                     "ratio": ratio_cell(total.ratio), "words": total.words})
    columns = (Column("metric", "Total"), Column("a", "A", numeric=True),
               Column("b", "B", numeric=True),
               Column("difference", "B − A", numeric=True, drop=2),
               Column("ratio", "A ÷ B", numeric=True, drop=1), Column("words", "B vs A"))
    notes = (side_title("A", comparison, "a") + f"   [{side_a}]",
             side_title("B", comparison, "b") + f"   [{side_b}]")
    return TableData(title=f"{side_a} vs {side_b}", columns=columns, rows=tuple(rows),
                     notes=notes)


def rows_table(comparison: Comparison):
    from mncost.views.formats import Column, TableData

    pairs = comparison.separable_rows
    columns = (
        Column("name", "Layer"), Column("a_layers", "A", drop=3),
        Column("a_mult_adds", "A mult-adds", numeric=True),
        Column("b_layers", "B", drop=3), Column("b_mult_adds", "B mult-adds", numeric=True),
        Column("ratio", "A ÷ B", numeric=True),
    )
    if pairs:
        columns += (Column("actual", "sep ÷ std", numeric=True, drop=1),
                    Column("theory", "1/N + 1/D_K²", drop=2))
    rows = []
    for row in comparison.rows:
        actual, theory = _theory_cell(row)
        rows.append({"name": row.name, "a_layers": _layers_text(row.a),
                     "a_mult_adds": _int_cell(row.a_mult_adds),
                     "b_layers": _layers_text(row.b),
                     "b_mult_adds": _int_cell(row.b_mult_adds),
                     "ratio": ratio_cell(row.mult_adds_ratio), "actual": actual,
                     "theory": theory})
    notes = []
    if pairs:
        matched = [r for r in pairs if r.separable.shapes_match]
        agree = [r for r in matched if r.separable.agree]
        notes.append(
            f"Separable vs standard: {len(pairs)} rows. sep ÷ std is the dw + pw mult-adds over "
            f"the conv's; {len(matched)} of the rows meet the formula's assumptions (same "
            f"input, kernel and output, no depth multiplier), and in {len(agree)} of those it "
            f"equals 1/N + 1/D_K² exactly (✓).")
    only_a = sum(1 for r in comparison.rows if r.status == "only_a")
    only_b = sum(1 for r in comparison.rows if r.status == "only_b")
    if only_a or only_b:
        notes.append(f"Missing: {only_a} layers of A are not in B; {only_b} layers of B are "
                     f"not in A.")
    notes.extend(_paper_table4_notes(comparison))
    title = "Layers aligned by name" + (" (blockN.dw + blockN.pw ↔ blockN.conv)" if pairs else "")
    return TableData(title=title, columns=columns, rows=tuple(rows), notes=tuple(notes))


def _paper_table4_notes(comparison: Comparison) -> list[str]:
    """The spec's notes on published comparisons (the paper's Table 4 for MobileNet v1)."""
    from mncost.views.report import erratum_notes

    for report in (comparison.a, comparison.b):
        notes = erratum_notes(report, "compare")
        if notes:
            return list(notes)
    return []


def _side_dict(layers) -> dict[str, Any] | None:
    shapes = group_shapes(layers)
    if shapes is None:
        return None
    return {"layers": [lr.name for lr in layers], "kinds": [lr.kind for lr in layers],
            "input_shape": list(shapes[0]), "output_shape": list(shapes[1]),
            "mult_adds": sum(lr.mult_adds for lr in layers),
            "params": sum(lr.params for lr in layers)}


def row_dict(row: AlignedRow) -> dict[str, Any]:
    separable = None
    if row.separable is not None:
        sep = row.separable
        separable = {"side": sep.separable_side, "actual": float(sep.actual),
                     "theory": float(sep.theory), "n": sep.n, "kernel": sep.kernel,
                     "shapes_match": sep.shapes_match, "agree": sep.agree}
    return {"name": row.name, "status": row.status, "a": _side_dict(row.a),
            "b": _side_dict(row.b), "mult_adds_ratio": _float(row.mult_adds_ratio),
            "params_ratio": _float(row.params_ratio), "separable": separable}


def comparison_dict(comparison: Comparison, side_a: str, side_b: str) -> dict[str, Any]:
    from mncost.views.report import report_dict

    return {
        "sides": [side_a, side_b],
        "models": [report_dict(comparison.a), report_dict(comparison.b)],
        "ratio": {t.key: _float(t.ratio) for t in comparison.totals},
        "difference": {t.key: t.difference for t in comparison.totals},
        "rows": [row_dict(row) for row in comparison.rows],
    }


CSV_FIELDS = ("name", "status", "a_layers", "a_mult_adds", "a_params", "b_layers",
              "b_mult_adds", "b_params", "mult_adds_ratio", "separable_actual",
              "separable_theory")


def _csv_rows(comparison: Comparison) -> Iterable[Sequence[Any]]:
    """One row per aligned row, then a ``total`` row; ratios as floats, empty when undefined."""
    def cell(value) -> str:
        if value is None:
            return ""
        return repr(float(value)) if isinstance(value, Fraction) else str(value)

    for row in comparison.rows:
        sep = row.separable
        yield [row.name, row.status, " ".join(lr.name for lr in row.a),
               cell(row.a_mult_adds), cell(row.a_params),
               " ".join(lr.name for lr in row.b), cell(row.b_mult_adds),
               cell(row.b_params), cell(row.mult_adds_ratio),
               cell(sep.actual if sep else None), cell(sep.theory if sep else None)]
    a, b = comparison.a, comparison.b
    yield ["total", "total", "", a.mult_adds, a.params, "", b.mult_adds, b.params,
           cell(comparison.totals[0].ratio), "", ""]


@dataclass(frozen=True)
class ComparisonView(View):
    """Two models: the totals table, the aligned layers, and one CSV row per aligned row."""

    comparison: Comparison
    side_a: str
    side_b: str

    csv_fields = CSV_FIELDS

    def to_dict(self) -> dict[str, Any]:
        return comparison_dict(self.comparison, self.side_a, self.side_b)

    def tables(self) -> tuple[TableData, ...]:
        return (totals_table(self.comparison, self.side_a, self.side_b),
                rows_table(self.comparison))

    def csv_rows(self) -> Iterable[Sequence[Any]]:
        return _csv_rows(self.comparison)
