"""The Python API: one call from a spec and hyperparameters to a frozen Report."""

from __future__ import annotations

from pathlib import Path

from mncost.core import costing as engine
from mncost.core import spec as spec_module
from mncost.core.costing import DEFAULT_DTYPE, DEFAULT_PARAMS, Report
from mncost.core.ir import Network
from mncost.core.spec import ModelSpec


def network(spec: str | Path | ModelSpec | None = None, *, variant: str | None = None,
            alpha: object = 1, resolution: int | None = None, rho: object = None,
            depth_multiplier: int = 1, min_channels: int = 1) -> Network:
    """Resolve a spec (path, built-in name, loaded ModelSpec, or None for MobileNet v1)."""
    model_spec = spec if isinstance(spec, ModelSpec) else spec_module.load(spec)
    return spec_module.resolve(model_spec, variant=variant, alpha=alpha, resolution=resolution,
                               rho=rho, depth_multiplier=depth_multiplier,
                               min_channels=min_channels)


def analyze(spec: str | Path | ModelSpec | Network | None = None, *, variant: str | None = None,
            alpha: object = 1, resolution: int | None = None, rho: object = None,
            depth_multiplier: int = 1, min_channels: int = 1, params: str = DEFAULT_PARAMS,
            dtype: str = DEFAULT_DTYPE) -> Report:
    """Analyse a model and return its Report.

    >>> report = analyze(alpha=0.5, resolution=160)
    >>> report.mult_adds, report.params
    (76524800, 1331592)
    """
    net = spec if isinstance(spec, Network) else network(
        spec, variant=variant, alpha=alpha, resolution=resolution, rho=rho,
        depth_multiplier=depth_multiplier, min_channels=min_channels)
    return engine.analyze(net, params=params, dtype=dtype)
