"""Graph specs: joins, branches, windows and odd shapes, every number derived here by hand.

Conventions used in the hand derivations (costing.py's docstring): a conv costs
k_h·k_w·(c_in/groups)·c_out·h_out·w_out mult-adds; params (trainable) = weights + biases +
2·C per batch norm; peak activation = the largest sum of live tensors while nodes run in
order, a tensor living from the node that makes it to its last reader (the input from the
start); float32 is 4 bytes an element.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

import mncost
from mncost.core import kinds, memory

RESIDUAL = """
model: Residual
input: {resolution: 8, channels: 4}
classes: 3
layers:
  - {kind: conv, name: a, out: 4, kernel: 3}
  - {kind: conv, name: b, out: 4, kernel: 3, activation: none}
  - {kind: add, name: sum, inputs: [input, b]}
  - {kind: avgpool}
  - {kind: fc}
"""

SQUEEZE_EXCITE = """
model: SE
input: {resolution: 6, channels: 3}
classes: 2
layers:
  - {kind: conv, name: features, out: 8, kernel: 1}
  - {kind: avgpool, name: squeeze}
  - {kind: conv, name: reduce, kernel: 1, out: 2, bias: true, batch_norm: false}
  - {kind: conv, name: expand, kernel: 1, out: 8, bias: true, batch_norm: false,
     activation: hardsigmoid}
  - {kind: mul, name: scale, inputs: [features, expand]}
  - {kind: avgpool}
  - {kind: fc}
"""

CONCAT = """
model: Branches
input: {resolution: 10, channels: 3}
classes: 5
layers:
  - {kind: conv, name: left, out: 4, kernel: 1, inputs: [input]}
  - {kind: conv, name: right, out: 6, kernel: 3, inputs: [input]}
  - {kind: concat, name: join, inputs: [left, right]}
  - {kind: avgpool}
  - {kind: fc}
"""

MAXPOOL = """
model: Pooled
input: {resolution: 11, channels: 2}
classes: 4
layers:
  - {kind: conv, out: 4, kernel: 3}
  - {kind: maxpool, kernel: 3, stride: 2, padding: 1}
  - {kind: avgpool}
  - {kind: fc}
"""

ASYMMETRIC = """
model: Keras-style padding
input: {resolution: 97, channels: 3}
classes: 10
layers:
  - {kind: conv, name: stem, out: 8, kernel: 3, stride: 2, padding: same}
  - {kind: dw, name: valid_pad, kernel: 3, stride: 2, padding: [0, 1, 0, 1]}
  - {kind: avgpool}
  - {kind: fc}
"""

NON_SQUARE = """
model: Wide
input: {resolution: [12, 20], channels: 3}
classes: 6
layers:
  - {kind: conv, out: 5, kernel: 3, stride: 2}
  - {kind: avgpool}
  - {kind: fc}
