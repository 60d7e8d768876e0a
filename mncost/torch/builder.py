"""Network -> ``torch.nn.Module``: the same layers the engine counts, as a real PyTorch model.

Module names equal layer names, so analytic and profiled numbers join layer by layer. A
dotted layer name such as ``block3.dw`` becomes a container ``block3`` holding a child ``dw``;
``model.named_modules()`` (and therefore fvcore's ``by_module`` and ``parameter_count``) then
reports exactly ``block3.dw``.

What each layer becomes (stock torch modules only, so hook-based counters such as thop and
ptflops, which match modules by exact type, recognise every layer):

* ``Conv`` (conv / dw / pw) -> ``nn.Sequential`` with children ``conv`` (``nn.Conv2d`` with the
  descriptor's kernel, stride, padding, groups and bias), ``bn`` (``nn.BatchNorm2d``, when the
  descriptor has batch norm) and ``act`` (``nn.ReLU`` / ``nn.ReLU6``, when it has one).
* ``GlobalAvgPool`` -> ``nn.AdaptiveAvgPool2d(1)``.
* ``Linear`` -> ``nn.Linear``; the model flattens its input to (N, features) first.
* ``Softmax`` -> ``nn.Softmax(dim=1)``.

The root module (:class:`BuiltNetwork`) runs the layers in the Network's order; containers
for dotted names are ``nn.ModuleDict`` and are never called themselves.

torch is imported when this module is imported; import ``mncost.builder`` lazily (inside the
function that needs it) so the core and ``mncost table`` never load torch.
"""

from __future__ import annotations

from collections import OrderedDict

import torch
from torch import nn

from mncost.core.ir import Conv, GlobalAvgPool, Layer, Linear, Network, Shape, Softmax
from mncost.core.memory import DEFAULT_MAX_MEMORY, check_memory

__all__ = ["build", "layer_module", "layer_modules", "input_tensor", "output_shape",
           "BuiltNetwork", "ACTIVATIONS"]

ACTIVATIONS = {"relu": nn.ReLU, "relu6": nn.ReLU6}


def _conv_module(layer: Conv) -> nn.Sequential:
    parts: OrderedDict[str, nn.Module] = OrderedDict()
    parts["conv"] = nn.Conv2d(layer.input_shape.c, layer.output_shape.c, layer.kernel,
                              stride=layer.stride, padding=layer.padding, groups=layer.groups,
                              bias=layer.bias)
    if layer.batch_norm:
        parts["bn"] = nn.BatchNorm2d(layer.output_shape.c)
    if layer.activation is not None:
        if layer.activation not in ACTIVATIONS:
            raise ValueError(f"layer {layer.name}: no torch module for activation "
                             f"{layer.activation!r}")
        parts["act"] = ACTIVATIONS[layer.activation]()
    return nn.Sequential(parts)


def _module_for(layer: Layer) -> nn.Module:
    if isinstance(layer, Conv):
        return _conv_module(layer)
    if isinstance(layer, GlobalAvgPool):
        return nn.AdaptiveAvgPool2d(1)
    if isinstance(layer, Linear):
        return nn.Linear(layer.in_features, layer.out_features, bias=layer.bias)
    if isinstance(layer, Softmax):
        return nn.Softmax(dim=1)
    raise ValueError(f"layer {layer.name}: no torch module for layer kind {layer.kind!r}")


class BuiltNetwork(nn.Module):
    """The built model. Its (possibly nested) module names are the Network's layer names;
    ``forward`` runs them in the Network's order. ``network`` is the descriptor it was built
    from."""

    def __init__(self, network: Network) -> None:
        super().__init__()
        self.network = network
        self.layer_names = tuple(layer.name for layer in network.layers)
        self._kinds = tuple(layer.kind for layer in network.layers)
        for layer in network.layers:
            _register(self, layer.name, _module_for(layer))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for name, kind in zip(self.layer_names, self._kinds):
            if kind == "fc":
                x = torch.flatten(x, 1)
            elif x.dim() == 2 and kind != "softmax":  # a spatial layer after a linear one
                x = x[:, :, None, None]
            x = self.get_submodule(name)(x)
        return x


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
    layer names (``model.get_submodule("block3.dw")``).

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
    """The module built for layer ``name`` (``"block3.dw"`` -> ``model.block3.dw``)."""
    try:
        return model.get_submodule(name)
    except AttributeError:
        raise KeyError(name) from None


def layer_modules(model: nn.Module, network: Network) -> OrderedDict[str, nn.Module]:
    """Every layer's module, in the Network's order, keyed by layer name."""
    return OrderedDict((layer.name, layer_module(model, layer.name)) for layer in network.layers)


def input_tensor(network: Network, batch: int = 1, *, seed: int | None = 0) -> torch.Tensor:
    """A random float32 input batch of the Network's input shape, NCHW."""
    shape = (batch, network.input_shape.c, network.input_shape.h, network.input_shape.w)
    if seed is None:
        return torch.randn(shape)
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(shape, generator=generator)


def output_shape(tensor: torch.Tensor) -> Shape:
    """A batch's per-example shape as the engine writes it (H×W×C); (N, C) reads as 1×1×C."""
    if tensor.dim() == 4:
        return Shape(int(tensor.shape[2]), int(tensor.shape[3]), int(tensor.shape[1]))
    if tensor.dim() == 2:
        return Shape(1, 1, int(tensor.shape[1]))
    raise ValueError(f"cannot read a {tensor.dim()}-D tensor as H×W×C")
