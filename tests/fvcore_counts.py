"""fvcore's own counts of a real model, for tests that compare mncost with what it did not
write (quiet: fvcore's warnings about unsupported operators are expected here)."""

from __future__ import annotations

import warnings


def _analysis(model, x):
    from fvcore.nn import FlopCountAnalysis

    analysis = FlopCountAnalysis(model.eval(), x)
    analysis.unsupported_ops_warnings(False)
    analysis.uncalled_modules_warnings(False)
    return analysis


def conv_linear(model, h: int, w: int) -> int:
    """fvcore's ``conv`` + ``linear`` operators for a 1×3×h×w input: mncost's mult-adds."""
    import torch

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        by_op = _analysis(model, torch.zeros(1, 3, h, w)).by_operator()
    return by_op.get("conv", 0) + by_op.get("linear", 0)


def total(model, x) -> int:
    """fvcore's ``total()``: what the fvcore preset reproduces."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _analysis(model, x).total()
