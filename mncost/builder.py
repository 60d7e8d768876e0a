"""Network -> ``torch.nn.Module``: the same layers the engine counts, as a real PyTorch model.

Module names equal layer names, so analytic and profiled numbers join layer by layer. A
dotted layer name such as ``block3.dw`` becomes a container ``block3`` holding a child ``dw``;
``model.named_modules()`` (and therefore fvcore's ``by_module`` and ``parameter_count``) then
reports exactly ``block3.dw``.

What each layer becomes:

* ``Conv`` (conv / dw / pw) -> :class:`ConvLayer` with children ``conv`` (``nn.Conv2d`` with
  the descriptor's kernel, stride, padding, groups and bias), ``bn`` (``nn.BatchNorm2d``, when
  the descriptor has batch norm) and ``act`` (``nn.ReLU`` / ``nn.ReLU6``, when it has one).
* ``GlobalAvgPool`` -> :class:`GlobalAvgPool` (an ``nn.AdaptiveAvgPool2d(1)``).
* ``Linear`` -> :class:`FlattenLinear` (an ``nn.Linear`` that flattens its input first).
* ``Softmax`` -> :class:`Softmax` (``nn.Softmax`` over the channel dimension).

torch is imported when this module is imported; import ``mncost.builder`` lazily (inside the
function that needs it) so the core and ``mncost table`` never load torch.
"""

from __future__ import annotations

from collections import OrderedDict

import torch
from torch import nn

from mncost.layers import Conv, GlobalAvgPool as GlobalAvgPoolLayer, Layer
from mncost.layers import Linear, Network, Shape, Softmax as SoftmaxLayer

__all__ = ["build", "layer_module", "layer_modules", "input_tensor", "output_shape",
           "ConvLayer", "GlobalAvgPool", "FlattenLinear", "Softmax", "ACTIVATIONS"]

ACTIVATIONS = {"relu": nn.ReLU, "relu6": nn.ReLU6}


def _as_4d(x: torch.Tensor) -> torch.Tensor:
    """(N, C) -> (N, C, 1, 1), so a spatial layer may follow a fully connected one."""
    return x[:, :, None, None] if x.dim() == 2 else x


class ConvLayer(nn.Module):
    """Conv2d, then optional BatchNorm2d, then optional activation (children conv, bn, act)."""

    def __init__(self, layer: Conv) -> None:
        super().__init__()
        self.conv = nn.Conv2d(layer.input_shape.c, layer.output_shape.c, layer.kernel,
                              stride=layer.stride, padding=layer.padding, groups=layer.groups,
                              bias=layer.bias)
        self.bn = nn.BatchNorm2d(layer.output_shape.c) if layer.batch_norm else None
        if layer.activation is None:
            self.act = None
        elif layer.activation in ACTIVATIONS:
            self.act = ACTIVATIONS[layer.activation]()
        else:
            raise ValueError(f"layer {layer.name}: no torch module for activation "
                             f"{layer.activation!r}")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.conv(_as_4d(x))
        if self.bn is not None:
            x = self.bn(x)
        if self.act is not None:
            x = self.act(x)
        return x


class GlobalAvgPool(nn.AdaptiveAvgPool2d):
    """Average over the whole spatial extent: (N, C, H, W) -> (N, C, 1, 1)."""

    def __init__(self) -> None:
        super().__init__(1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward(_as_4d(x))


class FlattenLinear(nn.Linear):
    """A fully connected layer on the flattened input: (N, C, H, W) -> (N, out)."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward(torch.flatten(x, 1))


class Softmax(nn.Softmax):
    """Softmax over the channel dimension (dim 1)."""

    def __init__(self) -> None:
        super().__init__(dim=1)


def _module_for(layer: Layer) -> nn.Module:
    if isinstance(layer, Conv):
        return ConvLayer(layer)
    if isinstance(layer, GlobalAvgPoolLayer):
        return GlobalAvgPool()
    if isinstance(layer, Linear):
        return FlattenLinear(layer.in_features, layer.out_features, bias=layer.bias)
    if isinstance(layer, SoftmaxLayer):
        return Softmax()
    raise ValueError(f"layer {layer.name}: no torch module for layer kind {layer.kind!r}")


class BuiltNetwork(nn.Sequential):
    """The built model: an ``nn.Sequential`` whose (possibly nested) module names are the
    Network's layer names. ``network`` keeps the descriptor it was built from."""

    def __init__(self, network: Network, modules: OrderedDict) -> None:
        super().__init__(modules)
        self.network = network
        self.layer_names = tuple(layer.name for layer in network.layers)


def build(network: Network) -> nn.Module:
    """Build ``network`` as a ``torch.nn.Module`` (float32, CPU, training mode like any new
    module: call ``.eval()`` before profiling). Module names equal layer names.

    Layers with a dotted name (``block3.dw``, ``block3.pw``) are grouped into an
    ``nn.Sequential`` container named by the prefix (``block3``), in order; the group must be
    consecutive in the Network, which every spec-resolved Network is.
    """
    top: OrderedDict[str, nn.Module] = OrderedDict()
    for layer in network.layers:
        module = _module_for(layer)
        parts = layer.name.split(".")
        if any(not part for part in parts):
            raise ValueError(f"layer name {layer.name!r} cannot be a module name")
        if len(parts) == 1:
            if layer.name in top:
                raise ValueError(f"layer name {layer.name!r} is used twice")
            top[layer.name] = module
            continue
        # Nested: walk/create Sequential containers, each group must still be open (last).
        container_dict = top
        for depth, part in enumerate(parts[:-1]):
            existing = container_dict.get(part)
            if existing is None:
                existing = nn.Sequential()
                container_dict[part] = existing
            elif not isinstance(existing, nn.Sequential) \
                    or next(reversed(container_dict)) != part:
                raise ValueError(f"layer {layer.name!r}: the layers under "
                                 f"{'.'.join(parts[:depth + 1])!r} must be consecutive")
            container_dict = existing._modules
        if parts[-1] in container_dict:
            raise ValueError(f"layer name {layer.name!r} is used twice")
        container_dict[parts[-1]] = module
    return BuiltNetwork(network, top)


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
