"""Network -> ``torch.nn.Module``: the same graph the engine counts, as a real PyTorch model.

Module names equal node names, so analytic and profiled numbers join node by node. A dotted
node name such as ``block3.dw`` becomes a container ``block3`` holding a child ``dw``;
``model.named_modules()`` (and therefore fvcore's ``by_module`` and ``parameter_count``)
then reports exactly ``block3.dw``.

Each node's module comes from its kind (``Kind.torch_module``), which is handed a ``Kit``: the
``torch.nn`` namespace plus mncost's three join modules (``Add``, ``Mul``, ``Concat``). Stock
torch modules everywhere else, so hook-based counters such as thop and ptflops, which match
modules by exact type, recognise every layer they know.

The root module (:class:`BuiltNetwork`) runs the nodes in the Network's order, feeding each
the outputs of the nodes it reads and dropping a tensor after its last reader (the liveness
``memory.peak`` assumes). A node whose kind flattens its input (fc) gets ``(N, features)``;
a spatial node reading a flat tensor gets it back as ``N×C×1×1``.

torch is imported when this module is imported; import ``mncost.torch.builder`` lazily
(inside the function that needs it) so the core and ``mncost table`` never load torch.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import torch
from torch import nn

from mncost.core.ir import INPUT, Network, Node, Shape
from mncost.core.kinds import kind
from mncost.core.memory import DEFAULT_MAX_MEMORY, check_memory

__all__ = ["build", "layer_module", "layer_modules", "input_tensor", "output_shape",
           "BuiltNetwork", "Kit", "Add", "Mul", "Concat", "GlobalAverage"]

class Add(nn.Module):
    """The elementwise sum of its inputs (a residual connection)."""

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        total = inputs[0]
        for other in inputs[1:]:
            total = total + other
        return total


class Mul(nn.Module):
    """``x * gate``, the gate broadcast over H×W when it is N×C×1×1 (squeeze-and-excite)."""

    def forward(self, x: torch.Tensor, gate: torch.Tensor) -> torch.Tensor:
        return x * gate


class Concat(nn.Module):
    """Concatenation along channels."""

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        return torch.cat(inputs, dim=1)


class GlobalAverage(nn.Module):
    """A global average computed in ``forward`` rather than by ``nn.AdaptiveAvgPool2d``:
    ``F.adaptive_avg_pool2d(x, 1)`` (``call="function"``, torchvision's MobileNetV2) or
    ``x.mean([2, 3])`` (``"mean"``, its MnasNet), so the peer tools see what they see in
    those models."""

    def __init__(self, call: str) -> None:
        super().__init__()
        self.call = call

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.call == "mean":
            return x.mean([2, 3], keepdim=True)
        return nn.functional.adaptive_avg_pool2d(x, 1)


class Kit:
    """What a kind may build with: ``nn``, the join modules and the functional average."""

    nn = nn
    Add = Add
    Mul = Mul
    Concat = Concat
    GlobalAverage = GlobalAverage


def module_for(node: Node) -> nn.Module:
    return kind(node.kind).torch_module(node, Kit)


class BuiltNetwork(nn.Module):
    """The built model. Its (possibly nested) module names are the Network's node names;
    ``forward`` runs them in the Network's order. ``network`` is the descriptor it was built
    from."""

    def __init__(self, network: Network) -> None:
        super().__init__()
        self.network = network
        self.layer_names = tuple(node.name for node in network.nodes)
        self._plan = tuple((node.name, node.inputs, kind(node.kind).input_layout)
                           for node in network.nodes)
        last_read: dict[str, int] = {}
        for i, node in enumerate(network.nodes):
            for name in node.inputs:
                last_read[name] = i
        # After step i, these tensors have had their last reader: free them.
        self._free_after = tuple(tuple(name for name, last in last_read.items() if last == i)
                                 for i in range(len(network.nodes)))
        for node in network.nodes:
            _register(self, node.name, module_for(node))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        values: dict[str, torch.Tensor] = {INPUT: x}
        result = x
        for (name, inputs, layout), free in zip(self._plan, self._free_after):
            args = [_adapt(values[i], layout) for i in inputs]
            result = self.get_submodule(name)(*args)
            values[name] = result
            for done in free:
                values.pop(done, None)
        return result


def _adapt(tensor: torch.Tensor, layout: str) -> torch.Tensor:
    """Give a node the tensor layout its kind reads (``Kind.input_layout``)."""
    if layout == "flat" and tensor.dim() != 2:
        return torch.flatten(tensor, 1)
    if layout == "spatial" and tensor.dim() == 2:  # a spatial layer after a flat one
        return tensor[:, :, None, None]
    return tensor


def _register(root: nn.Module, name: str, module: nn.Module) -> None:
    parts = name.split(".")
    if any(not part for part in parts):
        raise ValueError(f"layer name {name!r} cannot be a module name")
    parent = root
    for part in parts[:-1]:
        child = parent._modules.get(part)
        if child is None:
            child = nn.ModuleDict()
            parent.add_module(part, child)
        elif not isinstance(child, nn.ModuleDict):
            raise ValueError(f"layer name {name!r} clashes with layer {part!r}")
        parent = child
    if parts[-1] in parent._modules:
        raise ValueError(f"layer name {name!r} is used twice")
    parent.add_module(parts[-1], module)


def build(network: Network, *, init: bool = True,
          max_memory: int | None = DEFAULT_MAX_MEMORY) -> nn.Module:
    """Build ``network`` as a ``torch.nn.Module`` on the CPU in float32, module names equal to
    node names (``model.get_submodule("block3.dw")``).

    Refuses, before allocating anything, a model whose ``memory_estimate`` exceeds
    ``max_memory`` bytes (``None``: no limit).

    The module is in training mode like any new module: call ``.eval()`` before inference.
    ``init=False`` skips PyTorch's random weight initialisation and fills every parameter and
    buffer with zeros instead (batch-norm running variance with ones): much faster for large
    models, and enough for anything that only counts or times.
    """
    check_memory(network, max_memory)
    if init:
        return BuiltNetwork(network)
    with torch.device("meta"):
        model = BuiltNetwork(network)
    model = model.to_empty(device="cpu")
    with torch.no_grad():
        for name, tensor in list(model.named_parameters()) + list(model.named_buffers()):
            if name.endswith("running_var"):
                tensor.fill_(1)
            else:
                tensor.zero_()
    return model


def layer_module(model: nn.Module, name: str) -> nn.Module:
    """The module built for node ``name`` (``"block3.dw"`` -> ``model.block3.dw``)."""
    try:
        return model.get_submodule(name)
    except AttributeError:
        raise KeyError(name) from None


def layer_modules(model: nn.Module, network: Network) -> OrderedDict[str, nn.Module]:
    """Every node's module, in the Network's order, keyed by node name."""
    return OrderedDict((node.name, layer_module(model, node.name)) for node in network.nodes)


def input_tensor(network: Network, batch: int = 1, *, seed: int | None = 0) -> torch.Tensor:
    """A random float32 input batch of the Network's input shape, NCHW."""
    shape = (batch, network.input_shape.c, network.input_shape.h, network.input_shape.w)
    if seed is None:
        return torch.randn(shape)
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(shape, generator=generator)


def output_shape(tensor: Any) -> Shape:
    """A batch's per-example shape as the engine writes it (H×W×C); (N, C) reads as 1×1×C."""
    if tensor.dim() == 4:
        return Shape(int(tensor.shape[2]), int(tensor.shape[3]), int(tensor.shape[1]))
    if tensor.dim() == 2:
        return Shape(1, 1, int(tensor.shape[1]))
    raise ValueError(f"cannot read a {tensor.dim()}-D tensor as H×W×C")
