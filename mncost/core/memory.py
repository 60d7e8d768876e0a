"""Activation memory by liveness, and the limit the PyTorch builder enforces.

**Liveness.** The nodes run in the Network's order (the builder's order too). A tensor lives
from the node that makes it (the input: from the start) until its last reader has run; a node
whose kind only views its input (flatten, dropout) makes no new tensor. While node ``i`` runs,
the live tensors are those made at or before ``i`` and read at or after ``i``; the peak is the
largest sum of their elements over all ``i``, and the node running at that moment is named.
On a chain this is the largest ``input + output`` of one node; with a residual connection the
skip tensor counts for as long as the add has not run.

Pure Python (no torch): verify and bench check the limit before importing anything heavy.
"""

from __future__ import annotations

from typing import NamedTuple


from mncost.core.errors import ConfigError
from mncost.core.ir import INPUT, Network
from mncost.core.kinds import kind
from mncost.core.units import human_bytes

# What build() may allocate unless the caller raises it (verify and bench: --max-memory).
# Costs are exact at any size, but a hand-edited spec with 2^20-pixel inputs or 2^24 channels
# would exhaust memory long before torch could say why.
DEFAULT_MAX_MEMORY = 4 << 30


class Peak(NamedTuple):
    """The largest sum of live tensors (elements) and the node running at that moment."""

    elements: int
    node: str | None


def storage(network: Network) -> dict[str, str]:
    """Each tensor name → the tensor whose memory it uses (itself, or a viewed input's)."""
    owner = {INPUT: INPUT}
    for node in network.nodes:
        owner[node.name] = owner[node.inputs[0]] if kind(node.kind).aliases_input else node.name
    return owner


def live_sets(network: Network) -> tuple[tuple[str, ...], ...]:
    """For each node in order, the tensors (by the name of the node that made them, or
    ``input``) that hold memory while it runs."""
    owner = storage(network)
    born = {INPUT: -1}
    last = {INPUT: -1}
    for i, node in enumerate(network.nodes):
        mine = owner[node.name]
        born.setdefault(mine, i)
        last[mine] = max(last.get(mine, i), i)
        for name in node.inputs:
            last[owner[name]] = i
    final = owner[network.nodes[-1].name] if network.nodes else INPUT
    last[final] = len(network.nodes)  # the result outlives the last node
    # One sweep over the nodes (a tensor enters at its birth, leaves after its last reader),
    # not a scan of every tensor at every node: 10,000-node specs stay linear.
    births: dict[int, list[str]] = {}
    deaths: dict[int, list[str]] = {}
    for name in born:
        births.setdefault(born[name], []).append(name)
        deaths.setdefault(last[name], []).append(name)
    live: dict[str, None] = dict.fromkeys(births.get(-1, ()))
    sets = []
    for i in range(len(network.nodes)):
        live.update(dict.fromkeys(births.get(i, ())))
        sets.append(tuple(live))
        for name in deaths.get(i, ()):
            live.pop(name, None)
    return tuple(sets)


def peak(network: Network) -> Peak:
    """The liveness peak (module docstring); the first node at the maximum is named."""
    if not network.nodes:
        return Peak(network.input_shape.elements, None)
    sizes = {INPUT: network.input_shape.elements}
    sizes.update((node.name, node.output_shape.elements) for node in network.nodes)
    best = Peak(-1, None)
    for node, live in zip(network.nodes, live_sets(network)):
        total = sum(sizes[name] for name in live)
        if total > best.elements:
            best = Peak(total, node.name)
    return best


def memory_estimate(network: Network) -> int:
    """Bytes build() and one forward pass need at least: float32 parameters and batch-norm
    buffers (the ``all`` convention) plus the liveness peak of activations."""
    from mncost.core.costing import analyze

    report = analyze(network, params="all", dtype="float32")
    return report.weight_bytes + report.peak_activation_bytes


def check_memory(network: Network, max_memory: int | None = DEFAULT_MAX_MEMORY, *,
                 per_node: int = 0, base: int = 0, what: str = "building") -> None:
    """Refuse (ConfigError, exit 2) a model whose estimate exceeds ``max_memory`` bytes:
    ``memory_estimate`` plus ``per_node`` bytes for each node and ``base`` bytes once (what
    a profiler's tracing costs beyond the tensors: ``verify`` passes its measured figures)."""
    if max_memory is None:
        return
    tensors = memory_estimate(network)
    needed = tensors + per_node * len(network.nodes) + base
    if needed > max_memory:
        amount = (f"at least {human_bytes(needed)} of float32 weights and activations"
                  if needed == tensors else
                  f"about {human_bytes(needed)} ({human_bytes(tensors)} of float32 weights "
                  f"and activations + {human_bytes(needed - tensors)} for tracing "
                  f"{len(network.nodes):,} layers)")
        raise ConfigError(
            f"{what} {network.model} ({network.variant}, α={network.alpha:g}, "
            f"{network.resolution_text}) needs {amount}, above the limit of "
            f"{human_bytes(max_memory)}; raise it with --max-memory (e.g. --max-memory 16GiB)")
