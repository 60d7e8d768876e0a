"""How much memory building a Network in torch needs, and the limit the builder enforces.

Pure Python (no torch): verify and bench check the limit before importing anything heavy.
"""

from __future__ import annotations

from mncost.core.costing import analyze
from mncost.core.errors import ConfigError
from mncost.views.formats import human_bytes
from mncost.core.ir import Network

# What build() may allocate unless the caller raises it (verify and bench: --max-memory).
# Costs are exact at any size, but a hand-edited spec with 2^20-pixel inputs or 2^24 channels
# would exhaust memory long before torch could say why.
DEFAULT_MAX_MEMORY = 4 << 30


def memory_estimate(network: Network) -> int:
    """Bytes build() and one forward pass need at least: float32 parameters and batch-norm
    buffers (the ``all`` convention) plus the largest input + output of any layer."""
    report = analyze(network, params="all", dtype="float32")
    return report.weight_bytes + report.peak_activation_bytes


def check_memory(network: Network, max_memory: int | None = DEFAULT_MAX_MEMORY) -> None:
    """Refuse (ConfigError, exit 2) a model whose estimate exceeds ``max_memory`` bytes."""
    if max_memory is None:
        return
    needed = memory_estimate(network)
    if needed > max_memory:
        raise ConfigError(
            f"building {network.model} ({network.variant}, α={network.alpha:g}, "
            f"{network.resolution}×{network.resolution}) needs at least {human_bytes(needed)} "
            f"of float32 weights and activations, above the limit of {human_bytes(max_memory)}; "
            "raise it with --max-memory (e.g. --max-memory 16GiB)")
