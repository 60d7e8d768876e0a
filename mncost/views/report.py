"""The view of a Report: ``mncost table``'s JSON contract, tables and CSV."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from mncost.core.costing import Report
from mncost.core.ir import Network
from mncost.core.units import grouped, human, human_bytes, percent
from mncost.views.base import View
from mncost.views.formats import Column, TableData

if TYPE_CHECKING:  # pragma: no cover
    from mncost.core.presets import PresetCount


def network_fields(net: Network) -> dict[str, Any]:
    """Which model a JSON result describes; the same keys in every command's output."""
    return net.describe()


def report_dict(report: Report) -> dict[str, Any]:
    """The documented JSON contract of ``mncost table`` (README "JSON output")."""
    return {
        **network_fields(report.network),
        "params_convention": report.params_convention,
        "dtype": report.dtype,
        "layers": [
            {
                "name": lr.name,
                "kind": lr.kind,
                "inputs": list(lr.layer.inputs),
                "stride": _stride(lr.layer.stride),
                "filter": lr.layer.filter_shape,
                "input_shape": list(lr.input_shape),
                "output_shape": list(lr.output_shape),
                "mult_adds": lr.mult_adds,
                "params": lr.params,
                "activation_elements": lr.activation_elements,
            }
            for lr in report.layers
        ],
        "totals": {
            "mult_adds": report.mult_adds,
            "params": report.params,
            "weight_bytes": report.weight_bytes,
            "peak_activation_bytes": report.peak_activation_bytes,
        },
        "peak_activation_layer": report.peak_activation_layer,
        "by_kind": [
            {"kind": k.kind, "layers": k.layers, "mult_adds": k.mult_adds, "params": k.params}
            for k in report.by_kind()
        ],
        "notes": erratum_dicts(report),
    }




def erratum_numbers(report: Report) -> dict[str, int]:
    """The numbers a spec's note on a published figure may name, exact."""
    fc = sum(lr.mult_adds for lr in report.layers if lr.kind == "fc")
    trainable = sum(lr.cost.params("trainable") for lr in report.layers)
    bn_affine = sum(lr.cost.bn_affine for lr in report.layers)
    return {"mult_adds": report.mult_adds, "fc_mult_adds": fc,
            "conv_mult_adds": report.mult_adds - fc, "params": trainable,
            "params_without_bn": trainable - bn_affine}


def erratum_notes(report: Report, table: str) -> tuple[str, ...]:
    """The spec's notes on published figures for ``table``, numbers filled in from the
    report (``{mult_adds}``, ``{conv_mult_adds}``, ``{fc_mult_adds}``, ``{params}``
    (trainable), ``{params_without_bn}``)."""
    values = {key: grouped(value) for key, value in erratum_numbers(report).items()}
    return tuple(note.format_map(values) for note in report.network.notes_for(table))


def erratum_dicts(report: Report) -> list[dict[str, Any]]:
    """The notes as JSON: where each is shown, its text, and the numbers it names as ints
    (so every number ``table`` prints is in its JSON too)."""
    import string

    numbers = erratum_numbers(report)
    found = []
    for table, note in report.network.errata:
        named = [field for _, field, _, _ in string.Formatter().parse(note) if field]
        found.append({"table": table,
                      "text": note.format_map({k: grouped(v) for k, v in numbers.items()}),
                      "numbers": {name: numbers[name] for name in dict.fromkeys(named)}})
    return found


def block_rules(nodes) -> tuple[bool, ...] | None:
    """For each node but the last: whether a rule follows it (it ends or precedes a block of
    three or more nodes, or an inverted residual); None when there is no such block."""
    grouped: set[str] = set()
    sizes: dict[str, int] = {}
    for node in nodes:
        if node.block:
            sizes[node.block] = sizes.get(node.block, 0) + 1
            if node.role not in (None, "dw", "pw"):  # an inverted residual, even a 2-node one
                grouped.add(node.block)
    grouped |= {block for block, size in sizes.items() if size >= 3}
    if not grouped:
        return None

    def big(node) -> bool:
        return node.block in grouped

    return tuple(here.block != after.block and (big(here) or big(after))
                 for here, after in zip(nodes, nodes[1:]))


