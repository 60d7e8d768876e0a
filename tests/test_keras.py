"""The built-in ``keras_mobilenet`` equals keras.applications.MobileNet at every α and size.

The expected numbers are computed here from Keras' documented layer structure
(keras/src/applications/mobilenet.py): a 3×3 stride-2 conv with 'same' padding; thirteen
depthwise blocks, stride-1 ones 'same', stride-2 ones ZeroPadding2D(((0, 1), (0, 1))) then
'valid'; batch norm (γ, β trainable, moving mean and variance not) and ReLU6 after every conv;
channels int(c · α); then global average pooling, dropout and a 1×1 conv with bias to the
classes. Shapes follow TensorFlow's rules: 'same' gives ceil(n / s), 'valid' floor((n − k) / s)
+ 1. The published summary of MobileNet(alpha=1.0) — Total params 4,253,864, Trainable
4,231,976, Non-trainable 21,888 — is checked too, and, with Keras installed (the test extra;
torch backend), every layer's output shape and the parameter counts against Keras itself.
"""

from __future__ import annotations

import json
import math

import pytest

import mncost

BLOCKS = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1),
          (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1)]


def keras_counts(alpha: float, size: int, depth_multiplier: int = 1, classes: int = 1000):
    """(mult-adds, trainable params, total params, shapes) by Keras' rules."""
    macs = trainable = stats = 0
    shapes = []
    c = int(32 * alpha)
    n = math.ceil(size / 2)                              # conv1: 'same', stride 2
    macs += 3 * 3 * 3 * c * n * n
    trainable += 3 * 3 * 3 * c + 2 * c
    stats += 2 * c
    shapes.append((n, n, c))
    for filters, stride in BLOCKS:
        if stride == 2:                                  # ZeroPadding2D(((0,1),(0,1))) + valid
            n = (n + 1 - 3) // 2 + 1
        d = c * depth_multiplier
        macs += 3 * 3 * d * n * n
        trainable += 3 * 3 * d + 2 * d
        stats += 2 * d
        shapes.append((n, n, d))
        p = int(filters * alpha)
        macs += d * p * n * n
        trainable += d * p + 2 * p
        stats += 2 * p
        shapes.append((n, n, p))
        c = p
    macs += c * classes                                  # conv_preds on 1×1×c
    trainable += c * classes + classes
    return macs, trainable, trainable + stats, shapes


def table_json(invoke, *args):
    result = invoke("table", "--spec", "keras_mobilenet", *args, "-f", "json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_published_keras_summary():
    report = mncost.analyze("keras_mobilenet")
    assert report.params_as("all") == 4_253_864
    assert report.params_as("trainable") == 4_231_976
    assert report.params_as("all") - report.params_as("trainable") == 21_888


@pytest.mark.parametrize("alpha, size", [("1", 224), ("1", 97), ("0.75", 193), ("0.5", 128),
                                         ("0.25", 97), ("0.25", 160), ("1.3", 101)])
def test_equals_keras_rules(invoke, alpha, size):
    macs, trainable, total, shapes = keras_counts(float(alpha), size)
    data = table_json(invoke, "--alpha", alpha, "--resolution", str(size))
    convs = [layer for layer in data["layers"] if layer["kind"] in ("conv", "dw", "pw")]
    assert [tuple(layer["output_shape"]) for layer in convs[:27]] == shapes
    assert data["totals"]["mult_adds"] == macs
    assert data["totals"]["params"] == trainable
    assert table_json(invoke, "--alpha", alpha, "--resolution", str(size),
                      "--params", "all")["totals"]["params"] == total


def test_depth_multiplier(invoke):
    macs, trainable, _, _ = keras_counts(0.5, 128, depth_multiplier=2)
    data = table_json(invoke, "--alpha", "0.5", "--resolution", "128",
                      "--depth-multiplier", "2")
    assert (data["totals"]["mult_adds"], data["totals"]["params"]) == (macs, trainable)


def test_odd_sizes_differ_from_the_paper_model():
    """At 97 Keras' valid-padded stride-2 convs give 24 where the paper's model gives 25."""
    keras = mncost.network("keras_mobilenet", resolution=97)
    paper = mncost.network("mobilenet_v1", resolution=97)
    assert keras.node("conv_dw_2").output_shape[:2] == (24, 24)
    assert paper.node("block2.dw").output_shape[:2] == (25, 25)
    for size in (224, 128):  # even sizes where the two agree
        assert mncost.analyze("keras_mobilenet", resolution=size).mult_adds == \
            mncost.analyze(resolution=size).mult_adds


def test_classifier_is_not_scaled():
    net = mncost.network("keras_mobilenet", alpha="0.25")
    assert net.node("conv_preds").output_shape == (1, 1, 1000)
    assert net.node("conv_pw_13").output_shape == (7, 7, 256)


@pytest.mark.torch
def test_verify_reconciles(invoke):
    pytest.importorskip("torch")
    pytest.importorskip("fvcore")
    result = invoke("verify", "--spec", "keras_mobilenet", "--alpha", "0.25", "--resolution",
                    "97", "-f", "json")
    assert result.exit_code == 0 and json.loads(result.stdout)["ok"]


# -- Keras itself ---------------------------------------------------------------------------

@pytest.mark.torch
@pytest.mark.parametrize("alpha, depth_multiplier, size", [
    ("1.0", 1, 224), ("0.75", 1, 97), ("0.25", 2, 128), ("0.5", 1, 131), ("1.3", 1, 101)])
def test_equals_keras_itself(alpha, depth_multiplier, size, monkeypatch):
    """keras.applications.MobileNet (weights=None, torch backend): every layer's output shape,
    by Keras' own layer names, and Keras' count_params() and trainable weights."""
    import importlib.util
    import os

    if importlib.util.find_spec("keras") is None:
        pytest.skip("keras is not installed")
    os.environ.setdefault("KERAS_BACKEND", "torch")  # before keras is first imported
    pytest.importorskip("torch")
    import keras

    if keras.backend.backend() != "torch":
        pytest.skip(f"keras runs on {keras.backend.backend()}, not torch, in this session")
    model = keras.applications.MobileNet(input_shape=(size, size, 3), alpha=float(alpha),
                                         depth_multiplier=depth_multiplier, weights=None)
    net = mncost.network("keras_mobilenet", alpha=alpha, resolution=size,
                         depth_multiplier=depth_multiplier)
    theirs = {layer.name: tuple(layer.output.shape[1:]) for layer in model.layers}
    ours = {node.name: tuple(node.output_shape) for node in net.nodes}
    compared = {name for name in ours if name in theirs and len(theirs[name]) == 3}
    assert len(compared) >= 28   # every conv, dw, pool and classifier conv
    assert {name: ours[name] for name in compared} == {name: theirs[name] for name in compared}
    assert mncost.analyze(net, params="all").params == model.count_params()
    trainable = sum(math.prod(w.shape) for w in model.trainable_weights)
    assert mncost.analyze(net).params == trainable
