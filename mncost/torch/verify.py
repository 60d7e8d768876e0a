"""Cross-check: build a Network in PyTorch, profile it, and reconcile every number exactly.

For one Network, :func:`crosscheck` builds the model (``builder.build``), runs it on the CPU in
eval mode with a batch of 1, and compares the analytic engine's numbers with what the real
tools measure:

* per node — mult-adds vs fvcore's ``conv`` + ``linear`` count for that node's module
  (``by_module_and_operator``); FLOPs vs ``FlopCounterMode``'s count for that module
  (2 per mult-add); parameters under each convention vs the module's tensors (``trainable``
  vs fvcore ``parameter_count``, ``paper`` vs the conv/linear weight, ``all`` vs parameters plus
  batch-norm running statistics); every other operator fvcore counts for the module vs the
  ``fvcore`` preset's rule for the node's quantities (batch norm: 2 per element; adaptive
  average pool: 1 per input element; anything else: 0); the output shape vs the one a
  forward hook sees;
* totals — the same per operator over the whole model; fvcore ``total()`` = the ``fvcore``
  preset; ``FlopCounterMode`` = 2 × mult-adds (the ``torch`` preset); parameter totals under
  each convention.

The closed forms are not written here: they are the ``fvcore`` preset's weights and operator
names (``presets.PRESETS["fvcore"]``) applied to each node's kind quantities, the same rule
``mncost table --count-as fvcore`` uses. Operators fvcore does not count (relu, hardswish,
add, mul, cat, max_pool2d, ...) are listed as skipped or unsupported.

Every comparison is exact (Python ints). torch and fvcore are imported inside the functions
that need them; without them :func:`crosscheck` raises ``errors.MissingExtra``.
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterator

from mncost.core import presets
from mncost.core.costing import Report, analyze
from mncost.core.errors import MissingExtra, MncostError
from mncost.core.memory import DEFAULT_MAX_MEMORY, check_memory
from mncost.core.ir import Network, Node, Shape
from mncost.core.kinds import kind

COUNTED_OPS = ("conv", "linear")          # what fvcore counts that the paper counts


def fvcore_expected(node: Node) -> dict[str, int]:
    """What fvcore's ``by_operator`` must show for one node beyond conv and linear: the
    ``fvcore`` preset's weight × the node's quantity, under the preset's operator name."""
    fvcore = presets.PRESETS["fvcore"]
    weights = dict(fvcore.weights)
    quantities = kind(node.kind).quantities(node)
    expected: dict[str, int] = {}
    for quantity, operator in fvcore.operators:
        if operator in COUNTED_OPS:
            continue
        value = weights[quantity] * quantities.get(quantity, 0)
        if value:
            expected[operator] = expected.get(operator, 0) + value
    return expected


def fvcore_rule(operator: str) -> str:
    """``fvcore batch_norm = 2 × bn_elements``: how one operator's count is predicted."""
    fvcore = presets.PRESETS["fvcore"]
    weights = dict(fvcore.weights)
    terms = [f"{weights[q]} × {q}" for q, op in fvcore.operators if op == operator]
    return f"fvcore {operator} = {' + '.join(terms)}"


CLOSED_FORM_OPS = tuple(dict.fromkeys(op for _, op in presets.PRESETS["fvcore"].operators
                                      if op not in COUNTED_OPS))  # once each, in order


@dataclass(frozen=True)
class Check:
    """One number: what mncost says and what the profiled model shows."""

    quantity: str
    expected: int | tuple | None
    measured: int | tuple | None

    @property
    def ok(self) -> bool:
        return self.expected == self.measured


@dataclass(frozen=True)
class LayerCheck:
    """Every check for one layer, joined by name between the Report and the torch module."""

    name: str
    kind: str
    analytic_mult_adds: int
    fvcore_mult_adds: int
    analytic_params: int      # trainable convention (what fvcore's parameter_count counts)
    fvcore_params: int
    expected_shape: Shape
    observed_shape: Shape | None
    checks: tuple[Check, ...]

    @property
    def output_shape_ok(self) -> bool:
        return self.expected_shape == self.observed_shape

    @property
    def match(self) -> bool:
        return all(check.ok for check in self.checks)

    @property
    def mismatches(self) -> tuple[Check, ...]:
        return tuple(check for check in self.checks if not check.ok)


@dataclass(frozen=True)
class Mismatch:
    """A number that did not reconcile: ``layer`` is a layer name or ``"total"``."""

    layer: str
    quantity: str
    expected: Any
    measured: Any

    @property
    def difference(self) -> int | None:
        if isinstance(self.expected, int) and isinstance(self.measured, int):
            return self.measured - self.expected
        return None