def report_tables(report: Report) -> tuple[TableData, TableData]:
    """The layer table (paper Table 1 plus costs) and the by-kind breakdown (Table 2)."""
    net = report.network
    total_ma, total_p = report.mult_adds, report.params
    columns = (
        Column("index", "#", numeric=True, drop=4), Column("name", "Layer"),
        Column("type", "Type / Stride", drop=2), Column("filter", "Filter shape", drop=1),
        Column("input", "Input size", drop=3), Column("output", "Output size"),
        Column("mult_adds", "Mult-adds", numeric=True),
        Column("params", f"Params ({report.params_convention})", numeric=True),
        Column("share", "% mult-adds", numeric=True, drop=5),
    )
    rows = tuple(
        {
            "index": str(i), "name": lr.name,
            "type": f"{lr.layer.type_label} / s{lr.layer.stride}",
            "filter": lr.layer.filter_shape, "input": str(lr.input_shape),
            "output": str(lr.output_shape), "mult_adds": grouped(lr.mult_adds),
            "params": grouped(lr.params), "share": percent(lr.mult_adds, total_ma),
        }
        for i, lr in enumerate(report.layers, start=1)
    )
    footer = {"index": "", "name": "Total", "type": f"{len(report.layers)} layers",
              "filter": "", "input": str(net.input_shape), "output": str(net.output_shape),
              "mult_adds": human(total_ma), "params": human(total_p), "share": "100.00%"}
    alpha = f"{net.alpha:g}"
    title = (f"{net.model} · {net.variant} · α={alpha} · {net.resolution_text}"
             + (f" · depth multiplier {net.depth_multiplier}" if net.depth_multiplier != 1 else ""))
    notes = (
        f"{grouped(total_ma)} mult-adds · {grouped(total_p)} params "
        f"({report.params_convention}) · weights {human_bytes(report.weight_bytes)} "
        f"({report.dtype}) · peak activations {human_bytes(report.peak_activation_bytes)} "
        f"(at {report.peak_activation_layer})",
    )
    layer_table = TableData(title=title, columns=columns, rows=rows, footer=footer, notes=notes)

    kinds = report.by_kind()
    kind_rows = tuple(
        {"kind": k.kind, "layers": str(k.layers), "mult_adds": grouped(k.mult_adds),
         "share_ma": percent(k.mult_adds, total_ma), "params": grouped(k.params),
         "share_p": percent(k.params, total_p)}
        for k in kinds
    )
    kind_notes = erratum_notes(report, "by_kind")
    kind_table = TableData(
        title="Resources per layer type (paper Table 2)",
        columns=(Column("kind", "Type"), Column("layers", "Layers", numeric=True),
                 Column("mult_adds", "Mult-adds", numeric=True),
                 Column("share_ma", "% mult-adds", numeric=True),
                 Column("params", "Params", numeric=True),
                 Column("share_p", "% params", numeric=True)),
        rows=kind_rows, notes=kind_notes)
    return layer_table, kind_table


def preset_table(count, paper_mult_adds: int | None = None) -> TableData:
    """The terms of one preset (``mncost table --count-as``)."""
    from mncost.core.kinds import quantity_labels

    labels = quantity_labels()
    p = count.preset
    rows = tuple(
        {"term": name if weight == 1 else f"{weight}·{name}",
         "meaning": labels[name] + ("" if weight == 1 else f", × {weight}"),
         "count": grouped(value)}
        for name, weight, value in count.terms
    )
    notes = [f"Tool: {p.tool}; it calls this number {p.tool_label}.", f"Rule source: {p.source}."]
    if paper_mult_adds is not None and p.name != "paper":
        diff = count.total - paper_mult_adds
        notes.append(f"mncost's mult-adds (the paper's convention): {grouped(paper_mult_adds)}; "
                     f"this tool's number differs by {diff:+,}"
                     + (f" ({count.total / paper_mult_adds:.4f}×)." if paper_mult_adds else "."))
    return TableData(
        title=f"Counted as {p.name}: {grouped(count.total)} {p.unit}",
        columns=(Column("term", "Term"), Column("meaning", "What it counts"),
                 Column("count", p.unit, numeric=True)),
        rows=rows,
        footer={"term": "Total", "meaning": p.rule, "count": grouped(count.total)},
        notes=tuple(notes))


def _stride(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


@dataclass(frozen=True)
class ReportView(View):
    """``mncost table``: the layer table, the Table 2 breakdown and, with ``count_as``, one
    peer tool's total term by term."""

    report: Report
    count_as: PresetCount | None = None

    csv_fields = ("name", "kind", "inputs", "stride", "filter", "input_shape", "output_shape",
                  "mult_adds", "params", "activation_elements")

    def to_dict(self) -> dict[str, Any]:
        data = report_dict(self.report)
        if self.count_as is not None:
            data["count_as"] = self.count_as.as_dict()
        return data

    def tables(self) -> tuple[TableData, ...]:
        found = report_tables(self.report)
        if self.count_as is None:
            return found
        return (*found, preset_table(self.count_as, self.report.mult_adds))

    def terminal_tables(self) -> tuple[tuple[TableData, tuple[bool, ...] | None], ...]:
        # A rule around each block of three or more nodes (an inverted residual with its
        # expand, depthwise, squeeze-and-excite, project and add) so a block reads as one;
        # MobileNet v1's two-node separable pairs stay one unbroken table as in the paper.
        tables = self.tables()
        return ((tables[0], block_rules(self.report.network.nodes)),
                *((table, None) for table in tables[1:]))

    def csv_rows(self) -> Iterable[Sequence[Any]]:
        """One row per layer with the JSON field names; shapes written as ``HxWxC``, a
        layer's inputs separated by spaces, a non-square stride as ``HxW``."""
        for lr in self.report.layers:
            stride = lr.layer.stride
            yield [lr.name, lr.kind, " ".join(lr.layer.inputs),
                   "x".join(map(str, stride)) if isinstance(stride, tuple) else stride,
                   lr.layer.filter_shape, "x".join(map(str, lr.input_shape)),
                   "x".join(map(str, lr.output_shape)), lr.mult_adds, lr.params,
                   lr.activation_elements]
