"""YAML spec → ``ModelSpec`` (validated) → ``Network`` (resolved for one α, resolution, variant).

Rounding rules, stated once (README "Hyperparameters" repeats them):

* Width multiplier α: a layer declared with ``c`` output channels gets
  ``max(min_channels, floor(c · α))``, with α taken as the exact decimal the user wrote
  (``Fraction("0.29")``, not the nearest binary float), so ``c = 100, α = 0.29`` gives 29.
  ``min_channels`` defaults to 1; TF-slim's reference uses 8. The input image's channels and
  the classifier's outputs are never scaled.
* Resolution multiplier ρ: the input becomes ``floor(base · ρ + 1/2)`` pixels square (round
  half up, exact), with ``base`` the spec's ``input.resolution``: 224 · 0.5 = 112.
* Depth multiplier (Keras' ``depth_multiplier``): a depthwise conv on ``c`` channels outputs
  ``c · depth_multiplier`` channels.
* Spatial size: ``floor((in + 2·pad − k) / stride) + 1`` with ``pad = (k − 1) // 2`` unless the
  layer gives ``padding``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from mncost.core.errors import ConfigError, SpecError
from mncost.core.ir import (Conv, GlobalAvgPool, Layer, Linear, Network, Shape, Softmax,
                           conv_output_size)
from mncost.core.yamlio import Located, did_you_mean, load_file

BUILTIN_SPECS = ("mobilenet_v1",)
DEFAULT_SPEC = "mobilenet_v1"

ENTRY_KINDS = ("conv", "dw", "pw", "separable", "avgpool", "fc", "softmax")
ACTIVATIONS = ("relu", "relu6", "none")
CONVERSIONS = {"separable": ("conv",), "conv": ("separable",)}

# Bounds that keep a hand-edited or hostile spec from hanging the tool. Costs themselves are
# exact Python ints at any size; these only cap how much structure gets materialised.
MAX_LAYERS = 10_000
MAX_CHANNELS = 1 << 24
MAX_KERNEL = 1024
MAX_RESOLUTION = 1 << 20

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

_TOP_KEYS = ["model", "description", "input", "classes", "defaults", "default_variant",
             "variants", "layers"]
_ENTRY_KEYS = ["kind", "name", "out", "kernel", "stride", "padding", "repeat", "tag",
               "batch_norm", "activation", "bias"]
_KEYS_BY_KIND = {
    "conv": {"out", "kernel", "stride", "padding", "batch_norm", "activation", "bias"},
    "separable": {"out", "kernel", "stride", "padding", "batch_norm", "activation", "bias"},
    "dw": {"kernel", "stride", "padding", "batch_norm", "activation", "bias"},
    "pw": {"out", "stride", "batch_norm", "activation", "bias"},
    "avgpool": set(),
    "fc": {"out", "bias"},
    "softmax": set(),
}


@dataclass(frozen=True)
class LayerEntry:
    """One item of the spec's ``layers`` list, validated, before ``repeat`` is expanded."""

    index: int
    line: int | None
    kind: str
    name: str | None
    out: int | None
    kernel: int
    stride: int
    padding: int | None
    repeat: int
    tag: str | None
    batch_norm: bool
    activation: str | None
    bias: bool


@dataclass(frozen=True)
class Variant:
    """A named edit of the base layer list, declared in the spec as data."""

    name: str
    description: str
    convert: tuple[tuple[str, str], ...] = ()
    drop: tuple[str, ...] = ()


@dataclass(frozen=True)
class ModelSpec:
    """What a spec file says, validated; shapes are not resolved yet."""

    model: str
    description: str
    source: str
    resolution: int
    channels: int
    classes: int
    layers: tuple[LayerEntry, ...]
    variants: tuple[Variant, ...]
    default_variant: str

    @property
    def variant_names(self) -> tuple[str, ...]:
        return tuple(v.name for v in self.variants)

    def variant(self, name: str | None) -> Variant:
        wanted = self.default_variant if name is None else name
        for variant in self.variants:
            if variant.name == wanted:
                return variant
        raise ConfigError(f"unknown variant {wanted!r}{did_you_mean(wanted, list(self.variant_names))}"
                          f"; {self.source} declares: {', '.join(self.variant_names)}")