@dataclass(frozen=True)
class Crosscheck:
    """The result of :func:`crosscheck`: per-layer and total checks, plus the raw counts."""

    report: Report
    layers: tuple[LayerCheck, ...]
    totals: tuple[Check, ...]
    fvcore_by_operator: dict[str, int]
    fvcore_total: int
    fvcore_params: int
    flop_counter_flops: int
    skipped_ops: dict[str, int] = field(default_factory=dict)  # op -> times fvcore counted 0
    unsupported_ops: dict[str, int] = field(default_factory=dict)

    @property
    def network(self) -> Network:
        return self.report.network

    @property
    def fvcore_mult_adds(self) -> int:
        return sum(self.fvcore_by_operator.get(op, 0) for op in COUNTED_OPS)

    @property
    def ok(self) -> bool:
        return all(layer.match for layer in self.layers) and all(c.ok for c in self.totals)

    @property
    def mismatches(self) -> tuple[Mismatch, ...]:
        found = [Mismatch(layer.name, c.quantity, c.expected, c.measured)
                 for layer in self.layers for c in layer.mismatches]
        found += [Mismatch("total", c.quantity, c.expected, c.measured)
                  for c in self.totals if not c.ok]
        return tuple(found)

    @property
    def check_count(self) -> int:
        return sum(len(layer.checks) for layer in self.layers) + len(self.totals)

    def skipped_summary(self) -> str:
        """One line: which ops fvcore saw but counted as 0, and why."""
        return skipped_summary(self.skipped_ops, self.unsupported_ops)

    def as_dict(self) -> dict[str, Any]:
        """The documented JSON of ``mncost verify`` (docs/verify.md)."""
        return {
            "ok": self.ok,
            **self.network.describe(),
            "analytic": {"mult_adds": self.report.mult_adds,
                         "params": self.report.params_as("trainable"),
                         "flops": 2 * self.report.mult_adds},
            "fvcore": {"mult_adds": self.fvcore_mult_adds, "total": self.fvcore_total,
                       "by_operator": dict(self.fvcore_by_operator),
                       "params": self.fvcore_params,
                       "skipped_ops": dict(self.skipped_ops),
                       "unsupported_ops": dict(self.unsupported_ops)},
            "flop_counter": {"flops": self.flop_counter_flops},
            "layers": [
                {"name": layer.name, "kind": layer.kind,
                 "analytic_mult_adds": layer.analytic_mult_adds,
                 "fvcore_mult_adds": layer.fvcore_mult_adds,
                 "analytic_params": layer.analytic_params,
                 "fvcore_params": layer.fvcore_params,
                 "output_shape": list(layer.expected_shape),
                 "observed_shape": list(layer.observed_shape) if layer.observed_shape else None,
                 "output_shape_ok": layer.output_shape_ok,
                 "match": layer.match}
                for layer in self.layers
            ],
            "totals": [{"check": c.quantity, "analytic": _jsonable(c.expected),
                        "measured": _jsonable(c.measured), "match": c.ok}
                       for c in self.totals],
            "mismatches": [{"layer": m.layer, "quantity": m.quantity,
                            "analytic": _jsonable(m.expected), "measured": _jsonable(m.measured)}
                           for m in self.mismatches],
        }


