"""The torch builder: module names are layer names, every descriptor field reaches torch."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

from mncost import api  # noqa: E402
from mncost.torch import builder  # noqa: E402
from fractions import Fraction  # noqa: E402

from mncost.core.ir import INPUT, Network, Node, Shape  # noqa: E402
from mncost.core.kinds.conv import ConvAttrs  # noqa: E402

pytestmark = pytest.mark.torch



@pytest.fixture(scope="module")
def mobilenet():
    net = api.network()
    return net, builder.build(net).eval()


@pytest.fixture
def tiny(tiny_mixed_spec):
    net = api.network(str(tiny_mixed_spec))
    return net, builder.build(net).eval()


class TestNames:
    """Every layer name is a module name, so the engine and torch join on it."""

    @pytest.mark.parametrize("variant", ["separable", "standard", "shallow"])
    def test_every_layer_is_a_named_module(self, variant):
        net = api.network(variant=variant)
        model = builder.build(net, init=False)
        names = {name for name, _ in model.named_modules()}
        assert {layer.name for layer in net.layers} <= names
        assert list(builder.layer_modules(model, net)) == [layer.name for layer in net.layers]

    def test_dotted_names_nest(self, mobilenet):
        net, model = mobilenet
        assert isinstance(model.block3, nn.ModuleDict)
        assert set(model.block3.keys()) == {"dw", "pw"}
        assert builder.layer_module(model, "block3.dw") is model.block3["dw"]

    def test_standard_variant_keeps_the_block_prefix(self):
        model = builder.build(api.network(variant="standard"), init=False)
        assert isinstance(builder.layer_module(model, "block3.conv").conv, nn.Conv2d)

    def test_unknown_layer_is_a_key_error(self, mobilenet):
        with pytest.raises(KeyError):
            builder.layer_module(mobilenet[1], "block99.dw")

    def test_duplicate_names_are_refused(self):
        attrs = ConvAttrs(kernel=1, stride=1, padding=0, dilation=1, groups=1, bias=False,
                          batch_norm=False, activation=None)
        conv = Node(name="a", kind="pw", inputs=(INPUT,), input_shapes=(Shape(4, 4, 3),),
                    output_shape=Shape(4, 4, 3), attrs=attrs)
        net = Network(model="m", variant="v", alpha_exact=Fraction(1),
                      input_shape=Shape(4, 4, 3), nodes=(conv, conv))
        with pytest.raises(ValueError, match="used twice"):
            builder.build(net)


class TestLayers:
    """Kernel, stride, padding, groups, bias, batch norm and activation come from the spec."""

    def test_depthwise_uses_groups_equal_to_channels(self, mobilenet):
        conv = builder.layer_module(mobilenet[1], "block2.dw").conv
        assert (conv.in_channels, conv.out_channels, conv.groups) == (64, 64, 64)
        assert conv.kernel_size == (3, 3) and conv.stride == (2, 2) and conv.padding == (1, 1)
        assert conv.bias is None

    def test_pointwise_is_one_by_one(self, mobilenet):
        conv = builder.layer_module(mobilenet[1], "block2.pw").conv
        assert (conv.in_channels, conv.out_channels, conv.groups) == (64, 128, 1)
        assert conv.kernel_size == (1, 1)

    def test_every_mobilenet_conv_has_bn_and_relu(self, mobilenet):
        net, model = mobilenet
        for layer in net.layers:
            if layer.kind in ("conv", "dw", "pw"):
                module = builder.layer_module(model, layer.name)
                assert isinstance(module.bn, nn.BatchNorm2d) and type(module.act) is nn.ReLU

    def test_head_is_stock_modules(self, mobilenet):
        # hook-based counters (thop, ptflops) match modules by exact type
        model = mobilenet[1]
        assert type(model.pool) is nn.AdaptiveAvgPool2d
        assert type(model.fc) is nn.Linear and model.fc.bias is not None
        assert (model.fc.in_features, model.fc.out_features) == (1024, 1000)
        assert type(model.softmax) is nn.Softmax and model.softmax.dim == 1

    def test_spec_bias_activation_and_batch_norm_reach_torch(self, tiny):
        net, model = tiny
        conv1 = model.conv1
        assert conv1.conv.bias is not None and type(conv1.act) is nn.ReLU6
        dw = builder.layer_module(model, "block1.dw")
        assert not hasattr(dw, "bn") and not hasattr(dw, "act") and dw.conv.bias is not None
        assert model.dw1.conv.kernel_size == (5, 5) and model.dw1.conv.padding == (2, 2)
        assert model.pw1.conv.bias is None and type(model.pw1.act) is nn.ReLU


class TestForward:
    """A real forward pass gives the shapes the engine computed."""

    def test_mobilenet_224_outputs_1000_probabilities(self, mobilenet):
        net, model = mobilenet
        with torch.no_grad():
            y = model(builder.input_tensor(net))
        assert y.shape == (1, 1000)
        assert torch.allclose(y.sum(), torch.tensor(1.0), atol=1e-4)

    @pytest.mark.parametrize("resolution", [224, 97])
    def test_every_layer_output_shape(self, resolution):
        net = api.network(alpha="0.35", resolution=resolution)
        model = builder.build(net, init=False).eval()
        seen = {}
        for name, module in builder.layer_modules(model, net).items():
            module.register_forward_hook(
                lambda m, i, o, name=name: seen.__setitem__(name, builder.output_shape(o)))
        with torch.no_grad():
            model(builder.input_tensor(net))
        assert seen == {layer.name: layer.output_shape for layer in net.layers}

    def test_output_shape_reads_nchw_and_nc(self):
        assert builder.output_shape(torch.zeros(1, 8, 5, 7)) == Shape(5, 7, 8)
        assert builder.output_shape(torch.zeros(1, 10)) == Shape(1, 1, 10)

    def test_input_tensor_is_nchw_batch_one_and_seeded(self):
        net = api.network(resolution=97)
        x = builder.input_tensor(net)
        assert x.shape == (1, 3, 97, 97) and torch.equal(x, builder.input_tensor(net))


class TestParameters:
    """The built model holds exactly the parameters PAPER.md states."""

    def test_trainable_parameters_of_mobilenet_224(self, mobilenet):
        assert sum(p.numel() for p in mobilenet[1].parameters()) == 4_231_976

    def test_init_false_is_zero_filled_but_same_shapes(self):
        net = api.network(alpha="0.25")
        fast, slow = builder.build(net, init=False), builder.build(net)
        assert [(n, p.shape) for n, p in fast.named_parameters()] == \
            [(n, p.shape) for n, p in slow.named_parameters()]
        assert all(not p.any() for p in fast.parameters())
        assert all(b.eq(1).all() for n, b in fast.named_buffers() if n.endswith("running_var"))
