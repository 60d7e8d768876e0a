"""A PyTorch model → an mncost spec: ``mncost import``, ``mncost.from_torch``, budgets' ``torch:``.

**Method.** The model's ``forward`` is traced symbolically with ``torch.fx`` (no tensor is
computed, so no activation is ever allocated and no weight is read); ``mncost import`` also
builds the model under ``torch.device("meta")``, so its weights take no memory either. Every
node of the traced graph is mapped to a layer kind; the resulting spec is resolved by mncost
itself, whose shape rules give every shape from the input size, and each layer is checked
against its module (a conv's input channels, a linear layer's input features), so a graph
mncost misread fails loudly rather than costs something else.

**Mapping.** Leaf modules: ``Conv2d`` (any groups, kernel, stride, padding, dilation, bias;
``dw`` when groups = in = out channels, ``pw`` for a plain 1×1), ``BatchNorm2d``, ``ReLU``,
``ReLU6`` / ``Hardtanh(0, 6)``, ``Hardswish``, ``Hardsigmoid``, ``Sigmoid``, ``SiLU``,
``Linear``, ``MaxPool2d``, ``AvgPool2d``, ``AdaptiveAvgPool2d(1)``, ``Flatten``, ``Dropout``,
``Identity``, ``Softmax``. Functions and methods: ``+`` / ``add``, ``*`` / ``mul``, ``cat`` on
channels, ``flatten`` / ``view`` / ``reshape`` to ``(N, -1)``, ``mean`` over H and W, the
functional activations, ``adaptive_avg_pool2d`` to 1, ``dropout``, and torchvision's
``stochastic_depth`` (the identity at inference). A conv's following batch norm and activation
become the conv's ``batch_norm`` and ``activation`` when the conv is their only input.

**Names.** Layers are named by the module that computes them (``features.3.conv.1.0``);
functions by the module they sit in plus the operation (``features.3.add``). Where a run of
layers is one of the family's blocks — an inverted residual (with or without expand conv and
squeeze-and-excite) or a depthwise separable pair — and the layers share a module path that
nothing else uses, it is written as that block named by the path (``features.3``), so the
spec reads like a hand-written one; ``flat=True`` keeps every layer as it is.

Anything else is refused (``UnsupportedOperations``: every unsupported operation and the
module it sits in); ``allow_unknown=True`` writes each as an ``opaque`` layer instead: free,
its output the shape of its first input, and listed.
"""

from __future__ import annotations

import contextlib
import importlib
import operator
import os
import sys
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Callable

import torch
import torch.fx as fx
from torch import nn

from mncost.core.errors import ConfigError, MncostError

INPUT = "input"
_ALIAS = "alias"          # a node that passes its input on unchanged (Identity, stochastic depth)
_NOT_TENSOR = "scalar"    # x.size(0) and the like: used only as arguments
_UNKNOWN = "unknown"      # the output of a refused operation: a tensor, but no layer


class UnsupportedOperations(MncostError):
    """Operations with no rule: one line naming each and where it sits (exit 2)."""


@dataclass
class Layer:
    """One layer of the spec being built (a spec entry plus what the importer needs)."""

    name: str
    kind: str
    values: dict[str, Any]
    inputs: list[str]
    modules: list[str] = field(default_factory=list)   # torch modules it stands for
    check: dict[str, int] = field(default_factory=dict)  # channels the module expects
    note: str | None = None


@dataclass
class Imported:
    """The spec document of a model, and what the import found on the way."""

    doc: dict[str, Any]
    layers: list[Layer]
    unknown: list[tuple[str, str]]          # (operation, where)
    uncounted: list[tuple[str, int]]        # (module path, parameters) never called
    model_params: int
    source: str


# -- loading the user's model -------------------------------------------------------------------

def load_callable(target: str) -> tuple[Callable[[], Any], str]:
    """``MODULE:CALLABLE`` → the callable, importing MODULE with the working directory on
    ``sys.path`` (as ``python -m`` does). One-line ``ConfigError`` for every failure."""
    module_name, colon, attribute = str(target).partition(":")
    if not colon or not module_name.strip() or not attribute.strip():
        raise ConfigError(f"expected MODULE:CALLABLE (e.g. torchvision.models:mobilenet_v2 "
                          f"or my_net:build), got {target!r}")
    module_name, attribute = module_name.strip(), attribute.strip()
    cwd = os.getcwd()
    if cwd not in sys.path:
        sys.path.insert(0, cwd)
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and (module_name == exc.name or module_name.startswith(exc.name + ".")):
            raise ConfigError(f"no module named {module_name!r} (looked in the working "
                              f"directory and on the Python path)") from None
        raise ConfigError(f"importing {module_name} failed: {_one_line(exc)}") from None
    except Exception as exc:  # noqa: BLE001 - the user's module: anything can happen
        raise ConfigError(f"importing {module_name} failed: {_one_line(exc)}") from None
    found: Any = module
    for part in attribute.split("."):
        if not hasattr(found, part):
            raise ConfigError(f"module {module_name} has no attribute {attribute!r}")
        found = getattr(found, part)
    if not callable(found):
        raise ConfigError(f"{module_name}:{attribute} is not callable (a factory function or "
                          "a class)")
    return found, f"{module_name}:{attribute}"