# -- loading ------------------------------------------------------------------------------------

def builtin_spec_path(name: str = DEFAULT_SPEC) -> Path:
    # A plain path beside this module: importlib.resources would cost ~10 ms of cold start
    # for the zip-import case mncost does not support.
    return Path(__file__).parent.parent / "configs" / f"{name}.yaml"


def load(path: str | Path | None = None) -> ModelSpec:
    """Load and validate a spec: a file path, a built-in name, or None for MobileNet v1."""
    if path is None or (str(path) in BUILTIN_SPECS and not Path(str(path)).exists()):
        name = DEFAULT_SPEC if path is None else str(path)
        doc, shown = load_file(builtin_spec_path(name), display=f"<built-in {name}>")
    else:
        doc, shown = load_file(path)
    return parse(doc, shown)


def parse(doc: object, source: str) -> ModelSpec:
    """Validate a parsed YAML document (from ``yamlio.load_yaml``) into a ModelSpec."""
    root = Located(doc, source)
    if doc is None:
        raise SpecError("is empty, expected a spec mapping", file=source)
    root.mapping(_TOP_KEYS)

    model = root.get("model", required=True).string()
    description = root.get("description", "").optional(lambda v: v.string(nonempty=False)) or ""
    inp = root.get("input", required=True).mapping(["resolution", "channels"])
    resolution = inp.get("resolution", required=True).positive_int(maximum=MAX_RESOLUTION)
    channels = inp.get("channels", 3).positive_int(maximum=MAX_CHANNELS)
    classes = root.get("classes", 1000).positive_int(maximum=MAX_CHANNELS)

    defaults = root.get("defaults", {}).mapping(["batch_norm", "activation", "bias"])
    default_bn = defaults.get("batch_norm", True).boolean()
    default_act = _activation(defaults.get("activation", "relu"))
    default_bias = defaults.get("bias", False).boolean()

    entries = []
    total = 0
    for item in root.get("layers", required=True).sequence(allow_empty=False):
        entry = _entry(item, len(entries), default_bn, default_act, default_bias)
        total += entry.repeat * (2 if entry.kind == "separable" else 1)
        if total > MAX_LAYERS:
            raise item.error(f"the spec expands to more than {MAX_LAYERS} layers")
        entries.append(entry)
    layers = tuple(entries)
    seen: dict[str, int] = {}
    for entry, names in zip(layers, _expanded_names(layers)):
        for name in names:
            if name in seen:
                raise SpecError(f"layer name {name!r} is used twice (also by layers[{seen[name]}])",
                                file=source, line=entry.line, field=f"layers[{entry.index}].name")
            seen[name] = entry.index
    targets = set(seen)
    targets |= {e.tag for e in layers if e.tag} | {e.name for e in layers if e.name}

    variants = []
    if root.has("variants"):
        for name, node in root.get("variants").items():
            variants.append(_variant(name, node, targets))
        if not variants:
            raise root.get("variants").error("must declare at least one variant")
    else:
        variants.append(Variant("base", "the layers as listed"))
    names = [v.name for v in variants]
    default_node = root.get("default_variant", names[0])
    default_variant = default_node.string()
    if default_variant not in names:
        raise default_node.error(f"names no declared variant; declared: {', '.join(names)}"
                                 f"{did_you_mean(default_variant, names)}")

    spec = ModelSpec(model=model, description=description, source=source,
                     resolution=resolution, channels=channels, classes=classes, layers=layers,
                     variants=tuple(variants), default_variant=default_variant)
    # Resolving every variant at the spec's own resolution catches layers that collapse the
    # spatial size below 1 (and names the line) before any flag is involved.
    for variant in spec.variants:
        if not _plan(spec, variant):
            raise root.get("variants").get(variant.name).error("drops every layer")
        resolve(spec, variant=variant.name)
    return spec