"""


def _network(write_yaml, text, name="spec.yaml", **settings):
    return mncost.network(str(write_yaml(text, name)), **settings)


class TestResidual:
    """conv a → conv b → add(input, b): the input is read again by the add, so it stays
    alive while a and b run."""

    def test_numbers(self, write_yaml):
        report = mncost.analyze(_network(write_yaml, RESIDUAL))
        conv = 3 * 3 * 4 * 4 * 8 * 8                       # each conv, 8×8 out
        assert [lr.mult_adds for lr in report.layers] == [conv, conv, 0, 0, 4 * 3]
        assert report.params == 2 * (3 * 3 * 4 * 4 + 2 * 4) + (4 * 3 + 3)
        x = 8 * 8 * 4
        # while b runs: input (kept for the add) + a + b; while sum runs: input + b + sum
        assert report.peak_activation_elements == 3 * x
        assert report.peak_activation_layer == "b"
        assert report.peak_activation_bytes == 3 * x * 4

    def test_a_shorter_skip_moves_the_peak(self, write_yaml):
        chain = RESIDUAL.replace("inputs: [input, b]", "inputs: [a, b]")
        report = mncost.analyze(_network(write_yaml, chain, "chain.yaml"))
        # the input is freed after a; while b runs: a (kept for the add) + b = 2 tensors;
        # while the add runs: a + b + sum = 3, the first moment with three
        assert report.peak_activation_elements == 3 * 8 * 8 * 4
        assert report.peak_activation_layer == "sum"

    def test_live_sets(self, write_yaml):
        net = _network(write_yaml, RESIDUAL)
        assert memory.live_sets(net)[:3] == (("input", "a"), ("input", "a", "b"),
                                             ("input", "b", "sum"))


class TestSqueezeExcite:
    def test_numbers(self, write_yaml):
        report = mncost.analyze(_network(write_yaml, SQUEEZE_EXCITE))
        by = {lr.name: lr for lr in report.layers}
        assert by["features"].mult_adds == 3 * 8 * 6 * 6
        assert by["reduce"].mult_adds == 8 * 2 and by["reduce"].params == 8 * 2 + 2
        assert by["expand"].mult_adds == 2 * 8 and by["expand"].params == 2 * 8 + 8
        assert by["scale"].output_shape == (6, 6, 8) and by["scale"].mult_adds == 0
        from mncost.core import presets
        q = presets.quantities(report)
        assert q["mul_elements"] == 6 * 6 * 8 and q["hardsigmoid_elements"] == 8


class TestConcat:
    def test_numbers(self, write_yaml):
        report = mncost.analyze(_network(write_yaml, CONCAT))
        by = {lr.name: lr for lr in report.layers}
        assert by["left"].mult_adds == 3 * 4 * 10 * 10
        assert by["right"].mult_adds == 3 * 3 * 3 * 6 * 10 * 10
        assert by["join"].output_shape == (10, 10, 10)
        assert by["fc"].mult_adds == 10 * 5
        # while right runs: input + left (read by join) + right = 3 + 4 + 6 channels;
        # while join runs: left + right + join = 4 + 6 + 10, the peak
        assert memory.live_sets(report.network)[1] == ("input", "left", "right")
        assert report.peak_activation_elements == 10 * 10 * (4 + 6 + 10)
        assert report.peak_activation_layer == "join"


class TestMaxPool:
    def test_shape_and_cost(self, write_yaml):
        report = mncost.analyze(_network(write_yaml, MAXPOOL))
        pool = report.layers[1]
        assert pool.kind == "maxpool" and pool.mult_adds == 0 and pool.params == 0
        # floor((11 + 2·1 − 3) / 2) + 1 = 6
        assert pool.output_shape == (6, 6, 4)
        assert pool.layer.filter_shape == "Pool 3×3" and pool.layer.type_label == "Max Pool"


class TestPadding:
    def test_same_and_keras_valid(self, write_yaml):
        net = _network(write_yaml, ASYMMETRIC)
        stem, dw = net.nodes[0], net.nodes[1]
        assert stem.output_shape == (49, 49, 8)          # TF same: ceil(97 / 2)
        assert stem.padding == 1  # (49 − 1)·2 + 3 − 97 = 2 pixels: one each side
        # Keras: ZeroPadding2D(((0, 1), (0, 1))) + valid, floor((n − 2) / 2) + 1, not ceil
        assert dw.output_shape == (24, 24, 8)            # floor((49 + 0 + 1 − 3) / 2) + 1
        report = mncost.analyze(net)
        assert report.layers[1].mult_adds == 3 * 3 * 8 * 24 * 24

    def test_keras_ceil_differs_from_valid_pad_at_odd_sizes(self, write_yaml):
        net = _network(write_yaml, ASYMMETRIC, resolution=96)
        assert net.nodes[0].output_shape[:2] == (48, 48)
        # (48 − 1)·2 + 3 − 96 = 1 pixel: TensorFlow puts it at the bottom and right
        assert net.nodes[0].padding == (0, 1, 0, 1)
        assert net.nodes[1].output_shape[:2] == (24, 24)  # floor((48 + 1 − 3) / 2) + 1


class TestNonSquare:
    def test_spec_default(self, write_yaml):
        report = mncost.analyze(_network(write_yaml, NON_SQUARE))
        conv = report.layers[0]
        assert conv.output_shape == (6, 10, 5)           # floor((12+2−3)/2)+1, (20+2−3)/2+1
        assert conv.mult_adds == 3 * 3 * 3 * 5 * 6 * 10
        assert report.network.resolution == (12, 20)

    def test_flag(self, write_yaml, invoke):
        path = write_yaml(NON_SQUARE)
        data = json.loads(invoke("table", "--spec", path, "--resolution", "30x16",
                                 "-f", "json").stdout)
        assert data["resolution"] == [30, 16]
        assert data["layers"][0]["output_shape"] == [15, 8, 5]
        assert data["layers"][0]["mult_adds"] == 3 * 3 * 3 * 5 * 15 * 8


ALL = {"residual": RESIDUAL, "squeeze_excite": SQUEEZE_EXCITE, "concat": CONCAT,
       "maxpool": MAXPOOL, "asymmetric": ASYMMETRIC, "non_square": NON_SQUARE}


@pytest.mark.parametrize("name", sorted(ALL))
def test_table_json_and_csv_agree(name, write_yaml, invoke):
    path = write_yaml(ALL[name], f"{name}.yaml")
    data = json.loads(invoke("table", "--spec", path, "-f", "json").stdout)
    rows = list(csv.DictReader(io.StringIO(invoke("table", "--spec", path, "-f", "csv").stdout)))
    rich = invoke("table", "--spec", path).stdout
    assert [(r["name"], int(r["mult_adds"]), int(r["params"])) for r in rows] == \
        [(d["name"], d["mult_adds"], d["params"]) for d in data["layers"]]
    assert [r["inputs"].split() for r in rows] == [d["inputs"] for d in data["layers"]]
    for d in data["layers"]:
        assert d["name"] in rich and f"{d['mult_adds']:,}" in rich
    assert f"{data['totals']['mult_adds']:,} mult-adds" in rich


@pytest.mark.torch
@pytest.mark.parametrize("name", sorted(ALL))
def test_verify_reconciles(name, write_yaml, invoke):
    pytest.importorskip("torch")
    pytest.importorskip("fvcore")
    path = write_yaml(ALL[name], f"{name}.yaml")
    result = invoke("verify", "--spec", path, "-f", "json")
    data = json.loads(result.stdout)
    assert result.exit_code == 0 and data["ok"], data["mismatches"]
    assert all(layer["analytic_mult_adds"] == layer["fvcore_mult_adds"]
               for layer in data["layers"])


class TestGraphErrors:
    """A graph that does not fit: one line naming file, line and field; exit 2."""

    @pytest.mark.parametrize("text, expected", [
        (RESIDUAL.replace("inputs: [input, b]", "inputs: [input, pool]")
         .replace("- {kind: avgpool}", "- {kind: avgpool, name: pool}"),
         "reads 'pool', which comes later"),
        (RESIDUAL.replace("inputs: [input, b]", "inputs: [inptu, b]"),
         "layers[2].inputs[0]: names no layer (did you mean 'input'?)"),
        (RESIDUAL.replace("kind: conv, name: b, out: 4", "kind: conv, name: b, out: 5"),
         "layers[2].inputs: layer sum: add needs inputs of one shape, got 8×8×4 and 8×8×5"),
        (CONCAT.replace("kernel: 3, inputs: [input]", "kernel: 3, stride: 2, inputs: [input]"),
         "concat needs inputs of one height and width"),
        (CONCAT.replace("inputs: [left, right]", "inputs: [right]"),
         "kind 'concat' takes at least 2 inputs, got 1"),
        (SQUEEZE_EXCITE.replace("inputs: [features, expand]", "inputs: [features]"),
         "kind 'mul' takes 2 inputs, got 1"),
        (RESIDUAL.replace("inputs: [input, b]", "inputs: [input, a]"),
         "the output of layer b is never read"),
    ])
    def test_message(self, text, expected, write_yaml, invoke):
        path = write_yaml(text)
        result = invoke("table", "--spec", path)
        assert result.exit_code == 2
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"Error: {path}:"), result.stderr
        assert expected in lines[0]

    def test_unknown_kind_names_the_known_ones(self):
        with pytest.raises(kinds.UnknownKind, match="unknown layer kind 'nope'; known kinds: "
                                                    "add, avgpool"):
            kinds.kind("nope")


def test_every_kind_has_labels_a_torch_module_and_one_cost_formula(write_yaml):
    """cost() is Σ cost_terms × spatial factor for every node of every kind in these specs
    (the sweep's fast path relies on it), and each kind names a torch module."""
    torch = pytest.importorskip("torch")
    from mncost.torch import builder

    seen = set()
    for name, text in ALL.items():
        net = _network(write_yaml, text, f"{name}.yaml")
        peer = mncost.network("tests/data/peer_kinds.yaml")
        for node in net.nodes + peer.nodes:
            rule = kinds.kind(node.kind)
            total = kinds.Cost()
            for part, where in rule.cost_terms(node):
                total = total + part * kinds.spatial_factor(node, where)
            assert total == rule.cost(node)
            assert rule.type_label(node) and rule.table2_label(node)
            assert isinstance(builder.module_for(node), torch.nn.Module)
            seen.add(rule.name)
    assert seen >= {"conv", "fc", "avgpool", "maxpool", "add", "mul", "concat", "batchnorm",
                    "dropout", "sigmoid"}
