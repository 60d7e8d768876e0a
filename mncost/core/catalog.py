"""The built-in specs, described: what ``mncost specs`` lists.

Each built-in name (torchvision's factory names) is one spec file, or one configuration of a
file (``efficientnet_b3`` is ``efficientnet.yaml`` at α 1.2, repeat multiplier 1.4, 300
pixels); ``spec.BUILTINS`` is the index.
"""

from __future__ import annotations

from fractions import Fraction
from typing import NamedTuple

from mncost.core import spec as spec_module
from mncost.core.costing import analyze


class BuiltinSpec(NamedTuple):
    name: str
    model: str
    description: str
    file: str
    variants: tuple[str, ...]
    default_variant: str
    alpha: Fraction
    repeat_multiplier: Fraction
    input_size: tuple[int, int]
    rounding: str
    mult_adds: int   # at the defaults: the default variant, α, repeats and resolution
    params: int      # trainable


def builtin_specs() -> tuple[BuiltinSpec, ...]:
    """Every built-in, in ``spec.BUILTINS`` order, with its cost at its own defaults."""
    found = []
    for name, (file, _) in spec_module.BUILTINS.items():
        loaded = spec_module.load(name)
        report = analyze(spec_module.resolve(loaded))
        found.append(BuiltinSpec(
            name=name, model=loaded.model, description=loaded.description,
            file=f"mncost/configs/{file}.yaml", variants=loaded.variant_names,
            default_variant=loaded.default_variant, alpha=loaded.alpha,
            repeat_multiplier=loaded.repeat_multiplier, input_size=loaded.input_size,
            rounding=loaded.rounding, mult_adds=report.mult_adds, params=report.params))
    return tuple(found)