def _activation(node: Located) -> str | None:
    if node.value is None:
        return None
    value = node.string(choices=list(ACTIVATIONS))
    return None if value == "none" else value


def _entry(item: Located, index: int, default_bn: bool, default_act: str | None,
           default_bias: bool) -> LayerEntry:
    item.mapping(_ENTRY_KEYS)
    kind = item.get("kind", required=True).string(choices=list(ENTRY_KINDS))
    for key in item.value:
        if key in ("kind", "name", "repeat", "tag"):
            continue
        if key not in _KEYS_BY_KIND[kind]:
            allowed = sorted(_KEYS_BY_KIND[kind] | {"name", "repeat", "tag"})
            raise item.get(key).error(f"not allowed for kind {kind!r}; "
                                      f"allowed: {', '.join(allowed)}")
    name = item.get("name", None).optional(lambda v: v.string())
    if name is not None and not _NAME.match(name):
        raise item.get("name").error(f"must be an identifier (letters, digits, _), got {name!r}")
    needs_out = kind in ("conv", "separable", "pw")
    if needs_out:  # required, and null is not a channel count
        out_value = item.get("out", required=True).positive_int(maximum=MAX_CHANNELS)
    else:  # fc: null or absent means the spec's classes
        out_value = item.get("out", None).optional(lambda v: v.positive_int(maximum=MAX_CHANNELS))
    kernel = 1 if kind == "pw" else item.get("kernel", 3).positive_int(maximum=MAX_KERNEL)
    stride = item.get("stride", 1).positive_int(maximum=MAX_RESOLUTION)
    padding = item.get("padding", None).optional(
        lambda v: v.integer(minimum=0, maximum=MAX_KERNEL, what="a non-negative integer"))
    repeat = item.get("repeat", 1).positive_int(maximum=MAX_LAYERS)
    tag = item.get("tag", None).optional(lambda v: v.string())
    if kind == "fc":
        bias = item.get("bias", True).boolean()
        batch_norm, activation = False, None
    elif kind in ("avgpool", "softmax"):
        bias, batch_norm, activation = False, False, None
    else:
        bias = item.get("bias", default_bias).boolean()
        batch_norm = item.get("batch_norm", default_bn).boolean()
        activation = _activation(item.get("activation", default_act or "none"))
    return LayerEntry(index=index, line=item.line, kind=kind, name=name, out=out_value,
                      kernel=kernel, stride=stride, padding=padding, repeat=repeat, tag=tag,
                      batch_norm=batch_norm, activation=activation, bias=bias)


def _variant(name: str, node: Located, targets: set[str]) -> Variant:
    if not isinstance(name, str) or not _NAME.match(name):
        raise node.error(f"variant names must be identifiers, got {name!r}")
    if node.value is None:
        return Variant(name, "")
    node.mapping(["description", "convert", "drop"])
    description = node.get("description", "").string(nonempty=False)
    convert = []
    for source, target in node.get("convert", {}).items():
        if source not in CONVERSIONS:
            raise node.get("convert").get(source).error(
                f"cannot convert kind {source!r}; convertible kinds: {', '.join(CONVERSIONS)}")
        convert.append((source, target.string(choices=list(CONVERSIONS[source]))))
    drop = []
    for target in node.get("drop", []).sequence():
        value = target.string()
        if value not in targets:
            raise target.error(f"matches no layer name or tag"
                               f"{did_you_mean(value, sorted(targets))}")
        drop.append(value)
    return Variant(name, description, tuple(convert), tuple(drop))


# -- naming -----------------------------------------------------------------------------------

_PREFIX = {"conv": "conv", "separable": "block", "dw": "dw", "pw": "pw", "avgpool": "pool",
           "fc": "fc", "softmax": "softmax"}
_SINGLE_UNNUMBERED = ("avgpool", "fc", "softmax")


