"""Activations: relu, relu6, hardswish, hardsigmoid, sigmoid, silu (swish).

One table serves both uses: a standalone activation node (``{kind: hardswish}``) and the
activation fused into a conv (``{kind: conv, activation: hardswish}``). Each is free under the
paper's convention; what it touches is one quantity, ``<name>_elements`` (its output
elements), which the peer presets weigh.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from mncost.core.kinds import Kind, Quantity, quantity, register

if TYPE_CHECKING:  # pragma: no cover
    from mncost.core.ir import Node, Shape
    from mncost.core.yamlio import Located


class Activation(NamedTuple):
    name: str
    torch_class: str     # the torch.nn class that computes it
    label: str           # how tables name it
    quantity: str        # its output elements, for the presets
    rule: Quantity       # how each peer tool counts those elements


def _elements(label: str, **weights: int) -> Quantity:
    return quantity(f"{label} output elements", paper=0, fvcore=0, torch=0, ptflops_aten=0,
                    **weights)


# ptflops counts nn.ReLU once by its module hook and again through the patched F.relu the
# module calls; nn.ReLU6 calls F.hardtanh, which it does not patch (presets.py).
ACTIVATIONS: dict[str, Activation] = {a.name: a for a in (
    Activation("relu", "ReLU", "ReLU", "relu_elements",
               _elements("ReLU", ptflops=2, thop=0, torchinfo=0, calflops=1)),
    Activation("relu6", "ReLU6", "ReLU6", "relu6_elements",
               _elements("ReLU6", ptflops=1, thop=0, torchinfo=0, calflops=0)),
    Activation("hardswish", "Hardswish", "Hardswish", "hardswish_elements",
               _elements("Hardswish", ptflops=0, thop=0, torchinfo=0, calflops=0)),
    Activation("hardsigmoid", "Hardsigmoid", "Hardsigmoid", "hardsigmoid_elements",
               _elements("Hardsigmoid", ptflops=0, thop=0, torchinfo=0, calflops=0)),
    Activation("sigmoid", "Sigmoid", "Sigmoid", "sigmoid_elements",
               _elements("Sigmoid", ptflops=0, thop=0, torchinfo=0, calflops=0)),
    Activation("silu", "SiLU", "SiLU (swish)", "silu_elements",
               _elements("SiLU (swish)", ptflops=1, thop=0, torchinfo=0, calflops=1)),  # patched F.silu
)}
ALIASES = {"swish": "silu"}
CHOICES = [*ACTIVATIONS, *ALIASES, "none"]


def parse_activation(node: "Located") -> str | None:
    """An activation name from a spec value: one of CHOICES, or null / none for none."""
    if node.value is None:
        return None
    value = node.string(choices=CHOICES)
    return None if value == "none" else ALIASES.get(value, value)


def activation_module(name: str, kit: Any) -> Any:
    return getattr(kit.nn, ACTIVATIONS[name].torch_class)()


def activation_quantities(name: str | None, elements: int) -> dict[str, int]:
    return {ACTIVATIONS[name].quantity: elements} if name is not None else {}



class _ActivationKind(Kind):
    """A standalone activation: same shape out as in, no parameters."""

    activation: Activation
    input_layout = "any"

    def resolve(self, declared, inputs: tuple["Shape", ...], scale) -> tuple[None, "Shape"]:
        return None, inputs[0]

    def quantities(self, node: "Node") -> dict[str, int]:
        return {self.activation.quantity: node.output_shape.elements}

    def type_label(self, node: "Node") -> str:
        return self.activation.label

    def table2_label(self, node: "Node") -> str:
        return "Activations"

    def torch_module(self, node: "Node", kit: Any) -> Any:
        return activation_module(self.activation.name, kit)


for _activation in ACTIVATIONS.values():
    register(type(f"{_activation.torch_class}Kind", (_ActivationKind,), {
        "__doc__": f"Standalone {_activation.label}.",
        "name": _activation.name,
        "spec_kinds": (_activation.name,) + tuple(a for a, n in ALIASES.items()
                                                   if n == _activation.name),
        "activation": _activation,
        # Fused into a conv or standalone, the elements are counted the same way.
        "quantity_rules": {_activation.quantity: _activation.rule},
    }))
