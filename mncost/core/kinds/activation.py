"""Activations: relu, relu6, hardswish, hardsigmoid, sigmoid, silu (swish).

One table serves both uses: a standalone activation node (``{kind: hardswish}``) and the
activation fused into a conv (``{kind: conv, activation: hardswish}``). Each is free under the
paper's convention; what it touches is one quantity, ``<name>_elements`` (its output
elements), which the peer presets weigh.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mncost.core.kinds import Kind, register

if TYPE_CHECKING:  # pragma: no cover
    from mncost.core.ir import Node, Shape
    from mncost.core.yamlio import Located


@dataclass(frozen=True)
class Activation:
    name: str
    torch_class: str     # the torch.nn class that computes it
    label: str           # how tables name it
    quantity: str        # its output elements, for the presets


ACTIVATIONS: dict[str, Activation] = {a.name: a for a in (
    Activation("relu", "ReLU", "ReLU", "relu_elements"),
    Activation("relu6", "ReLU6", "ReLU6", "relu6_elements"),
    Activation("hardswish", "Hardswish", "Hardswish", "hardswish_elements"),
    Activation("hardsigmoid", "Hardsigmoid", "Hardsigmoid", "hardsigmoid_elements"),
    Activation("sigmoid", "Sigmoid", "Sigmoid", "sigmoid_elements"),
    Activation("silu", "SiLU", "SiLU (swish)", "silu_elements"),
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


ALL_QUANTITIES = {a.quantity: f"{a.label} output elements" for a in ACTIVATIONS.values()}


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
        "quantity_labels": {_activation.quantity: f"{_activation.label} output elements"},
    }))
