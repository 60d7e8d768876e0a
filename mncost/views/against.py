"""The view of ``mncost verify --against``: the spec's nodes matched with the model's."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mncost.core.units import grouped
from mncost.views.base import View
from mncost.views.formats import Column, TableData


def _number(value: int | None) -> str:
    return "–" if value is None else grouped(value)


@dataclass(frozen=True)
class AgainstView(View):
    """``result`` is a ``mncost.torch.against.AgainstResult`` (plain data; no torch here)."""

    result: Any

    def to_dict(self) -> dict[str, Any]:
        return as_dict(self.result)

    def tables(self) -> tuple[TableData, ...]:
        r = self.result
        net = r.network
        rows = tuple(
            {"index": str(i), "spec": row.spec_node or "–", "module": row.torch_module or "–",
             "kind": row.kind, "ma": _number(row.spec_mult_adds),
             "model_ma": _number(row.model_mult_adds), "params": _number(row.spec_params),
             "model_params": _number(row.model_params), "ok": "✓" if row.ok else "✗"}
            for i, row in enumerate(r.rows, start=1))
        nodes = TableData(
            title=f"verify · {net.model} · α={net.alpha:g} · {net.resolution_text} "
                  f"against {r.source}",
            columns=(Column("index", "#", numeric=True, drop=3), Column("spec", "Spec node"),
                     Column("module", "Torch module"), Column("kind", "Kind", drop=2),
                     Column("ma", "Mult-adds", numeric=True),
                     Column("model_ma", "fvcore", numeric=True),
                     Column("params", "Params", numeric=True, drop=1),
                     Column("model_params", "parameter_count", numeric=True, drop=1),
                     Column("ok", "Match")),
            rows=rows,
            notes=("Matched by structure and execution order (kind, kernel, stride, padding, "
                   "groups, bias, batch norm, activation, shapes), not by name; dropout, "
                   "flatten and softmax are left out.",))
        totals = TableData(
            title="Totals",
            columns=(Column("check", "Check"), Column("spec", "Spec", numeric=True),
                     Column("model", "Model", numeric=True), Column("ok", "Match")),
            rows=tuple({"check": t.check, "spec": grouped(t.spec), "model": grouped(t.model),
                        "ok": "✓" if t.ok else "✗"} for t in r.totals))
        return nodes, totals

    def closing(self) -> tuple[tuple[str, str], ...]:
        r = self.result
        if r.ok:
            return ((f"✓ verify --against: all {len(r.rows)} nodes and {len(r.totals)} totals "
                     f"match {r.source} exactly.", "bold green"),)
        lines = []
        first = r.first_divergence
        if first is not None:
            lines.append((f"✗ first divergence: spec {first.spec_node or '(none)'} ↔ "
                          f"{first.torch_module or '(none)'}: {first.problem}", "bold red"))
        for t in r.totals:
            if not t.ok:
                lines.append((f"✗ {t.check}: {t.spec:,} vs {t.model:,}", "bold red"))
        lines.append((f"{len(r.mismatches)} of {len(r.rows)} nodes differ.", "red"))
        return tuple(lines)


def as_dict(result: Any) -> dict[str, Any]:
    """The JSON of ``verify --against`` (docs/verify.md)."""
    first = result.first_divergence
    return {
        "ok": result.ok,
        **result.network.describe(),
        "against": result.source,
        "first_divergence": None if first is None else
        {"spec_node": first.spec_node, "torch_module": first.torch_module,
         "problem": first.problem},
        "layers": [{"spec_node": r.spec_node, "torch_module": r.torch_module, "kind": r.kind,
                    "spec_mult_adds": r.spec_mult_adds, "model_mult_adds": r.model_mult_adds,
                    "spec_params": r.spec_params, "model_params": r.model_params,
                    "match": r.ok, "problem": r.problem} for r in result.rows],
        "totals": [{"check": t.check, "spec": t.spec, "model": t.model, "match": t.ok}
                   for t in result.totals],
        "unknown_operations": [{"operation": op, "where": where}
                               for op, where in result.unknown],
    }
