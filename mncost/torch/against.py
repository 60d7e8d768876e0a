"""``mncost verify --against MODULE:CALLABLE``: does a spec still describe the model that ships?

The user's model is built (real weights, eval mode), read into a flat mncost graph by the
importer (one node per module, fused conv + batch norm + activation, at the spec's input
size) and profiled with fvcore at that size. The spec's network and the model's graph are then
matched **by structure and execution order, not by names**: each node becomes a signature
(its kind, kernel, stride, padding, groups, bias, batch norm, activation, input and output
shapes; a conv, dw or pw is one kind, ``conv``), zero-cost views that change nothing (dropout,
flatten, softmax) are left out, and the two signature sequences are aligned with
``difflib.SequenceMatcher``. Every node that matches is then checked number by number: the
spec's mult-adds against fvcore's conv + linear count for the module, the spec's trainable
parameters against ``parameter_count`` for the module (conv plus its batch norm). Every
difference is reported with both names and both numbers, the first divergence first; the
totals (mult-adds against fvcore's conv + linear for the whole model, parameters against
``numel``) are checked too.
"""

from __future__ import annotations

import difflib
import warnings
from dataclasses import dataclass


from mncost.core.costing import analyze
from mncost.core.ir import Network, Node

SKIPPED_KINDS = ("dropout", "flatten", "softmax")
_CONV_KINDS = ("conv", "dw", "pw")


@dataclass(frozen=True)
class NodeMatch:
    """One row: a spec node and the model node it was aligned with (either may be None)."""

    spec_node: str | None
    torch_module: str | None
    kind: str
    spec_mult_adds: int | None
    model_mult_adds: int | None
    spec_params: int | None
    model_params: int | None
    problem: str | None      # None when everything agrees

    @property
    def ok(self) -> bool:
        return self.problem is None


@dataclass(frozen=True)
class TotalMatch:
    check: str
    spec: int
    model: int

    @property
    def ok(self) -> bool:
        return self.spec == self.model


@dataclass(frozen=True)
class AgainstResult:
    network: Network
    source: str
    rows: tuple[NodeMatch, ...]
    totals: tuple[TotalMatch, ...]
    unknown: tuple[tuple[str, str], ...]

    @property
    def ok(self) -> bool:
        return all(row.ok for row in self.rows) and all(t.ok for t in self.totals)

    @property
    def mismatches(self) -> tuple[NodeMatch, ...]:
        return tuple(row for row in self.rows if not row.ok)

    @property
    def first_divergence(self) -> NodeMatch | None:
        return next((row for row in self.rows if not row.ok), None)


def signature(node: Node) -> tuple:
    """What must agree for two nodes to be "the same layer", names aside."""
    kind = "conv" if node.kind in _CONV_KINDS else node.kind
    attrs = node.attrs
    detail: tuple = ()
    if kind == "conv":
        detail = (attrs.kernel, attrs.stride, attrs.padding4, attrs.dilation, attrs.groups,
                  attrs.bias, attrs.batch_norm, attrs.activation)
    elif kind == "fc":
        detail = (attrs.bias,)
    elif kind in ("avgpool", "maxpool"):
        detail = tuple(attrs)
    elif kind == "opaque":
        detail = (attrs.op,)
    inputs = node.input_shapes
    if kind in ("add", "mul"):  # commutative: x · gate is gate · x
        inputs = tuple(sorted(inputs))
    return (kind, detail, inputs, node.output_shape)


def describe(node: Node) -> str:
    """A short human description of a node's signature, for the problem text."""
    kind, detail, inputs, output = signature(node)
    if kind == "conv":
        kernel, stride, _, _, groups, bias, bn, act = detail
        extras = [f"k{kernel}", f"s{stride}"] + ([f"groups {groups}"] if groups != 1 else []) \
            + (["bias"] if bias else []) + (["bn"] if bn else []) + ([act] if act else [])
        return f"conv {' '.join(map(str, extras))} {inputs[0]}→{output}"
    return f"{kind} {' + '.join(map(str, inputs))}→{output}"


