"""The views of ``mncost bench``: one model's measured latency by layer kind, and two
models side by side (``--compare``). Bench results come in as plain objects; nothing here
imports torch."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from mncost.core.units import grouped
from mncost.views.base import View
from mncost.views.formats import Column, TableData

KIND_CSV_FIELDS = ("kind", "layers", "mult_adds", "mult_add_share", "time_ms", "time_share")
COMPARE_CSV_FIELDS = ("model", "variant", "alpha", "resolution", "mult_adds", "median_ms",
                      "q1_ms", "q3_ms", "min_ms", "max_ms", "gmacs_per_s")


def label(network) -> str:
    return (f"{network.model} · {network.variant} · α={network.alpha:g} · "
            f"{network.resolution_text}")


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 4)


def _pct(share: float) -> str:
    return f"{100 * share:.1f}%"


def _ms_text(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def bench_dict(result) -> dict[str, Any]:
    """The JSON contract of `mncost bench` (docs/sweep.md "mncost bench")."""

    lat = result.latency
    return {
        **result.network.describe(),
        "device": "cpu", "dtype": "float32", "batch": 1, "threads": result.threads,
        "runs": result.runs, "warmup": result.warmup, "torch_version": result.torch_version,
        "mult_adds": result.mult_adds,
        "latency_ms": {"median": _ms(lat.median), "q1": _ms(lat.q1), "q3": _ms(lat.q3),
                       "min": _ms(lat.minimum), "max": _ms(lat.maximum)},
        "samples_ms": [_ms(s) for s in lat.samples],
        # 6 significant digits, not 3 decimals: a tiny model runs at 0.0x GMAC/s
        "gmacs_per_s": float(f"{result.gmacs_per_second:.6g}"),
        "kinds": [
            {"kind": k.kind, "layers": k.layers, "mult_adds": k.mult_adds,
             "mult_add_share": round(k.mult_add_share, 6), "time_ms": _ms(k.seconds),
             "time_share": round(k.time_share, 6)}
            for k in result.kinds
        ],
        "other_time_share": round(result.other_share, 6),
        "breakdown_passes": result.breakdown_passes,
        "layers": [{"name": lt.name, "kind": lt.kind, "mult_adds": lt.mult_adds,
                    "time_ms": _ms(lt.seconds)} for lt in result.layers],
    }


def compare_dict(comparison, labels: tuple[str, str]) -> dict[str, Any]:
    ratio = comparison.mult_add_ratio
    return {
        "labels": list(labels),
        "models": [bench_dict(comparison.a), bench_dict(comparison.b)],
        "speedup": round(comparison.speedup, 4),
        "mult_add_ratio": None if ratio is None else round(ratio, 4),
    }


def kinds_csv_rows(result) -> Iterable[Sequence[Any]]:
    """One row per layer kind, then ``other``; shares as fractions of 1."""
    for k in result.kinds:
        yield [k.kind, k.layers, k.mult_adds, f"{k.mult_add_share:.6f}",
               f"{k.seconds * 1000:.4f}", f"{k.time_share:.6f}"]
    yield ["other", 0, 0, "0.000000", "", f"{result.other_share:.6f}"]


def compare_csv_rows(comparison, labels: tuple[str, str]) -> Iterable[Sequence[Any]]:
    for label, result in zip(labels, (comparison.a, comparison.b)):
        lat = result.latency
        yield [label, result.network.variant, f"{result.network.alpha:g}",
               result.network.resolution, result.mult_adds,
               *(f"{v * 1000:.4f}" for v in (lat.median, lat.q1, lat.q3, lat.minimum,
                                             lat.maximum)),
               f"{result.gmacs_per_second:.3f}"]


def _latency_table(results, labels: tuple[str, ...] | None = None):
    columns = [Column("median", "Median", numeric=True),
               Column("iqr", "IQR (q1–q3)", numeric=True),
               Column("range", "Min–max", numeric=True),
               Column("runs", "Runs", numeric=True),
               Column("mult_adds", "Mult-adds", numeric=True),
               Column("gmacs", "Effective GMAC/s", numeric=True)]
    if labels is not None:
        columns.insert(0, Column("model", "Model"))
    rows = []
    for i, result in enumerate(results):
        lat = result.latency
        rows.append({"model": labels[i] if labels else "",
                     "median": _ms_text(lat.median),
                     "iqr": f"{lat.q1 * 1000:.2f}–{lat.q3 * 1000:.2f} ms",
                     "range": f"{lat.minimum * 1000:.2f}–{lat.maximum * 1000:.2f} ms",
                     "runs": str(result.runs), "mult_adds": grouped(result.mult_adds),
                     "gmacs": f"{result.gmacs_per_second:.1f}"})
    first = results[0]
    title = "Measured latency" if labels else f"{label(first.network)} · measured latency"
    setup = (f"CPU, float32, batch 1, {first.threads} thread{'s' if first.threads != 1 else ''},"
             f" torch {first.torch_version}; {first.warmup} warm-up + {first.runs} timed "
             "passes each.")
    notes = (setup,) + tuple(spread_warning(result, labels[i] if labels else None)
                             for i, result in enumerate(results)
                             if spread_warning(result, None))
    return TableData(title=title, columns=tuple(columns), rows=tuple(rows), notes=notes)


# Above this ratio of the slowest to the fastest timed pass, a median is not to be trusted
# without a word: the machine was busy, or threads fought.
SPREAD_WARNING = 1.5


def spread_warning(result, label: str | None) -> str:
    """A warning when the timed passes spread widely, or ''."""
    lat = result.latency
    if lat.minimum <= 0 or lat.maximum / lat.minimum < SPREAD_WARNING:
        return ""
    who = f"{label}: " if label else ""
    return (f"Warning: {who}the timed passes vary {lat.maximum / lat.minimum:.1f}× "
            f"(min {lat.minimum * 1000:.2f} ms, max {lat.maximum * 1000:.2f} ms) with "
            f"{result.threads} thread{'s' if result.threads != 1 else ''}: the machine may "
            "be busy; try --threads 1 and more --runs.")


def _kinds_table(result, label: str | None = None):
    columns = (Column("kind", "Kind"), Column("layers", "Layers", numeric=True),
               Column("mult_adds", "Mult-adds", numeric=True),
               Column("ma_share", "% mult-adds", numeric=True),
               Column("time", "Time (median)", numeric=True),
               Column("time_share", "% time", numeric=True),
               Column("ratio", "% time ÷ % mult-adds", numeric=True))
    rows = [{"kind": k.kind, "layers": str(k.layers), "mult_adds": grouped(k.mult_adds),
             "ma_share": _pct(k.mult_add_share), "time": _ms_text(k.seconds),
             "time_share": _pct(k.time_share),
             "ratio": "–" if k.time_per_mult_add_share is None
             else f"{k.time_per_mult_add_share:.2f}×"}
            for k in result.kinds]
    rows.append({"kind": "other (between layers)", "layers": "", "mult_adds": "",
                 "ma_share": "", "time": "", "time_share": _pct(result.other_share),
                 "ratio": ""})
    title = "Measured time by layer kind"
    if label:
        title += f" · {label}"
    dropped = result.runs - result.breakdown_passes
    note = (f"Forward hooks on every layer, {result.breakdown_passes} passes"
            + (f" ({dropped} outlier{'s' if dropped != 1 else ''} left out)" if dropped else "")
            + "; a conv's time includes its batch norm and ReLU. Ratio above 1: slower per "
              "mult-add than the model as a whole.")
    return TableData(title=title, columns=columns, rows=tuple(rows), notes=(note,))


def bench_tables(result):
    return [_latency_table([result]), _kinds_table(result)]


def compare_tables(comparison, labels: tuple[str, str]):
    latency = _latency_table([comparison.a, comparison.b], labels)
    ratio = comparison.mult_add_ratio
    predicted = "undefined (B has no mult-adds)" if ratio is None else f"{ratio:.2f}×"
    summary = (f"Measured speed-up of {labels[1]} over {labels[0]}: {comparison.speedup:.2f}× "
               f"(median latency {labels[0]} / {labels[1]}); mult-add ratio "
               f"{labels[0]} / {labels[1]}: {predicted}.")
    latency = TableData(title=latency.title, columns=latency.columns, rows=latency.rows,
                        notes=latency.notes + (summary,))
    return [latency, _kinds_table(comparison.a, labels[0]),
            _kinds_table(comparison.b, labels[1])]


@dataclass(frozen=True)
class BenchView(View):
    result: Any  # mncost.torch.bench.BenchResult

    csv_fields = KIND_CSV_FIELDS

    def to_dict(self) -> dict[str, Any]:
        return bench_dict(self.result)

    def tables(self) -> tuple[TableData, ...]:
        return tuple(bench_tables(self.result))

    def csv_rows(self) -> Iterable[Sequence[Any]]:
        return kinds_csv_rows(self.result)


@dataclass(frozen=True)
class BenchComparisonView(View):
    comparison: Any  # mncost.torch.bench.BenchComparison
    labels: tuple[str, str]

    csv_fields = COMPARE_CSV_FIELDS

    def to_dict(self) -> dict[str, Any]:
        return compare_dict(self.comparison, self.labels)

    def tables(self) -> tuple[TableData, ...]:
        return tuple(compare_tables(self.comparison, self.labels))

    def csv_rows(self) -> Iterable[Sequence[Any]]:
        return compare_csv_rows(self.comparison, self.labels)