def _expanded_names(entries: tuple[LayerEntry, ...]) -> list[list[str]]:
    """Per entry, the names of its repeats: ``conv1``, ``block1``…, ``pool``, ``fc``.

    Numbering runs over the base list, before any variant drops or converts a layer, so a
    layer keeps its name in every variant and variants can be compared row by row.
    """
    counts: dict[str, int] = {}
    kind_totals: dict[str, int] = {}
    for entry in entries:
        kind_totals[entry.kind] = kind_totals.get(entry.kind, 0) + entry.repeat
    names = []
    for entry in entries:
        mine = []
        for i in range(entry.repeat):
            if entry.name:
                mine.append(entry.name if entry.repeat == 1 else f"{entry.name}_{i + 1}")
                continue
            counts[entry.kind] = counts.get(entry.kind, 0) + 1
            prefix = _PREFIX[entry.kind]
            if entry.kind in _SINGLE_UNNUMBERED and kind_totals[entry.kind] == 1:
                mine.append(prefix)
            else:
                mine.append(f"{prefix}{counts[entry.kind]}")
        names.append(mine)
    return names


# -- resolving --------------------------------------------------------------------------------

def parse_fraction(value: object, what: str) -> Fraction:
    """An exact Fraction from an int, a decimal string or a float's shortest repr."""
    try:
        if isinstance(value, bool):
            raise ValueError
        if isinstance(value, float):
            value = repr(value)
        result = Fraction(str(value).strip())
    except (ValueError, ZeroDivisionError):
        raise ConfigError(f"{what} must be a number, got {value!r}") from None
    return result


def scale_channels(channels: int, alpha: Fraction, min_channels: int = 1) -> int:
    """``max(min_channels, floor(channels · α))``: the width multiplier's rounding rule."""
    return max(min_channels, int(channels * alpha))


def scale_resolution(base: int, rho: Fraction) -> int:
    """``floor(base · ρ + 1/2)``: the resolution multiplier's rounding rule."""
    return int(base * rho + Fraction(1, 2))


@dataclass(frozen=True)
class _Step:
    name: str
    kind: str
    entry: LayerEntry


def resolve(spec: ModelSpec, *, variant: str | None = None, alpha: object = 1,
            resolution: int | None = None, rho: object = None, depth_multiplier: int = 1,
            min_channels: int = 1) -> Network:
    """Resolve every layer's shapes for one choice of hyperparameters."""
    chosen = spec.variant(variant)
    alpha_q = parse_fraction(alpha, "alpha")
    if alpha_q <= 0:
        raise ConfigError(f"alpha must be greater than 0, got {alpha}")
    if isinstance(depth_multiplier, bool) or not isinstance(depth_multiplier, int) \
            or depth_multiplier < 1:
        raise ConfigError(f"depth multiplier must be a positive integer, got {depth_multiplier}")
    if isinstance(min_channels, bool) or not isinstance(min_channels, int) or min_channels < 1:
        raise ConfigError(f"min channels must be a positive integer, got {min_channels}")
    if resolution is not None and rho is not None:
        raise ConfigError("give either a resolution or rho, not both")
    if rho is not None:
        rho_q = parse_fraction(rho, "rho")
        if rho_q <= 0:
            raise ConfigError(f"rho must be greater than 0, got {rho}")
        resolution = scale_resolution(spec.resolution, rho_q)
        if resolution < 1:
            raise ConfigError(f"rho {rho} gives a resolution below 1 pixel")
    from_flag = resolution is not None
    if resolution is None:
        resolution = spec.resolution
    if isinstance(resolution, bool) or not isinstance(resolution, int) or resolution < 1:
        raise ConfigError(f"resolution must be a positive integer, got {resolution}")
    if resolution > MAX_RESOLUTION:
        raise ConfigError(f"resolution must be at most {MAX_RESOLUTION}, got {resolution}")

    steps = _plan(spec, chosen)
    if not steps:
        raise ConfigError(f"variant {chosen.name!r} of {spec.source} drops every layer")
    shape = Shape(resolution, resolution, spec.channels)
    layers: list[Layer] = []
    for step in steps:
        new = _build(step, shape, alpha_q, depth_multiplier, min_channels, spec.classes)
        for layer in new:
            if layer.output_shape.h < 1 or layer.output_shape.w < 1:
                message = (f"layer {layer.name} would output {layer.output_shape.h}×"
                           f"{layer.output_shape.w} from a {layer.input_shape.h}×"
                           f"{layer.input_shape.w} input")
                if from_flag:
                    raise ConfigError(f"resolution {resolution} is too small for "
                                      f"{spec.model}: {message}")
                raise SpecError(f"spatial size collapses below 1 at input resolution "
                                f"{resolution}: {message}", file=spec.source,
                                line=step.entry.line, field=f"layers[{step.entry.index}]")
            layers.append(layer)
        shape = layers[-1].output_shape
    return Network(model=spec.model, variant=chosen.name, alpha=float(alpha_q),
                   resolution=resolution, depth_multiplier=depth_multiplier,
                   input_shape=Shape(resolution, resolution, spec.channels), layers=tuple(layers))


