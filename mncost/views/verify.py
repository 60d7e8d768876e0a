"""The views of ``mncost verify``: one model's reconciliation, and the --grid of models.

The torch side's results (``mncost.torch.verify.Crosscheck``) come in as plain objects;
nothing here imports torch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mncost.core.units import grouped
from mncost.views.base import View
from mncost.views.formats import Column, TableData


def _title(net) -> str:
    return (f"verify · {net.model} · {net.variant} · α={net.alpha:g} · "
            f"{net.resolution_text}"
            + (f" · depth multiplier {net.depth_multiplier}" if net.depth_multiplier != 1 else ""))


def _mark(ok: bool) -> str:
    return "✓" if ok else "✗"


def _tables(result) -> list:
    net = result.network
    rows = tuple(
        {"index": str(i), "name": layer.name,
         "ma": grouped(layer.analytic_mult_adds), "fv_ma": grouped(layer.fvcore_mult_adds),
         "params": grouped(layer.analytic_params), "fv_params": grouped(layer.fvcore_params),
         "shape": str(layer.observed_shape) if layer.observed_shape else "-",
         "ok": _mark(layer.match)}
        for i, layer in enumerate(result.layers, start=1)
    )
    all_layers_ok = all(layer.match for layer in result.layers)
    footer = {"index": "", "name": f"Total ({len(result.layers)} layers)",
              "ma": grouped(result.report.mult_adds), "fv_ma": grouped(result.fvcore_mult_adds),
              "params": grouped(result.report.params_as("trainable")),
              "fv_params": grouped(result.fvcore_params), "shape": str(net.output_shape),
              "ok": _mark(all_layers_ok)}
    layer_table = TableData(
        title=_title(net),
        columns=(Column("index", "#", numeric=True), Column("name", "Layer"),
                 Column("ma", "Mult-adds", numeric=True),
                 Column("fv_ma", "fvcore conv+fc", numeric=True),
                 Column("params", "Params", numeric=True),
                 Column("fv_params", "parameter_count", numeric=True),
                 Column("shape", "Output (hook)"), Column("ok", "Match")),
        rows=rows, footer=footer,
        notes=("Mult-adds and Params (trainable) are mncost's; fvcore conv+fc and "
               "parameter_count are fvcore's for the layer's module. Also checked per layer: "
               "FlopCounterMode FLOPs = 2 × mult-adds; params (paper) = conv/linear weights; "
               "params (all) = + batch-norm running stats; fvcore's batch_norm and pooling "
               "closed forms; the output shape.",))

    def value(v) -> str:
        if isinstance(v, int):
            return grouped(v)
        if isinstance(v, tuple):
            return "×".join(map(str, v))
        return "-" if v is None else str(v)

    total_table = TableData(
        title="Totals",
        columns=(Column("check", "Check"), Column("expected", "mncost", numeric=True),
                 Column("measured", "measured", numeric=True), Column("ok", "Match")),
        rows=tuple({"check": c.quantity, "expected": value(c.expected),
                    "measured": value(c.measured), "ok": _mark(c.ok)} for c in result.totals))
    tables = [layer_table, total_table]
    if result.mismatches:
        tables.append(_mismatch_table(result.mismatches, value))
    return tables


def _mismatch_table(mismatches, value, prefix: dict[str, str] | None = None):
    columns = (Column("layer", "Layer"), Column("quantity", "Quantity"),
               Column("expected", "mncost", numeric=True),
               Column("measured", "measured", numeric=True),
               Column("difference", "difference", numeric=True))
    if prefix is not None:
        columns = (Column("model", "Model"),) + columns
    rows = []
    for item in mismatches:
        model_label, m = item if isinstance(item, tuple) else ("", item)
        diff = m.difference
        rows.append({"model": model_label, "layer": m.layer, "quantity": m.quantity,
                     "expected": value(m.expected), "measured": value(m.measured),
                     "difference": f"{diff:+,}" if diff is not None else "-"})
    return TableData(title="Differences", columns=columns, rows=tuple(rows))


def _verdict(result) -> str:
    if result.ok:
        return (f"✓ verify: all {len(result.layers)} layers and {len(result.totals)} totals "
                f"reconcile exactly ({result.check_count} checks).")
    return f"✗ verify: {len(result.mismatches)} of {result.check_count} checks differ."


def failure_message(mismatches) -> str:
    """``verify: 5 numbers differ, in layer block3.dw and 3 totals``."""
    layers: list[str] = []
    for m in mismatches:
        if m.layer != "total" and m.layer not in layers:
            layers.append(m.layer)
    totals = sum(m.layer == "total" for m in mismatches)
    where = []
    if layers:
        shown = ", ".join(layers[:5]) + (f" and {len(layers) - 5} more" if len(layers) > 5 else "")
        where.append(f"layer{'s' if len(layers) != 1 else ''} {shown}")
    if totals:
        where.append(f"{totals} total{'s' if totals != 1 else ''}")
    count = len(mismatches)
    return f"verify: {count} number{'s' if count != 1 else ''} differ, in {' and '.join(where)}"


@dataclass(frozen=True)
class CrosscheckView(View):
    """One model: per-layer table, totals, differences; then what fvcore skipped and the
    verdict."""

    result: Any  # mncost.torch.verify.Crosscheck

    @classmethod
    def formats(cls) -> tuple[str, ...]:
        return ("rich", "markdown", "json")

    def to_dict(self) -> dict[str, Any]:
        return self.result.as_dict()

    def tables(self) -> tuple[TableData, ...]:
        return tuple(_tables(self.result))

    def closing(self) -> tuple[tuple[str, str], ...]:
        return (("", ""), (self.result.skipped_summary(), "dim"),
                (_verdict(self.result), "bold green" if self.result.ok else "bold red"))


def grid_label(result: Any) -> str:
    net = result.network
    return f"{net.variant} α={net.alpha:g} {net.resolution}"


def grid_summary(results: list, variants: int, alphas: int, resolutions: int,
                 seconds: float) -> str:
    failed = sum(not r.ok for r in results)
    shape = (f"{variants} variant{'s' if variants != 1 else ''} × {alphas} α × "
             f"{resolutions} resolutions")
    checks = sum(r.check_count for r in results)
    if failed:
        return (f"✗ verify --grid: {failed} of {len(results)} models ({shape}) differ; "
                f"{seconds:.1f} s.")
    return (f"✓ verify --grid: all {len(results)} models ({shape}, {checks:,} checks) reconcile "
            f"exactly in {seconds:.1f} s.")


def _value(v: Any) -> str:
    return f"{v:,}" if isinstance(v, int) else ("×".join(map(str, v))
                                                 if isinstance(v, tuple) else str(v))


@dataclass(frozen=True)
class GridView(View):
    """``verify --grid``: one row per model, the differences of those that failed."""

    model: str
    results: tuple
    summary: str

    @classmethod
    def formats(cls) -> tuple[str, ...]:
        return ("rich", "markdown", "json")

    @property
    def failed(self) -> list:
        return [r for r in self.results if not r.ok]

    def tables(self) -> tuple[TableData, ...]:
        grid = TableData(
            title=f"verify --grid · {self.model}",
            columns=(Column("variant", "Variant"), Column("alpha", "α", numeric=True),
                     Column("resolution", "Res.", numeric=True),
                     Column("ma", "Mult-adds", numeric=True),
                     Column("fv", "fvcore conv+fc", numeric=True),
                     Column("flops", "FlopCounterMode", numeric=True),
                     Column("params", "Params", numeric=True),
                     Column("fv_params", "parameter_count", numeric=True),
                     Column("ok", "Match")),
            rows=tuple({"variant": r.network.variant, "alpha": f"{r.network.alpha:g}",
                        "resolution": str(r.network.resolution),
                        "ma": grouped(r.report.mult_adds), "fv": grouped(r.fvcore_mult_adds),
                        "flops": grouped(r.flop_counter_flops),
                        "params": grouped(r.report.params_as("trainable")),
                        "fv_params": grouped(r.fvcore_params), "ok": _mark(r.ok)}
                       for r in self.results))
        if not self.failed:
            return (grid,)
        return (grid, _mismatch_table([(grid_label(r), m) for r in self.failed
                                       for m in r.mismatches], _value, prefix={}))

    def closing(self) -> tuple[tuple[str, str], ...]:
        return ((self.summary, "bold red" if self.failed else "bold green"),)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": not self.failed,
            "models": [
                {"variant": r.network.variant, "alpha": r.network.alpha,
                 "resolution": r.network.resolution, "ok": r.ok,
                 "analytic": {"mult_adds": r.report.mult_adds,
                              "params": r.report.params_as("trainable")},
                 "fvcore": {"mult_adds": r.fvcore_mult_adds, "total": r.fvcore_total,
                            "params": r.fvcore_params},
                 "flop_counter": {"flops": r.flop_counter_flops},
                 "mismatches": r.as_dict()["mismatches"]}
                for r in self.results
            ],
            "summary": {"models": len(self.results), "failed": len(self.failed),
                        "checks": sum(r.check_count for r in self.results)},
        }
