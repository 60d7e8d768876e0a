"""mncost: exact cost of MobileNet-style CNNs from a YAML spec.

The public names load on first use (PEP 562), so ``import mncost`` and the ``mncost``
command's start-up pay only for what they touch.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "analyze": ("mncost.api", "analyze"),
    "network": ("mncost.api", "network"),
    "from_torch": ("mncost.api", "from_torch"),
    "load_spec": ("mncost.core.spec", "load"),
    "Report": ("mncost.core.costing", "Report"),
    "ModelSettings": ("mncost.core.settings", "ModelSettings"),
    "MncostError": ("mncost.core.errors", "MncostError"),
    "SpecError": ("mncost.core.errors", "SpecError"),
    "ConfigError": ("mncost.core.errors", "ConfigError"),
    "CheckFailed": ("mncost.core.errors", "CheckFailed"),
}
__all__ = [*_EXPORTS, "__version__"]


def __getattr__(name: str) -> Any:
    try:
        module, attribute = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'mncost' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