def against(network: Network, target: str) -> AgainstResult:
    """Build MODULE:CALLABLE and match it with ``network`` (module docstring)."""
    import torch
    from fvcore.nn import FlopCountAnalysis, parameter_count

    from mncost.torch import importer

    model, shown = importer.build_model(target, meta=False)
    size = (network.input_shape.h, network.input_shape.w)
    imported = importer.trace(model, size, allow_unknown=True, flat=True, source=shown)
    _, model_net = importer.to_network(imported)
    modules = {layer.name: layer.modules for layer in imported.layers}

    x = torch.zeros(1, network.input_shape.c, *size)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        analysis = FlopCountAnalysis(model, x)
        analysis.unsupported_ops_warnings(False)
        analysis.uncalled_modules_warnings(False)
        by_module_op = analysis.by_module_and_operator()
        by_operator = analysis.by_operator()
    params_by_module = parameter_count(model)

    def model_numbers(node: Node) -> tuple[int, int]:
        paths = modules.get(node.name, [])
        mult_adds = sum(int(by_module_op.get(path, {}).get(op, 0))
                        for path in paths[:1] for op in ("conv", "linear"))
        params = sum(int(params_by_module.get(path, 0)) for path in paths)
        return mult_adds, params

    spec_report = analyze(network)
    spec_costs = {lr.name: lr for lr in spec_report.layers}
    spec_nodes = [n for n in network.nodes if n.kind not in SKIPPED_KINDS]
    model_nodes = [n for n in model_net.nodes if n.kind not in SKIPPED_KINDS]
    matcher = difflib.SequenceMatcher(a=[signature(n) for n in spec_nodes],
                                      b=[signature(n) for n in model_nodes], autojunk=False)
    rows: list[NodeMatch] = []
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        pairs: list[tuple[Node | None, Node | None]]
        if op in ("equal", "replace"):
            width = max(a1 - a0, b1 - b0)
            spec_part, model_part = spec_nodes[a0:a1], model_nodes[b0:b1]
            pairs = [(spec_part[i] if i < len(spec_part) else None,
                      model_part[i] if i < len(model_part) else None) for i in range(width)]
        elif op == "delete":
            pairs = [(n, None) for n in spec_nodes[a0:a1]]
        else:
            pairs = [(None, n) for n in model_nodes[b0:b1]]
        for spec_node, model_node in pairs:
            rows.append(_row(spec_node, model_node, op, spec_costs, model_numbers))

    model_params = sum(p.numel() for p in model.parameters())
    totals = (TotalMatch("mult-adds: spec vs fvcore conv + linear", spec_report.mult_adds,
                         int(by_operator.get("conv", 0)) + int(by_operator.get("linear", 0))),
              TotalMatch("params (trainable): spec vs the model's numel",
                         spec_report.params_as("trainable"), int(model_params)))
    return AgainstResult(network, shown, tuple(rows), totals, tuple(imported.unknown))


def _row(spec_node: Node | None, model_node: Node | None, op: str, spec_costs: dict,
         model_numbers) -> NodeMatch:
    spec_ma = spec_p = model_ma = model_p = None
    if spec_node is not None:
        lr = spec_costs[spec_node.name]
        spec_ma, spec_p = lr.mult_adds, lr.cost.params("trainable")
    if model_node is not None:
        model_ma, model_p = model_numbers(model_node)
    node = spec_node or model_node
    kind = "conv" if node.kind in _CONV_KINDS else node.kind
    problem = None
    if spec_node is None:
        problem = f"the model has {describe(model_node)} that the spec lacks"
    elif model_node is None:
        problem = f"the spec has {describe(spec_node)} that the model lacks"
    elif op != "equal":
        problem = f"spec {describe(spec_node)}; model {describe(model_node)}"
    elif (spec_ma, spec_p) != (model_ma, model_p):
        problem = (f"mult-adds {spec_ma:,} vs {model_ma:,}, params {spec_p:,} vs "
                   f"{model_p:,}")
    return NodeMatch(spec_node.name if spec_node else None,
                     model_node.name if model_node else None, kind, spec_ma, model_ma,
                     spec_p, model_p, problem)
