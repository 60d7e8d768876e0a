"""The Python API: one call from a spec and settings to a frozen Report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mncost.core import costing
from mncost.core import spec as spec_module
from mncost.core.costing import DEFAULT_DTYPE, DEFAULT_PARAMS, Report
from mncost.core.ir import Network
from mncost.core.settings import ModelSettings
from mncost.core.spec import ModelSpec


def network(spec: str | Path | ModelSpec | None = None, *, variant: str | None = None,
            alpha: object = None, resolution: object = None, rho: object = None,
            depth_multiplier: object = None, min_channels: object = None,
            rounding: object = None, repeat_multiplier: object = None,
            settings: ModelSettings | None = None) -> Network:
    """Resolve a spec (path, built-in name, loaded ModelSpec, or None for ``settings.spec``,
    else MobileNet v1). Keywords are validated as ``ModelSettings``; ``settings`` replaces
    them. ``resolution`` is pixels (``224``) or height × width (``"160x120"``, ``(160, 120)``).
    """
    if settings is None:
        settings = ModelSettings.parse(variant=variant, alpha=alpha, resolution=resolution,
                                       rho=rho, depth_multiplier=depth_multiplier,
                                       min_channels=min_channels, rounding=rounding,
                                       repeat_multiplier=repeat_multiplier)
    if spec is None:
        spec = settings.spec
    model_spec = spec if isinstance(spec, ModelSpec) else spec_module.load(spec)
    return spec_module.resolve(model_spec, settings=settings)


def analyze(spec: str | Path | ModelSpec | Network | None = None, *, variant: str | None = None,
            alpha: object = None, resolution: object = None, rho: object = None,
            depth_multiplier: object = None, min_channels: object = None,
            rounding: object = None, repeat_multiplier: object = None,
            settings: ModelSettings | None = None, params: str = DEFAULT_PARAMS, dtype: str = DEFAULT_DTYPE) -> Report:
    """Analyse a model and return its Report.

    >>> report = analyze(alpha=0.5, resolution=160)
    >>> report.mult_adds, report.params
    (76524800, 1331592)
    >>> analyze("efficientnet_b3").mult_adds     # torchvision's efficientnet_b3 at 300 px
    1827141392
    """
    net = spec if isinstance(spec, Network) else network(
        spec, variant=variant, alpha=alpha, resolution=resolution, rho=rho,
        depth_multiplier=depth_multiplier, min_channels=min_channels, rounding=rounding,
        repeat_multiplier=repeat_multiplier, settings=settings)
    return costing.analyze(net, params=params, dtype=dtype)


def from_torch(model: Any, input_size: object = 224, *, name: str | None = None,
               allow_unknown: bool = False, flat: bool = False) -> Network:
    """The Network of a PyTorch model, for ``analyze`` (and everything else that takes one).

    ``input_size`` is ``224``, ``"160x120"``, ``(160, 120)`` or a shape such as
    ``(1, 3, 224, 224)``. The model is traced with ``torch.fx`` (``mncost.torch.importer``):
    nothing is computed. An operation with no rule raises ``UnsupportedOperations`` naming
    it, unless ``allow_unknown`` (then it is free). Needs torch.

    >>> import torchvision                                          # doctest: +SKIP
    >>> net = from_torch(torchvision.models.mobilenet_v3_large(), 224)  # doctest: +SKIP
    >>> analyze(net).mult_adds                                      # doctest: +SKIP
    216589760
    """
    from mncost.torch.bench import require_torch

    require_torch("mncost.from_torch")
    from mncost.torch import importer

    resolution = importer.input_resolution(input_size)
    imported = importer.trace(model, resolution, name=name or type(model).__name__,
                              allow_unknown=allow_unknown, flat=flat)
    return importer.to_network(imported)[1]