def _plan(spec: ModelSpec, variant: Variant) -> list[_Step]:
    """Expand repeats, then apply the variant's drops and conversions."""
    names = _expanded_names(spec.layers)
    conversions = dict(variant.convert)
    steps = []
    dropped = set(variant.drop)
    for entry, entry_names in zip(spec.layers, names):
        if entry.tag in dropped or entry.name in dropped:
            continue
        kind = conversions.get(entry.kind, entry.kind)
        steps.extend(_Step(name, kind, entry) for name in entry_names if name not in dropped)
    return steps


def _build(step: _Step, shape: Shape, alpha: Fraction, depth_multiplier: int,
           min_channels: int, classes: int) -> list[Layer]:
    entry = step.entry

    def conv(name: str, kind: str, c_in_shape: Shape, c_out: int, kernel: int, stride: int,
             groups: int) -> Conv:
        padding = entry.padding if entry.padding is not None else (kernel - 1) // 2
        h = conv_output_size(c_in_shape.h, kernel, stride, padding)
        w = conv_output_size(c_in_shape.w, kernel, stride, padding)
        return Conv(name=name, kind=kind, input_shape=c_in_shape, output_shape=Shape(h, w, c_out),
                    kernel=kernel, stride=stride, padding=padding, groups=groups,
                    bias=entry.bias, batch_norm=entry.batch_norm, activation=entry.activation)

    def scaled(channels: int) -> int:
        return scale_channels(channels, alpha, min_channels)

    if step.kind == "conv":
        # A converted separable block keeps its name as a prefix so variants stay alignable.
        name = f"{step.name}.conv" if entry.kind == "separable" else step.name
        return [conv(name, "conv", shape, scaled(entry.out), entry.kernel, entry.stride, 1)]
    if step.kind == "separable":
        dw = conv(f"{step.name}.dw", "dw", shape, shape.c * depth_multiplier, entry.kernel,
                  entry.stride, shape.c)
        pw = Conv(name=f"{step.name}.pw", kind="pw", input_shape=dw.output_shape,
                  output_shape=Shape(dw.output_shape.h, dw.output_shape.w, scaled(entry.out)),
                  kernel=1, stride=1, padding=0, groups=1, bias=entry.bias,
                  batch_norm=entry.batch_norm, activation=entry.activation)
        return [dw, pw]
    if step.kind == "dw":
        return [conv(step.name, "dw", shape, shape.c * depth_multiplier, entry.kernel,
                     entry.stride, shape.c)]
    if step.kind == "pw":
        return [conv(step.name, "pw", shape, scaled(entry.out), 1, entry.stride, 1)]
    if step.kind == "avgpool":
        return [GlobalAvgPool(name=step.name, input_shape=shape, output_shape=Shape(1, 1, shape.c))]
    if step.kind == "fc":
        return [Linear(name=step.name, input_shape=shape,
                       output_shape=Shape(1, 1, entry.out or classes), bias=entry.bias)]
    if step.kind == "softmax":
        return [Softmax(name=step.name, input_shape=shape, output_shape=shape)]
    raise AssertionError(f"unhandled kind {step.kind}")  # ENTRY_KINDS and this stay in step