def build_model(target: str, *, meta: bool = True) -> tuple[nn.Module, str]:
    """Call ``MODULE:CALLABLE()``; under ``torch.device("meta")`` when ``meta`` (no memory for
    weights). The result must be an ``nn.Module``."""
    factory, shown = load_callable(target)
    model = None
    if meta:
        # A factory that computes with its tensors while building (RegNet's width rule
        # does) cannot run on the meta device: it is then built on the CPU, weights
        # allocated but never read.
        try:
            with _no_downloads(shown), torch.device("meta"):
                model = factory()
        except MncostError:
            raise
        except Exception:  # noqa: BLE001 - retried below, where its own error is reported
            model = None
    if model is None:
        try:
            with _no_downloads(shown):
                model = factory()
        except MncostError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise ConfigError(f"calling {shown}() failed: {_one_line(exc)}") from None
    if not isinstance(model, nn.Module):
        raise ConfigError(f"{shown}() returned {type(model).__name__}, not a torch.nn.Module")
    return model.eval(), shown


class WeightsDownload(MncostError):
    """The factory tried to download weights: mncost needs only the architecture."""


@contextlib.contextmanager
def _no_downloads(shown: str):
    """Weights never change a count: a factory that fetches them (``torch.hub``, as
    torchvision's ``weights=...`` does) is stopped before the download, with one line."""
    import torch.hub

    def refuse(url, *args, **kwargs):
        raise WeightsDownload(f"{shown}() tried to download weights from {url}; mncost needs "
                              "only the architecture: build it without pretrained weights "
                              "(torchvision: weights=None)")
    saved = (torch.hub.load_state_dict_from_url, torch.hub.download_url_to_file)
    torch.hub.load_state_dict_from_url = refuse
    torch.hub.download_url_to_file = refuse
    try:
        yield
    finally:
        torch.hub.load_state_dict_from_url, torch.hub.download_url_to_file = saved


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if not text.startswith(type(exc).__name__) else text


# -- tracing and mapping ------------------------------------------------------------------------

_ACTIVATION_MODULES: dict[type, str] = {
    nn.ReLU: "relu", nn.ReLU6: "relu6", nn.Hardswish: "hardswish",
    nn.Hardsigmoid: "hardsigmoid", nn.Sigmoid: "sigmoid", nn.SiLU: "silu",
}
_ACTIVATION_FUNCTIONS: dict[Any, str] = {
    torch.relu: "relu", nn.functional.relu: "relu", nn.functional.relu6: "relu6",
    nn.functional.hardswish: "hardswish", nn.functional.hardsigmoid: "hardsigmoid",
    torch.sigmoid: "sigmoid", nn.functional.sigmoid: "sigmoid", nn.functional.silu: "silu",
}
_ACTIVATION_METHODS = {"relu": "relu", "sigmoid": "sigmoid"}
_ADD = (operator.add, operator.iadd, torch.add)
_MUL = (operator.mul, operator.imul, torch.mul)


def trace(model: nn.Module, resolution: tuple[int, int] = (224, 224), *, name: str | None = None,
          allow_unknown: bool = False, flat: bool = False, source: str = "") -> Imported:
    """Trace ``model`` and map it to a spec document at ``resolution`` (height, width)."""
    training = model.training
    try:
        graph = fx.Tracer().trace(model.eval())  # eval: dropout, batch norm, aux heads
    except Exception as exc:  # noqa: BLE001 - fx raises many kinds on dynamic Python
        raise ConfigError(f"cannot trace {source or type(model).__name__} symbolically with "
                          f"torch.fx: {_one_line(exc)}") from None
    finally:
        model.train(training)  # the caller's model is left as it was given
    mapper = _Mapper(model, allow_unknown)
    for node in graph.nodes:
        mapper.visit(node)
    if mapper.unsupported and not allow_unknown:
        shown = ", ".join(f"{op} in {where}" for op, where in mapper.unsupported[:12])
        more = len(mapper.unsupported) - 12
        raise UnsupportedOperations(
            f"{source or type(model).__name__} uses operations mncost has no rule for: {shown}"
            + (f" and {more} more" if more > 0 else "")
            + "; --allow-unknown counts them as free and lists them")
    layers = _fuse(mapper.layers, mapper.output)
    if not flat:
        layers = _blocks(layers)
    counted = {path for layer in layers if layer.kind != "opaque" for path in layer.modules}
    uncounted = [(path, sum(p.numel() for p in module.parameters(recurse=False)))
                 for path, module in model.named_modules()
                 if path not in counted and any(True for _ in module.parameters(recurse=False))]
    total = sum(p.numel() for p in model.parameters())
    doc = _document(layers, resolution, name or source or type(model).__name__, source)
    return Imported(doc=doc, layers=layers, unknown=mapper.unsupported, uncounted=uncounted,
                    model_params=total, source=source)


