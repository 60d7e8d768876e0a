"""``mncost specs``: the built-in specs as a table and as JSON."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from mncost.core.catalog import BuiltinSpec
from mncost.core.settings import format_decimal
from mncost.views.base import View
from mncost.views.formats import Column, TableData, human


def _size(spec: BuiltinSpec) -> str:
    h, w = spec.input_size
    return str(h) if h == w else f"{h}x{w}"


def _variants(spec: BuiltinSpec) -> str:
    return ", ".join(f"{v}*" if v == spec.default_variant and len(spec.variants) > 1 else v
                     for v in spec.variants)


@dataclass(frozen=True)
class SpecsView(View):
    specs: tuple[BuiltinSpec, ...]

    csv_fields = ("name", "model", "description", "file", "variants", "default_variant",
                  "alpha", "repeat_multiplier", "resolution", "rounding", "mult_adds", "params")

    def to_dict(self) -> dict[str, Any]:
        return {"specs": [
            {"name": s.name, "model": s.model, "description": s.description, "file": s.file,
             "variants": list(s.variants), "default_variant": s.default_variant,
             "alpha": format_decimal(s.alpha),
             "repeat_multiplier": format_decimal(s.repeat_multiplier),
             "resolution": s.input_size[0] if s.input_size[0] == s.input_size[1]
             else list(s.input_size),
             "rounding": s.rounding, "mult_adds": s.mult_adds, "params": s.params}
            for s in self.specs]}

    def tables(self) -> tuple[TableData, ...]:
        columns = (Column("name", "Name"), Column("model", "Model", drop=3),
                   Column("alpha", "α", numeric=True), Column("depth", "Repeats ×",
                                                              numeric=True, drop=1),
                   Column("resolution", "Resolution", numeric=True),
                   Column("mult_adds", "Mult-adds", numeric=True),
                   Column("params", "Params", numeric=True),
                   Column("variants", "Variants (* default)", drop=2),
                   Column("description", "Description", drop=4))
        rows = tuple({"name": s.name, "model": s.model, "alpha": format_decimal(s.alpha),
                      "depth": format_decimal(s.repeat_multiplier), "resolution": _size(s),
                      "mult_adds": human(s.mult_adds), "params": human(s.params),
                      "variants": _variants(s), "description": s.description}
                     for s in self.specs)
        notes = ("Use any name with --spec (table, compare sides, sweep, verify, check "
                 "budgets). Mult-adds and trainable params at each spec's own α, repeats and "
                 "resolution; --alpha, --repeat-multiplier and --resolution replace them.",)
        return (TableData(title="Built-in specs", columns=columns, rows=rows, notes=notes),)

    def csv_rows(self) -> Iterable[Sequence[Any]]:
        for s in self.specs:
            yield [s.name, s.model, s.description, s.file, " ".join(s.variants),
                   s.default_variant, format_decimal(s.alpha),
                   format_decimal(s.repeat_multiplier), _size(s), s.rounding, s.mult_adds,
                   s.params]
