"""The view of a sweep (``mncost sweep``): configurations, α × resolution matrices, CSV."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Sequence

import itertools

from mncost.core.sweep import Sweep, format_number
from mncost.core.units import grouped, human, human_bytes
from mncost.views.base import View
from mncost.views.formats import Column, LazyList, TableData

# Matrix views with more columns than this would not fit a terminal; json has them all.
MAX_MATRIX_COLUMNS = 16
# Tables (rich, markdown) show at most this many configurations and α rows; CSV and JSON,
# which stream, have every one.
MAX_TABLE_ROWS = 1000
CSV_FIELDS = ("alpha", "resolution", "mult_adds", "params", "weight_bytes",
              "peak_activation_bytes", "top1_paper")


def _configuration(p) -> dict[str, Any]:
    return {"alpha": float(p.alpha), "resolution": p.resolution, "mult_adds": p.mult_adds,
            "params": p.params, "weight_bytes": p.weight_bytes,
            "peak_activation_bytes": p.peak_activation_bytes, "top1_paper": p.top1_paper}


def sweep_dict(result: Sweep) -> dict[str, Any]:
    """The JSON contract of `mncost sweep` (docs/sweep.md "JSON output"). The long lists are
    ``LazyList``s: computed while the JSON is written, never held whole."""
    n_alpha = len(result.alphas)
    return {
        "model": result.model,
        "variant": result.variant,
        "params_convention": result.params_convention,
        "dtype": result.dtype,
        "depth_multiplier": result.depth_multiplier,
        "min_channels": result.min_channels,
        "alphas": [float(a) for a in result.alphas],
        "resolutions": list(result.resolutions),
        "configurations": LazyList(lambda: map(_configuration, result.iter_points()),
                                   result.count),
        "matrices": {"mult_adds": LazyList(lambda: map(list, result.iter_matrix("mult_adds")),
                                           n_alpha),
                     "params": LazyList(lambda: map(list, result.iter_matrix("params")),
                                        n_alpha)},
        "accuracy_source": result.accuracy_citation,
    }


def sweep_csv_rows(result: Sweep) -> Iterable[Sequence[Any]]:
    """One row per configuration, the JSON field names; α as exact decimal text."""
    for p in result.iter_points():
        yield [format_number(p.alpha), p.resolution, p.mult_adds, p.params,
               p.weight_bytes, p.peak_activation_bytes,
               "" if p.top1_paper is None else f"{p.top1_paper:g}"]


def sweep_tables(result: Sweep):
    """The configurations table, then (when small enough) the two matrix views."""
    show_accuracy = result.has_accuracy
    columns = [Column("alpha", "α", numeric=True), Column("resolution", "Resolution",
                                                           numeric=True),
               Column("mult_adds", "Mult-adds", numeric=True),
               Column("params", f"Params ({result.params_convention})", numeric=True),
               Column("weights", f"Weights ({result.dtype})", numeric=True, drop=2),
               Column("peak", "Peak activations", numeric=True, drop=1)]
    if show_accuracy:
        columns.append(Column("top1", "Top-1 (paper)", numeric=True))
    rows = tuple(
        {"alpha": format_number(p.alpha), "resolution": str(p.resolution),
         "mult_adds": grouped(p.mult_adds), "params": grouped(p.params),
         "weights": human_bytes(p.weight_bytes), "peak": human_bytes(p.peak_activation_bytes),
         "top1": "" if p.top1_paper is None else f"{p.top1_paper:.1f}%"}
        for p in itertools.islice(result.iter_points(), MAX_TABLE_ROWS))
    notes: list[str] = []
    if result.count > MAX_TABLE_ROWS:
        notes.append(f"First {MAX_TABLE_ROWS:,} of {result.count:,} configurations; "
                     "--format csv or json has every one (and streams it).")
    if show_accuracy:
        notes.append(f"Top-1 (paper): ImageNet top-1 as reported by "
                     f"{result.accuracy_citation}; not measured by mncost.")
    n_alpha, n_res = len(result.alphas), len(result.resolutions)
    title = (f"{result.model} · {result.variant} · {n_alpha} α × {n_res} resolution"
             f"{'s' if n_res != 1 else ''} = {result.count:,} configuration"
             f"{'s' if result.count != 1 else ''}")
    tables = [TableData(title=title, columns=tuple(columns), rows=rows, notes=tuple(notes))]

    if n_res > MAX_MATRIX_COLUMNS or n_alpha > MAX_TABLE_ROWS:
        tables[0] = TableData(title=title, columns=tuple(columns), rows=rows,
                              notes=tuple(notes) + (
                                  f"Matrix views left out: more than {MAX_MATRIX_COLUMNS} "
                                  f"resolutions or {MAX_TABLE_ROWS:,} α (--format json has "
                                  "them).",))
        return tables
    for field, label in (("mult_adds", "Mult-adds"),
                         ("params", f"Params ({result.params_convention})")):
        matrix = result.iter_matrix(field)
        m_columns = (Column("alpha", "α \\ resolution", numeric=True),) + tuple(
            Column(f"r{r}", str(r), numeric=True) for r in result.resolutions)
        m_rows = tuple(
            {"alpha": format_number(alpha),
             **{f"r{r}": human(value) for r, value in zip(result.resolutions, values)}}
            for alpha, values in zip(result.alphas, matrix))
        tables.append(TableData(title=f"{label}, α × resolution",
                                columns=m_columns, rows=m_rows))
    return tables


@dataclass(frozen=True)
class SweepView(View):
    result: Sweep

    csv_fields = CSV_FIELDS

    def to_dict(self) -> dict[str, Any]:
        return sweep_dict(self.result)

    def tables(self) -> tuple[TableData, ...]:
        return tuple(sweep_tables(self.result))

    def csv_rows(self) -> Iterable[Sequence[Any]]:
        return sweep_csv_rows(self.result)


@dataclass(frozen=True)
class FamilySweepView(View):
    """Several specs swept at once (``mncost sweep --spec A --spec B``): each sweep's table,
    JSON ``{"sweeps": [...]}`` with each sweep's own contract, CSV with a leading spec."""

    results: tuple[Sweep, ...]

    csv_fields = ("spec", "model") + CSV_FIELDS

    def to_dict(self) -> dict[str, Any]:
        return {"sweeps": [{"spec": r.spec_name or r.source, **sweep_dict(r)}
                           for r in self.results]}

    def tables(self) -> tuple[TableData, ...]:
        tables: list[TableData] = []
        for result in self.results:
            found = sweep_tables(result)
            # Matrix views of a one-point grid repeat the row; show them only when useful.
            tables.extend(found if result.count > 1 else found[:1])
        return tuple(tables)

    def csv_rows(self) -> Iterable[Sequence[Any]]:
        for result in self.results:
            for row in sweep_csv_rows(result):
                yield [result.spec_name or result.source, result.model, *row]
