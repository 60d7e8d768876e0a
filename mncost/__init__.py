"""mncost: exact cost of MobileNet-style CNNs from a YAML spec."""

from mncost.api import analyze, network
from mncost.core.costing import Report
from mncost.core.errors import CheckFailed, ConfigError, MncostError, SpecError
from mncost.core.spec import load as load_spec

__version__ = "0.1.0"
__all__ = ["analyze", "network", "load_spec", "Report", "MncostError", "SpecError",
           "ConfigError", "CheckFailed", "__version__"]