def _jsonable(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def skipped_summary(skipped: dict[str, int], unsupported: dict[str, int]) -> str:
    """``fvcore skipped (counted 0): aten::relu ×27 (ignored by design); aten::softmax ×1
    (unsupported)`` — one line, whatever fvcore met."""
    if not skipped and not unsupported:
        return "fvcore skipped no operators."
    groups = []
    if skipped:
        groups.append(", ".join(f"{op} ×{n}" for op, n in sorted(skipped.items()))
                      + " (ignored by design)")
    if unsupported:
        groups.append(", ".join(f"{op} ×{n}" for op, n in sorted(unsupported.items()))
                      + " (unsupported)")
    return "fvcore skipped (counted 0): " + "; ".join(groups)


# -- running the tools --------------------------------------------------------------------------

def _import_torch():
    try:
        with warnings.catch_warnings():  # fvcore's import scripts functions: deprecated in torch
            warnings.simplefilter("ignore", DeprecationWarning)
            import torch  # noqa: F401
            import fvcore.nn  # noqa: F401
    except ImportError:
        raise MissingExtra("verify", "verify") from None
    return torch


def require_extra() -> None:
    """Raise ``MissingExtra`` unless torch and fvcore import."""
    _import_torch()


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Keep fvcore's and torch's tracing chatter (warnings, log lines) off the terminal."""
    loggers = [logging.getLogger(name) for name in ("fvcore", "fvcore.nn.jit_analysis")]
    levels = [logger.level for logger in loggers]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for logger in loggers:
            logger.setLevel(logging.CRITICAL + 1)
        try:
            yield
        finally:
            for logger, level in zip(loggers, levels):
                logger.setLevel(level)


@contextlib.contextmanager
def _one_thread(torch: Any) -> Iterator[None]:
    """Run torch on one thread: counts do not depend on it, and on a busy machine OpenMP's
    spinning worker threads make small models several times slower."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _flop_analysis_class():
    from fvcore.nn import FlopCountAnalysis

    class RecordingFlopCountAnalysis(FlopCountAnalysis):
        """fvcore's analysis, also remembering the ops it ignores by design (e.g. relu)."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.ignored_seen: Counter[str] = Counter()

        def _should_ignore_node(self, node: Any) -> bool:  # fvcore 0.1.5 internal hook
            ignore = super()._should_ignore_node(node)
            if ignore and not node.kind().startswith("prim::"):
                self.ignored_seen[node.kind()] += 1
            return ignore

    return RecordingFlopCountAnalysis


def _weights(module: Any) -> int:
    """Weights only: conv and linear kernels (the paper's convention)."""
    from torch import nn

    return sum(m.weight.numel() for m in module.modules() if isinstance(m, (nn.Conv2d, nn.Linear)))


def _params_all(module: Any) -> int:
    """Trainable parameters plus batch-norm running mean and variance (Keras' total)."""
    stats = sum(b.numel() for n, b in module.named_buffers()
                if n.endswith(("running_mean", "running_var")))
    return sum(p.numel() for p in module.parameters()) + stats


def crosscheck(network: Network, report: Report | None = None, *, model: Any = None,
               max_memory: int | None = DEFAULT_MAX_MEMORY) -> Crosscheck:
    """Build (or take) the torch model for ``network``, profile it, reconcile every number.

    ``report`` defaults to ``engine.analyze(network)``; ``model`` defaults to
    ``builder.build(network, init=False)`` (weights do not change any count).
    """
    torch = _import_torch()
    from mncost.torch import builder

    report = report if report is not None else analyze(network)
    # What verify uses beyond the tensors, measured on chains of 1,000 and 3,000 small convs
    # here: about 330 KiB per layer (fvcore's jit trace, FlopCounterMode, the hooks) on top of
    # about 320 MiB for torch and fvcore themselves.
    check_memory(network, max_memory, per_node=VERIFY_BYTES_PER_NODE, base=VERIFY_BASE_BYTES,
                 what="verifying")
    try:
        if model is None:
            model = builder.build(network, init=False, max_memory=None)
        return _crosscheck(torch, network, report, model.eval())
    except MemoryError:
        raise OutOfMemory(network) from None
    except RuntimeError as exc:
        if "alloc" in str(exc).lower() or "out of memory" in str(exc).lower():
            raise OutOfMemory(network) from None
        raise


VERIFY_BYTES_PER_NODE = 384 << 10
VERIFY_BASE_BYTES = 400 << 20


class OutOfMemory(MncostError):
    def __init__(self, network: Network) -> None:
        super().__init__(f"ran out of memory verifying {network.model} "
                         f"({len(network.nodes):,} layers, {network.resolution_text}); the "
                         "estimate passed --max-memory, so lower it to what this machine has "
                         "free, or verify a smaller resolution")


def _crosscheck(torch, network: Network, report: Report, model: Any) -> Crosscheck:
    from fvcore.nn import parameter_count
    from torch.utils.flop_counter import FlopCounterMode

    from mncost.torch import builder

    x = builder.input_tensor(network)
    modules = builder.layer_modules(model, network)

    seen: dict[str, Shape] = {}
    handles = [module.register_forward_hook(_shape_hook(seen, name))
               for name, module in modules.items()]
    try:
        with _quiet(), _one_thread(torch), torch.no_grad():
            counter = FlopCounterMode(display=False)
            with counter:
                model(x)
            analysis = _flop_analysis_class()(model, x)
            analysis.unsupported_ops_warnings(False).uncalled_modules_warnings(False)
            analysis.tracer_warnings("none")
            by_module = analysis.by_module_and_operator()
            by_operator = dict(analysis.by_operator())
            fvcore_total = int(analysis.total())
            unsupported = dict(analysis.unsupported_ops())
            skipped = dict(analysis.ignored_seen)
        param_counts = parameter_count(model)
    finally:
        for handle in handles:
            handle.remove()

    flop_counts = counter.get_flop_counts()
    root = type(model).__name__
    layer_checks = []
    for lr in report.layers:
        module = modules[lr.name]
        ops = {op: int(n) for op, n in by_module.get(lr.name, {}).items()}
        torch_flops = sum(int(n) for n in flop_counts.get(f"{root}.{lr.name}", {}).values())
        layer_checks.append(_layer_checks(lr, module, ops, torch_flops,
                                          int(param_counts.get(lr.name, 0)), seen.get(lr.name)))

    fvcore_conv_linear = sum(int(by_operator.get(op, 0)) for op in COUNTED_OPS)
    expected_ops: dict[str, int] = {}
    for node in network.nodes:
        for op, value in fvcore_expected(node).items():
            expected_ops[op] = expected_ops.get(op, 0) + value
    other_ops = {op: int(n) for op, n in by_operator.items()
                 if op not in COUNTED_OPS + CLOSED_FORM_OPS}
    totals = (
        Check("mult-adds: fvcore conv + linear", report.mult_adds, fvcore_conv_linear),
        *(Check(fvcore_rule(op), expected_ops.get(op, 0), int(by_operator.get(op, 0)))
          for op in CLOSED_FORM_OPS),
        Check("fvcore other operators = 0", 0, sum(other_ops.values())),
        Check("fvcore total() = preset fvcore", presets.count_as("fvcore", report).total,
              fvcore_total),
        Check("FlopCounterMode FLOPs = 2 × mult-adds (preset torch)",
              presets.count_as("torch", report).total, int(counter.get_total_flops())),
        Check("params (trainable): fvcore parameter_count", report.params_as("trainable"),
              int(param_counts.get("", 0))),
        Check("params (paper): conv + linear weights", report.params_as("paper"),
              _weights(model)),
        Check("params (all): + batch-norm running stats", report.params_as("all"),
              _params_all(model)),
    )
    return Crosscheck(report=report, layers=tuple(layer_checks), totals=totals,
                      fvcore_by_operator={k: int(v) for k, v in by_operator.items()},
                      fvcore_total=fvcore_total, fvcore_params=int(param_counts.get("", 0)),
                      flop_counter_flops=int(counter.get_total_flops()),
                      skipped_ops=skipped, unsupported_ops=unsupported)


def _shape_hook(seen: dict[str, Shape], name: str):
    from mncost.torch.builder import output_shape

    def hook(module: Any, inputs: Any, output: Any) -> None:
        seen[name] = output_shape(output)
    return hook


def _layer_checks(lr, module, ops: dict[str, int], torch_flops: int, fvcore_params: int,
                  observed: Shape | None) -> LayerCheck:
    layer = lr.layer
    cost = lr.cost
    fvcore_mult_adds = sum(ops.get(op, 0) for op in COUNTED_OPS)
    checks = [
        Check("mult-adds (fvcore conv + linear)", cost.mult_adds, fvcore_mult_adds),
        Check("FLOPs (FlopCounterMode) = 2 × mult-adds", 2 * cost.mult_adds, torch_flops),
        Check("params (trainable): fvcore parameter_count", cost.params("trainable"),
              fvcore_params),
        Check("params (paper): weights", cost.params("paper"), _weights(module)),
        Check("params (all): + running stats", cost.params("all"), _params_all(module)),
    ]
    expected = fvcore_expected(layer)
    for op in CLOSED_FORM_OPS:
        checks.append(Check(fvcore_rule(op), expected.get(op, 0), ops.get(op, 0)))
    other = sum(n for op, n in ops.items() if op not in COUNTED_OPS + CLOSED_FORM_OPS)
    if other:
        checks.append(Check("fvcore other operators = 0", 0, other))
    checks.append(Check("output shape (H×W×C)", tuple(layer.output_shape),
                        tuple(observed) if observed is not None else None))
    return LayerCheck(name=lr.name, kind=lr.kind, analytic_mult_adds=cost.mult_adds,
                      fvcore_mult_adds=fvcore_mult_adds, analytic_params=cost.params("trainable"),
                      fvcore_params=fvcore_params, expected_shape=layer.output_shape,
                      observed_shape=observed, checks=tuple(checks))


# -- the grid -----------------------------------------------------------------------------------

GRID_ALPHAS = ("1.0", "0.75", "0.5", "0.25")
GRID_RESOLUTIONS = (224, 192, 160, 128)


@dataclass(frozen=True)
class GridPoint:
    variant: str
    alpha: str
    resolution: int


def grid_points(variants: tuple[str, ...], alphas: tuple[str, ...] = GRID_ALPHAS,
                resolutions: tuple[int, ...] = GRID_RESOLUTIONS) -> tuple[GridPoint, ...]:
    return tuple(GridPoint(v, a, r) for v in variants for a in alphas for r in resolutions)


__all__ = ["Check", "LayerCheck", "Mismatch", "Crosscheck", "crosscheck", "require_extra",
           "skipped_summary", "GridPoint", "grid_points", "GRID_ALPHAS", "GRID_RESOLUTIONS",
           "fvcore_expected", "fvcore_rule"]