class _Mapper:
    """Walks the fx graph in order, one ``Layer`` per tensor-producing node."""

    def __init__(self, model: nn.Module, allow_unknown: bool) -> None:
        self.model = model
        self.allow_unknown = allow_unknown
        self.layers: list[Layer] = []
        self.value: dict[str, str] = {}      # fx node name → layer name, INPUT, or marker
        self.names: set[str] = set()
        self.unsupported: list[tuple[str, str]] = []
        self.output: str | None = None
        self.placeholders = 0

    # -- helpers --
    def ref(self, arg: Any) -> str | None:
        """The layer a tensor argument comes from (aliases followed), or None."""
        if isinstance(arg, fx.Node):
            return self.value.get(arg.name)
        return None

    def tensor_inputs(self, args: Any) -> list[str]:
        found: list[str] = []
        for arg in args:
            if isinstance(arg, (list, tuple)):
                found.extend(self.tensor_inputs(arg))
            elif isinstance(arg, fx.Node):
                ref = self.value.get(arg.name)
                if ref not in (None, _NOT_TENSOR):
                    found.append(ref)   # _UNKNOWN included: what reads it is still mapped
        return found

    def unique(self, base: str) -> str:
        name, i = base, 2
        while name in self.names or name == INPUT:
            name, i = f"{base}_{i}", i + 1
        self.names.add(name)
        return name

    def add(self, node, name: str, kind: str, values: dict, inputs: list[str],
            modules: list[str] = (), check: dict | None = None) -> None:
        layer = Layer(self.unique(name), kind, values, list(inputs), list(modules),
                      check or {})
        self.layers.append(layer)
        self.value[node.name] = layer.name

    @staticmethod
    def scope(node) -> str:
        stack = node.meta.get("nn_module_stack") or {}
        return next(reversed(stack.values()))[0] if stack else ""

    def function_name(self, node, op: str) -> str:
        scope = self.scope(node)
        return f"{scope}.{op}" if scope else op

    def refuse(self, node, what: str, where: str) -> None:
        """An operation with no rule: recorded; with allow_unknown, an ``opaque`` layer (free,
        the shape of its first input) named by its module, or by its scope for a function."""
        self.unsupported.append((what, where or "the model's forward"))
        inputs = self.tensor_inputs(node.args)
        if self.allow_unknown and inputs:
            if node.op == "call_module":
                name, modules = str(node.target), [str(node.target)]
            else:
                op = str(node.target) if node.op == "call_method" else \
                    getattr(node.target, "__name__", "op")
                name, modules = self.function_name(node, op), []
            self.add(node, name, "opaque", {"op": what}, inputs[:1], modules)
            self.layers[-1].note = f"unknown: {what}, counted as free"
        elif self.allow_unknown:
            self.value[node.name] = _NOT_TENSOR
        else:
            self.value[node.name] = _UNKNOWN  # refused anyway; later nodes still get mapped

    # -- the walk --
    def visit(self, node) -> None:
        handler = getattr(self, f"_{node.op}")
        handler(node)

    def _placeholder(self, node) -> None:
        self.placeholders += 1
        if self.placeholders > 1:
            self.unsupported.append(("a forward with more than one input", "the model"))
        self.value[node.name] = INPUT

    def _get_attr(self, node) -> None:
        self.refuse(node, f"a parameter or buffer used directly ({node.target})",
                    self.scope(node))

    def _output(self, node) -> None:
        out = node.args[0]
        refs = self.tensor_inputs([out])
        if len(refs) != 1:
            self.unsupported.append(("a forward returning several tensors", "the model"))
            return
        self.output = refs[0]

    def _call_module(self, node) -> None:
        path = str(node.target)
        module = self.model.get_submodule(path)
        inputs = self.tensor_inputs(node.args[:1])
        if not inputs:
            self.refuse(node, f"{type(module).__name__} on a non-tensor", path)
            return
        module_type = type(module)
        if isinstance(module, nn.Conv2d) and not isinstance(module, nn.ConvTranspose2d):
            self._conv(node, path, module, inputs)
        elif module_type in (nn.BatchNorm2d,):
            if not module.affine or not module.track_running_stats:
                self.refuse(node, "BatchNorm2d without affine parameters or running "
                                  "statistics", path)
                return
            self.add(node, path, "batchnorm", {}, inputs, [path], {"channels": module.num_features})
        elif module_type in _ACTIVATION_MODULES:
            self.add(node, path, _ACTIVATION_MODULES[module_type], {}, inputs, [path])
        elif module_type is nn.Hardtanh and (module.min_val, module.max_val) == (0.0, 6.0):
            self.add(node, path, "relu6", {}, inputs, [path])
        elif module_type is nn.Linear:
            self.add(node, path, "fc", {"out": module.out_features, "bias": module.bias is not None},
                     inputs, [path], {"features": module.in_features})
        elif module_type is nn.AdaptiveAvgPool2d and _is_one(module.output_size):
            self.add(node, path, "avgpool", {}, inputs, [path])
        elif module_type is nn.AvgPool2d and module.count_include_pad \
                and module.divisor_override is None:
            self.add(node, path, "avgpool", _window(module), inputs, [path])
        elif module_type is nn.MaxPool2d and _is_one(module.dilation):
            self.add(node, path, "maxpool", _window(module), inputs, [path])
        elif module_type in (nn.Dropout, nn.Dropout2d):
            self.add(node, path, "dropout", {"p": float(module.p)}, inputs, [path])
        elif module_type is nn.Identity:
            self.value[node.name] = inputs[0]
        elif module_type is nn.Flatten and module.start_dim == 1 and module.end_dim == -1:
            self.add(node, path, "flatten", {}, inputs, [path])
        elif module_type is nn.Softmax and module.dim in (1, -1):
            self.add(node, path, "softmax", {}, inputs, [path])
        else:
            self.refuse(node, f"{module_type.__module__}.{module_type.__name__}", path)

    def _conv(self, node, path: str, module: nn.Conv2d, inputs: list[str]) -> None:
        if module.padding_mode != "zeros":
            self.refuse(node, f"Conv2d with padding_mode={module.padding_mode!r}", path)
            return
        kernel, stride, dilation = module.kernel_size, module.stride, module.dilation
        c_in, c_out, groups = module.in_channels, module.out_channels, module.groups
        values: dict[str, Any] = {}
        if isinstance(module.padding, str):
            padding: Any = module.padding   # "same" (stride 1 in torch) or "valid"
        else:
            ph, pw = module.padding
            default = tuple(d * (k - 1) // 2 for k, d in zip(kernel, dilation))
            padding = None if (ph, pw) == default else ph if ph == pw else [ph, ph, pw, pw]
        if groups == c_in == c_out and c_in > 1:
            kind = "dw"
        elif kernel == (1, 1) and groups == 1 and stride == (1, 1) and padding is None:
            kind = "pw"
        else:
            kind = "conv"
        if kind != "dw":
            values["out"] = c_out
        if kind != "pw":
            values["kernel"] = _compact(kernel)
        if stride != (1, 1):
            values["stride"] = _compact(stride)
        if padding is not None:
            values["padding"] = padding
        if dilation != (1, 1):
            values["dilation"] = _compact(dilation)
        if kind == "conv" and groups != 1:
            values["groups"] = groups
        values.update(bias=module.bias is not None, batch_norm=False, activation=None)
        self.add(node, path, kind, values, inputs, [path], {"channels": c_in})

    def _call_function(self, node) -> None:
        target = node.target
        tensors = self.tensor_inputs(node.args)
        name = getattr(target, "__name__", str(target))
        if target is operator.getitem and self.ref(node.args[0]) == _NOT_TENSOR:
            self.value[node.name] = _NOT_TENSOR
        elif target in _ADD and len(tensors) == 2 and len(node.args) == 2:
            self.add(node, self.function_name(node, "add"), "add", {}, tensors)
        elif target in _MUL and len(tensors) == 2 and len(node.args) == 2:
            self.add(node, self.function_name(node, "mul"), "mul", {}, tensors)
        elif target is torch.cat and _arg(node, 1, "dim", 0) in (1, -3) and tensors:
            self.add(node, self.function_name(node, "cat"), "concat", {}, tensors)
        elif target is torch.flatten and tensors and _arg(node, 1, "start_dim", 0) == 1 \
                and _arg(node, 2, "end_dim", -1) == -1:
            self.add(node, self.function_name(node, "flatten"), "flatten", {}, tensors)
        elif target in _ACTIVATION_FUNCTIONS and tensors:
            self.add(node, self.function_name(node, _ACTIVATION_FUNCTIONS[target]),
                     _ACTIVATION_FUNCTIONS[target], {}, tensors[:1])
        elif target is nn.functional.hardtanh and tensors and \
                (_arg(node, 1, "min_val", -1.0), _arg(node, 2, "max_val", 1.0)) == (0.0, 6.0):
            self.add(node, self.function_name(node, "relu6"), "relu6", {}, tensors[:1])
        elif target is nn.functional.adaptive_avg_pool2d and tensors and \
                _is_one(_arg(node, 1, "output_size", None)):
            self.add(node, self.function_name(node, "pool"), "avgpool", {"torch": "function"},
                     tensors[:1])
        elif target is nn.functional.dropout and tensors:
            self.add(node, self.function_name(node, "dropout"), "dropout",
                     {"p": float(_arg(node, 1, "p", 0.5))}, tensors[:1])
        elif name == "stochastic_depth" and tensors:   # torchvision.ops: identity in eval
            self.value[node.name] = tensors[0]
        else:
            self.refuse(node, f"function {getattr(target, '__module__', '') or ''}"
                              f"{'.' if getattr(target, '__module__', None) else ''}{name}",
                        self.scope(node))

    def _call_method(self, node) -> None:
        method = str(node.target)
        tensors = self.tensor_inputs(node.args)
        source = self.ref(node.args[0]) if node.args else None
        if source == _NOT_TENSOR or method in ("size", "dim"):
            self.value[node.name] = _NOT_TENSOR
        elif method == "mean" and tensors and _spatial_dims(_arg(node, 1, "dim", None)):
            self.add(node, self.function_name(node, "mean"), "avgpool", {"torch": "mean"},
                     tensors[:1])
        elif method == "flatten" and tensors and _arg(node, 1, "start_dim", 0) == 1 \
                and _arg(node, 2, "end_dim", -1) == -1:
            self.add(node, self.function_name(node, "flatten"), "flatten", {}, tensors[:1])
        elif method in ("view", "reshape") and tensors and self._flattening(node):
            self.add(node, self.function_name(node, "flatten"), "flatten", {}, tensors[:1])
        elif method == "contiguous" and tensors:
            self.value[node.name] = tensors[0]
        elif method in _ACTIVATION_METHODS and tensors:
            kind = _ACTIVATION_METHODS[method]
            self.add(node, self.function_name(node, kind), kind, {}, tensors[:1])
        elif method in ("add", "add_") and len(tensors) == 2 and len(node.args) == 2:
            self.add(node, self.function_name(node, "add"), "add", {}, tensors)
        elif method in ("mul", "mul_") and len(tensors) == 2 and len(node.args) == 2:
            self.add(node, self.function_name(node, "mul"), "mul", {}, tensors)
        else:
            self.refuse(node, f"Tensor.{method}", self.scope(node))

    def _flattening(self, node) -> bool:
        """``x.view(x.size(0), -1)``, ``x.reshape(n, -1)``: to (batch, everything)."""
        shape = node.args[1:]
        if len(shape) == 1 and isinstance(shape[0], (list, tuple)):
            shape = tuple(shape[0])
        if len(shape) != 2 or shape[1] != -1:
            return False
        first = shape[0]
        return first == 1 or self.ref(first) == _NOT_TENSOR


def _arg(node, index: int, keyword: str, default: Any) -> Any:
    if len(node.args) > index:
        return node.args[index]
    return node.kwargs.get(keyword, default)


def _is_one(size: Any) -> bool:
    return size == 1 or (isinstance(size, (tuple, list)) and all(s == 1 for s in size))


def _spatial_dims(dims: Any) -> bool:
    if not isinstance(dims, (list, tuple)):
        return False
    return sorted(d % 4 for d in dims if isinstance(d, int)) == [2, 3] and len(dims) == 2


def _compact(pair: tuple[int, int]) -> int | list[int]:
    return pair[0] if pair[0] == pair[1] else list(pair)


def _window(module) -> dict[str, Any]:
    def two(value):
        return tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    kernel, stride, padding = two(module.kernel_size), two(module.stride or module.kernel_size), \
        two(module.padding)
    values: dict[str, Any] = {"kernel": _compact(kernel)}
    if stride != kernel:
        values["stride"] = _compact(stride)
    if padding != (0, 0):
        values["padding"] = [padding[0], padding[0], padding[1], padding[1]]
    if module.ceil_mode:
        values["ceil_mode"] = True
    return values


# -- fusing conv + batch norm + activation, dropping what the output never reads ----------------

def _readers(layers: list[Layer]) -> dict[str, list[Layer]]:
    found: dict[str, list[Layer]] = {}
    for layer in layers:
        for name in layer.inputs:
            found.setdefault(name, []).append(layer)
    return found


def _fuse(layers: list[Layer], output: str | None) -> list[Layer]:
    renamed: dict[str, str] = {}
    kept: list[Layer] = []
    by_name = {layer.name: layer for layer in layers}
    readers = _readers(layers)
    for layer in layers:
        layer.inputs = [renamed.get(name, name) for name in layer.inputs]
        source = by_name.get(layer.inputs[0]) if len(layer.inputs) == 1 else None
        only_reader = source is not None and len(readers.get(source.name, [])) == 1
        conv = source if source is not None and source.kind in ("conv", "dw", "pw") else None
        if conv is not None and only_reader and layer.kind == "batchnorm" \
                and not conv.values["batch_norm"] and conv.values["activation"] is None:
            conv.values["batch_norm"] = True
            conv.modules += layer.modules
            renamed[layer.name] = conv.name
            readers[conv.name] = readers.get(layer.name, [])
            continue
        if conv is not None and only_reader and layer.kind in _ACTIVATION_KINDS \
                and conv.values["activation"] is None:
            conv.values["activation"] = layer.kind
            conv.modules += layer.modules
            renamed[layer.name] = conv.name
            readers[conv.name] = readers.get(layer.name, [])
            continue
        kept.append(layer)
    final = renamed.get(output, output) if output else (kept[-1].name if kept else None)
    # Only what the output depends on (an auxiliary head never called in eval is not there).
    needed: set[str] = set()
    stack = [final] if final else []
    index = {layer.name: layer for layer in kept}
    while stack:
        name = stack.pop()
        if name in needed or name not in index:
            continue
        needed.add(name)
        stack.extend(index[name].inputs)
    result = [layer for layer in kept if layer.name in needed]
    if result and result[-1].name != final:
        # The output must be the last layer: move it there (it reads only earlier layers).
        result.sort(key=lambda layer: layer.name == final)
    return result


_ACTIVATION_KINDS = ("relu", "relu6", "hardswish", "hardsigmoid", "sigmoid", "silu")


# -- recognising the family's blocks ------------------------------------------------------------

def _common_path(names: list[str]) -> str:
    parts = [name.split(".") for name in names]
    common: list[str] = []
    for segment in zip(*parts):
        if all(s == segment[0] for s in segment):
            common.append(segment[0])
        else:
            break
    return ".".join(common)


def _blocks(layers: list[Layer]) -> list[Layer]:
    """Replace each run of layers that is an inverted residual or a separable pair, and that
    shares a module path nothing else uses, by one block layer named by that path."""
    result: list[Layer] = []
    i = 0
    used_blocks: set[str] = set()
    widths: dict[str, int | None] = {}
    for layer in layers:  # channels after each layer; joins and free kinds keep their input's
        own = _width(layer)
        widths[layer.name] = own if own is not None else (
            sum(widths.get(n) or 0 for n in layer.inputs) if layer.kind == "concat"
            else widths.get(layer.inputs[0]) if layer.inputs else None)
        if layer.kind == "fc":
            widths[layer.name] = None
    # Who reads each layer, once: replacing a block renames only its own output, which no
    # later candidate's check looks at.
    readers = _readers(layers)
    while i < len(layers):
        found = (_inverted_residual(layers, i, widths, readers)
                 or _separable(layers, i, readers))
        if found is not None:
            block, consumed = found
            members = layers[i:i + consumed]
            path = _common_path([m.name for m in members])
            outside = [layer.name for layer in layers if layer not in members]
            if path and path not in used_blocks and not any(
                    other == path or other.startswith(path + ".") for other in outside):
                block.name = path
                used_blocks.add(path)
                widths[path] = widths.get(members[-1].name)
                result.append(block)
                renamed = members[-1].name
                for later in layers[i + consumed:]:
                    later.inputs = [path if name == renamed else name for name in later.inputs]
                i += consumed
                continue
        result.append(layers[i])
        i += 1
    return result


def _plain_conv(layer: Layer | None, kind: str) -> bool:
    return (layer is not None and layer.kind == kind and "padding" not in layer.values
            and "dilation" not in layer.values)


def _inverted_residual(layers: list[Layer], i: int, widths: dict[str, int | None],
                       readers: dict[str, list[Layer]]) -> tuple[Layer, int] | None:
    """expand? → dw → (SE)? → project → add?, each reading the one before."""
    def at(j: int) -> Layer | None:
        return layers[j] if j < len(layers) else None

    j = i
    first = at(j)
    if first is None:
        return None
    block_input = first.inputs[0] if len(first.inputs) == 1 else None
    expand = None
    if _plain_conv(first, "pw") and first.values["batch_norm"] and not first.values["bias"]:
        expand, j = first, j + 1
    dw = at(j)
    if not _plain_conv(dw, "dw") or not dw.values["batch_norm"] or dw.values["bias"]:
        return None
    if dw.inputs != [expand.name if expand else block_input]:
        return None
    if expand is not None and (expand.values["activation"] != dw.values["activation"]
                               or len(readers.get(expand.name, [])) != 1):
        return None
    j += 1
    se = None
    pool, reduce, excite, scale = at(j), at(j + 1), at(j + 2), at(j + 3)
    if (pool is not None and pool.kind == "avgpool" and not pool.values
            and pool.inputs == [dw.name] and _plain_conv(reduce, "pw")
            and reduce.inputs == [pool.name] and reduce.values["bias"]
            and not reduce.values["batch_norm"] and _plain_conv(excite, "pw")
            and excite.inputs == [reduce.name] and excite.values["bias"]
            and not excite.values["batch_norm"] and excite.values["out"] == _width(dw)
            and scale is not None and scale.kind == "mul"
            and sorted(scale.inputs) == sorted([dw.name, excite.name])):
        se = {"of": "expanded", "ratio": Fraction(reduce.values["out"], _width(dw)),
              "rounding": "floor", "activation": reduce.values["activation"] or "none",
              "gate": excite.values["activation"] or "none"}
        j += 4
    elif len(readers.get(dw.name, [])) != 1:
        return None
    project = at(j)
    last_mid = scale if se else dw
    if not _plain_conv(project, "pw") or project.inputs != [last_mid.name] \
            or not project.values["batch_norm"] or project.values["bias"] \
            or project.values["activation"] is not None:
        return None
    j += 1
    add = at(j)
    residual = (add is not None and add.kind == "add" and len(add.inputs) == 2
                and set(add.inputs) == {project.name, block_input}
                and readers.get(project.name, []) == [add])
    c_in = widths.get(block_input) if block_input else None
    expanded = _width(dw)
    if c_in is None or expanded is None or (expand is not None and expanded == c_in):
        return None  # a 1×1 conv that keeps the width: the block would leave it out
    values: dict[str, Any] = {"out": project.values["out"]}
    if expanded != c_in:
        values["expand"] = Fraction(expanded, c_in)
    values["kernel"] = dw.values["kernel"]
    if "stride" in dw.values:
        values["stride"] = dw.values["stride"]
    values["activation"] = dw.values["activation"] or "none"
    if se:
        values["se"] = se
    stride_one = dw.values.get("stride", 1) == 1
    if stride_one and c_in == project.values["out"] and not residual:
        values["residual"] = False
    members = [m for m in (expand, dw) if m] + ([pool, reduce, excite, scale] if se else []) \
        + [project] + ([add] if residual else [])
    block = Layer("", "inverted_residual", values, [block_input],
                  [path for m in members for path in m.modules],
                  {"channels": c_in})
    return block, len(members)


def _separable(layers: list[Layer], i: int,
               readers: dict[str, list[Layer]]) -> tuple[Layer, int] | None:
    dw = layers[i]
    pw = layers[i + 1] if i + 1 < len(layers) else None
    if not _plain_conv(dw, "dw") or not _plain_conv(pw, "pw") or pw.inputs != [dw.name]:
        return None
    if len(readers.get(dw.name, [])) != 1:
        return None
    same = all(dw.values[key] == pw.values[key] for key in ("batch_norm", "activation", "bias"))
    if not same:
        return None
    values = {"out": pw.values["out"], "kernel": dw.values["kernel"]}
    if "stride" in dw.values:
        values["stride"] = dw.values["stride"]
    values.update(batch_norm=dw.values["batch_norm"],
                  activation=dw.values["activation"] or "none", bias=dw.values["bias"])
    return Layer("", "separable", values, list(dw.inputs), dw.modules + pw.modules,
                 dict(dw.check)), 2


def _width(layer: Layer | None) -> int | None:
    """A layer's output channels, where the layers alone say (a dw follows its input)."""
    if layer is None:
        return None
    if "out" in layer.values:
        return layer.values["out"]
    if layer.kind == "dw":
        return layer.check.get("channels")
    return None


# -- the spec document ----------------------------------------------------------------------------

def _document(layers: list[Layer], resolution: tuple[int, int], model: str,
              source: str) -> dict[str, Any]:
    h, w = resolution
    # The most common value of each conv default, so most entries need not repeat it.
    convs = [layer.values for layer in layers if layer.kind in _CONV_WORDS]
    defaults = {key: _most_common([v.get(key) for v in convs], fallback)
                for key, fallback in (("batch_norm", False), ("activation", None),
                                      ("bias", False))}
    entries = []
    previous = INPUT
    for layer in layers:
        entry: dict[str, Any] = {"kind": layer.kind, "name": layer.name}
        for key, value in layer.values.items():
            if layer.kind in _CONV_WORDS and key in defaults:
                if value == defaults[key]:
                    continue
                value = "none" if value is None else value
            elif key == "activation" and value == (defaults["activation"] or "none"):
                continue
            entry[key] = value
        if layer.inputs != [previous]:
            entry["inputs"] = list(layer.inputs)
        entries.append(entry)
        previous = layer.name
    return {"model": model,
            "description": f"imported from {source} by mncost import" if source else
            "imported by mncost.from_torch",
            "input": {"resolution": h if h == w else [h, w], "channels": _input_channels(layers)},
            "rounding": "floor",
            "defaults": {"batch_norm": defaults["batch_norm"],
                         "activation": defaults["activation"] or "none",
                         "bias": defaults["bias"]},
            "layers": entries}


_CONV_WORDS = ("conv", "dw", "pw", "separable")


def _most_common(values: list[Any], fallback: Any) -> Any:
    if not values:
        return fallback
    counts: dict[Any, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return max(counts, key=lambda value: counts[value])


def _input_channels(layers: list[Layer]) -> int:
    for layer in layers:
        if INPUT in layer.inputs and "channels" in layer.check:
            return layer.check["channels"]
    return 3


def check_against_modules(imported: Imported, network) -> None:
    """Each layer's input as the module expects it: a conv's channels, a linear layer's
    features. A difference means mncost misread the graph: an error, never a wrong count."""
    nodes: dict[str, Any] = {}
    for node in network.nodes:  # a node by name, and a block by its first node
        nodes[node.name] = node
        nodes.setdefault(node.block, node)
    for layer in imported.layers:
        node = nodes.get(layer.name)
        if node is None:
            continue
        channels = layer.check.get("channels")
        if channels is not None and node.input_shape.c != channels:
            raise ConfigError(f"{layer.modules[0] if layer.modules else layer.name} expects "
                              f"{channels} input channels; mncost's reading of the graph gives "
                              f"{node.input_shape.c}")
        features = layer.check.get("features")
        if features is not None and node.input_shape.elements != features:
            raise ConfigError(f"{layer.modules[0]} expects {features} input features; at "
                              f"{network.resolution_text} mncost's reading gives "
                              f"{node.input_shape.elements} (a linear layer fixes the "
                              "resolution: give the one the model is built for)")


# -- from a traced model to a Network -----------------------------------------------------------

def to_network(imported: Imported, settings=None):
    """The imported spec, validated and resolved (``settings``: α, resolution, ... as for any
    spec), after checking each layer against its module."""
    from mncost.core import spec as spec_module

    model_spec = spec_module.parse(imported.doc, f"<torch {imported.doc['model']}>")
    network = spec_module.resolve(model_spec)
    check_against_modules(imported, network)
    if settings is not None:
        network = spec_module.resolve(model_spec, settings=settings)
    return model_spec, network


def input_resolution(input_size: Any) -> tuple[int, int]:
    """``224``, ``"160x120"``, ``(160, 120)``, ``(3, 224, 224)`` or ``(1, 3, 224, 224)`` (the
    shapes torchinfo and ptflops take) → (height, width)."""
    from mncost.core.settings import parse_resolution

    if isinstance(input_size, (tuple, list)) and len(input_size) in (3, 4):
        input_size = tuple(input_size[-2:])
    return parse_resolution(input_size, "input size")


def header(imported: Imported, resolution: tuple[int, int]) -> list[str]:
    """The comment lines ``mncost import`` writes above the spec."""
    h, w = resolution
    lines = [f"Imported from {imported.source} by `mncost import` at {h}×{w}: torch.fx "
             "symbolic trace,",
             "no weights read and no activations computed. Layer names are the modules' "
             "paths.",
             f"Check it: mncost verify --spec THIS_FILE --against {imported.source}"]
    if imported.unknown:
        lines.append("Operations without a rule, counted as free (--allow-unknown): " +
                     ", ".join(f"{op} in {where}" for op, where in imported.unknown))
    if imported.uncounted:
        lines.append("Parameters not counted (a module forward never calls, or an unknown "
                     "operation's): " + ", ".join(f"{path} ({n:,})"
                                                  for path, n in imported.uncounted))
    return lines
