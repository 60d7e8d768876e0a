"""YAML spec → ``ModelSpec`` (validated) → ``Network`` (a resolved graph for one setting).

The pipeline, each step its own function:

1. ``parse``: the document's keys and every layer entry, validated by its kind's (or block's)
   own schema (``kinds``, ``blocks``); each problem a ``SpecError`` naming file, line, field.
2. ``_plan``: repeats expanded and named, the variant's drops and conversions applied, blocks
   expanded into named nodes, and every node's inputs found (the previous node unless the
   entry names ``inputs``).
3. ``resolve``: nodes in order, each kind's shape rule applied to its inputs' shapes under the
   settings (α, resolution, ...); a shape a kind cannot take is an error naming the entry.

Rounding rules live in ``settings`` (α, ρ, depth multiplier); spatial rules in each kind.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import Any, Mapping, NamedTuple

from mncost.core import settings as settings_module
from mncost.core.blocks import BLOCKS, CONVERSIONS, NodePlan, parse_squeeze
from mncost.core.errors import ConfigError, MncostError, SpecError
from mncost.core.ir import INPUT, Network, Node, Shape
from mncost.core.kinds import ShapeError, SpecDefaults, spec_kinds
from mncost.core.kinds._common import CollapseError
from mncost.core.kinds.activation import parse_activation
from mncost.core.settings import (MAX_CHANNELS, MAX_RESOLUTION, ModelSettings, format_decimal,
                                  scale_channels, scale_resolution)
from mncost.core.yamlio import Located, did_you_mean, load_file, path_kind

# Built-in name → (spec file in mncost/configs, configuration in it). The names are
# torchvision's factory names; a family with several sizes is one file plus settings.
BUILTINS: dict[str, tuple[str, str | None]] = {
    "mobilenet_v1": ("mobilenet_v1", None),
    "keras_mobilenet": ("keras_mobilenet", None),
    "mobilenet_v2": ("mobilenet_v2", None),
    "mobilenet_v3_large": ("mobilenet_v3_large", None),
    "mobilenet_v3_small": ("mobilenet_v3_small", None),
    **{f"mnasnet{size}": ("mnasnet", f"mnasnet{size}") for size in ("0_5", "0_75", "1_0", "1_3")},
    **{f"efficientnet_b{i}": ("efficientnet", f"efficientnet_b{i}") for i in range(8)},
}
BUILTIN_SPECS = tuple(BUILTINS)
DEFAULT_SPEC = "mobilenet_v1"

# Bounds that keep a hand-edited or hostile spec from hanging the tool. Costs themselves are
# exact Python ints at any size; these only cap how much structure gets materialised.
MAX_LAYERS = 10_000
MAX_KERNEL = 1024

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# Layer names may also be PyTorch module paths (``features.3.conv.0.0``), which is what
# ``mncost import`` writes so every row maps back to the code.
_LAYER_NAME = re.compile(r"^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$")
_TOP_KEYS = ["model", "description", "input", "classes", "defaults", "rounding", "alpha",
             "repeat_multiplier", "default_variant", "variants", "configurations", "errata",
             "layers"]
_COMMON_KEYS = ("kind", "name", "repeat", "scale_repeat", "tag", "inputs")
_CONFIGURATION_KEYS = ["model", "description", "alpha", "repeat_multiplier", "resolution"]
_ERRATA_TABLES = ("by_kind", "compare")
_ERRATA_WHEN = ("variant", "alpha", "resolution", "repeat_multiplier")
_NOTE_FIELDS = ("mult_adds", "conv_mult_adds", "fc_mult_adds", "params", "params_without_bn")

__all__ = ["BUILTIN_SPECS", "DEFAULT_SPEC", "LayerEntry", "ModelSpec", "Variant", "load",
           "parse", "resolve", "builtin_spec_path", "parse_fraction", "scale_channels",
           "scale_resolution", "MAX_LAYERS", "MAX_CHANNELS", "MAX_RESOLUTION"]


def parse_fraction(value: object, what: str) -> Fraction:
    """An exact Fraction from an int, a decimal string or a float's shortest repr."""
    return settings_module.parse_decimal(value, what)


class LayerEntry(NamedTuple):
    """One item of the spec's ``layers`` list, validated, before ``repeat`` is expanded.

    ``kind`` is the spec word (``conv``, ``separable``, ``maxpool`` ...); ``declared`` the
    values its kind or block validated; ``inputs`` the names it reads, or None for "the
    previous layer".
    """

    index: int
    line: int | None
    kind: str
    name: str | None
    repeat: int
    tag: str | None
    inputs: tuple[str, ...] | None
    declared: Mapping[str, Any]
    scale_repeat: bool = False  # repeat becomes ceil(repeat · repeat_multiplier)

    @property
    def field(self) -> str:
        return f"layers[{self.index}]"

    def repeats(self, multiplier: Fraction) -> int:
        if not self.scale_repeat:
            return self.repeat
        return settings_module.scale_repeats(self.repeat, multiplier)


class Variant(NamedTuple):
    """A named edit of the base layer list, declared in the spec as data."""

    name: str
    description: str
    convert: tuple[tuple[str, str], ...] = ()
    drop: tuple[str, ...] = ()


class Configuration(NamedTuple):
    """A named setting of one spec file (``efficientnet_b3``: α 1.2, d 1.4, 300 pixels)."""

    name: str
    model: str
    description: str
    alpha: Fraction
    repeat_multiplier: Fraction
    input_size: tuple[int, int]


class Erratum(NamedTuple):
    """A note on a published figure, shown in ``table`` when the network is the one
    published (``when``: variant, exact α and resolution; depth multiplier and min channels 1).
    The note may name ``{mult_adds}``, ``{conv_mult_adds}``, ``{fc_mult_adds}``, ``{params}``
    (trainable) and ``{params_without_bn}`` (trainable without batch-norm γ, β)."""

    table: str
    note: str
    variant: str | None
    alpha: Fraction | None
    resolution: tuple[int, int] | None
    repeat_multiplier: Fraction | None = None

    def applies(self, variant: str, settings: ModelSettings, alpha: Fraction,
                size: tuple[int, int], rounding: str, repeats: Fraction) -> bool:
        return ((self.variant is None or self.variant == variant)
                and (self.alpha is None or self.alpha == alpha)
                and (self.repeat_multiplier is None or self.repeat_multiplier == repeats)
                and (self.resolution is None or self.resolution == size)
                and settings.depth_multiplier == 1 and settings.min_channels == 1
                and settings.rounding in (None, rounding))


@dataclass(frozen=True)
class ModelSpec:
    """What a spec file says, validated; shapes are not resolved yet."""

    model: str
    description: str
    source: str
    input_size: tuple[int, int]
    channels: int
    classes: int
    layers: tuple[LayerEntry, ...]
    variants: tuple[Variant, ...]
    default_variant: str
    rounding: str = settings_module.DEFAULT_ROUNDING
    errata: tuple[Erratum, ...] = ()
    alpha: Fraction = Fraction(1)              # the width it is built at unless --alpha
    repeat_multiplier: Fraction = Fraction(1)  # EfficientNet's depth coefficient
    configurations: tuple["Configuration", ...] = ()
    name: str | None = None                    # the built-in name it was loaded by

    def configuration(self, name: str) -> "ModelSpec":
        """This spec under one of its named configurations (``efficientnet_b3``)."""
        for found in self.configurations:
            if found.name == name:
                return replace(self, model=found.model, description=found.description,
                               alpha=found.alpha, repeat_multiplier=found.repeat_multiplier,
                               input_size=found.input_size, name=name)
        raise ConfigError(f"{self.source} has no configuration {name!r}")

    @property
    def resolution(self) -> int | tuple[int, int]:
        h, w = self.input_size
        return h if h == w else (h, w)

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
    # A plain path beside the package: importlib.resources would cost ~10 ms of cold start
    # for the zip-import case mncost does not support.
    return Path(__file__).parent.parent / "configs" / f"{name}.yaml"


def is_builtin(name: str) -> bool:
    return name in BUILTIN_SPECS and not _exists(name)


def _exists(path: str) -> bool:
    return path_kind(path) is not None


def load(path: str | Path | None = None) -> ModelSpec:
    """Load and validate a spec: a file path, a built-in name, or None for MobileNet v1."""
    if path is None or is_builtin(str(path)):
        name = DEFAULT_SPEC if path is None else str(path)
        file, configuration = BUILTINS[name]
        spec = _load_builtin(file)
        return spec.configuration(configuration) if configuration else replace(spec, name=name)
    else:
        text = str(path)
        if not _exists(text) and _NAME.match(text):
            raise ConfigError(f"unknown spec {text!r}: no such file or built-in spec"
                              f"{did_you_mean(text, list(BUILTIN_SPECS))}; built-in specs: "
                              f"{', '.join(BUILTIN_SPECS)}")
        doc, shown = load_file(path)
    return parse(doc, shown)


@functools.lru_cache(maxsize=None)
def _load_builtin(file: str) -> ModelSpec:
    # Built-in files never change while mncost runs; compare and budgets often name two
    # configurations of one file (efficientnet_b0 against efficientnet_b3).
    doc, shown = load_file(builtin_spec_path(file), display=f"<built-in {file}>")
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
    input_size = _input_size(inp.get("resolution", required=True))
    channels = inp.get("channels", 3).positive_int(maximum=MAX_CHANNELS)
    classes = root.get("classes", 1000).positive_int(maximum=MAX_CHANNELS)
    rounding = _located(root.get("rounding", settings_module.DEFAULT_ROUNDING),
                        settings_module.parse_rounding)
    alpha = _located(root.get("alpha", 1), lambda v: settings_module.parse_multiplier(v, "alpha"))
    repeat_multiplier = _located(root.get("repeat_multiplier", 1),
                                 settings_module.parse_repeat_multiplier)

    defaults_node = root.get("defaults", {}).mapping(["batch_norm", "activation", "bias", "se"])
    defaults = SpecDefaults(
        batch_norm=defaults_node.get("batch_norm", True).boolean(),
        activation=parse_activation(defaults_node.get("activation", "relu")),
        bias=defaults_node.get("bias", False).boolean(), classes=classes,
        se=parse_squeeze(defaults_node.get("se")) if defaults_node.has("se") else None)

    entries: list[LayerEntry] = []
    total = 0
    for item in root.get("layers", required=True).sequence(allow_empty=False):
        entry = _entry(item, len(entries), defaults)
        total += entry.repeat * (BLOCKS[entry.kind].most_nodes if entry.kind in BLOCKS else 1)
        if total > MAX_LAYERS:
            raise item.error(f"the spec expands to more than {MAX_LAYERS} layers")
        entries.append(entry)
    layers = tuple(entries)
    seen: dict[str, int] = {}
    for entry, names in zip(layers, _expanded_names(layers)):
        for name in names:
            if name in seen or name == INPUT:
                also = f" (also by layers[{seen[name]}])" if name in seen else " (the input's)"
                raise SpecError(f"layer name {name!r} is used twice{also}",
                                file=source, line=entry.line, field=f"{entry.field}.name")
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
    errata = tuple(_erratum(item, names) for item in root.get("errata", []).sequence())
    configurations = tuple(_configuration(name, node, model, description, alpha,
                                          repeat_multiplier, input_size)
                           for name, node in root.get("configurations", {}).items())

    spec = ModelSpec(model=model, description=description, source=source,
                     input_size=input_size, channels=channels, classes=classes, layers=layers,
                     variants=tuple(variants), default_variant=default_variant,
                     rounding=rounding, errata=errata, alpha=alpha,
                     repeat_multiplier=repeat_multiplier, configurations=configurations)
    # Resolving every variant at the spec's own settings catches layers that collapse the
    # spatial size or joins that do not fit (and names the line) before any flag is involved.
    for variant in spec.variants:
        if not _steps(spec, variant):
            raise root.get("variants").get(variant.name).error("drops every layer")
        resolve(spec, variant=variant.name)
    return spec


def _configuration(name: object, node: Located, model: str, description: str, alpha: Fraction,
                   repeat_multiplier: Fraction, input_size: tuple[int, int]) -> Configuration:
    if not isinstance(name, str) or not _NAME.match(name):
        raise node.error(f"configuration names must be identifiers, got {name!r}")
    node.mapping(_CONFIGURATION_KEYS)
    return Configuration(
        name=name,
        model=node.get("model", model).string(),
        description=node.get("description", description).string(nonempty=False),
        alpha=_located(node.get("alpha", alpha),
                       lambda v: settings_module.parse_multiplier(v, "alpha")),
        repeat_multiplier=_located(node.get("repeat_multiplier", repeat_multiplier),
                                   settings_module.parse_repeat_multiplier),
        input_size=(_input_size(node.get("resolution")) if node.has("resolution")
                    else input_size))


def _located(node: Located, parse_value) -> Any:
    try:
        return parse_value(node.value)
    except ConfigError as exc:
        raise node.error(str(exc)) from None


def _input_size(node: Located) -> tuple[int, int]:
    if isinstance(node.value, list):
        items = node.sequence()
        if len(items) != 2:
            raise node.error("must be a positive integer or [height, width]")
        h, w = (item.positive_int(maximum=MAX_RESOLUTION) for item in items)
        return h, w
    side = node.positive_int(maximum=MAX_RESOLUTION)
    return side, side


def _entry(item: Located, index: int, defaults: SpecDefaults) -> LayerEntry:
    item.mapping(list(_COMMON_KEYS) + _all_keys())
    kind_node = item.get("kind", required=True)
    word = kind_node.string(choices=sorted([*spec_kinds(), *BLOCKS]))
    block = BLOCKS.get(word)
    rule = spec_kinds().get(word)
    allowed = block.keys if block is not None else rule.spec_keys(word)
    for key in item.value:
        if key not in _COMMON_KEYS and key not in allowed:
            choices = sorted(set(allowed) | {"name", "repeat", "tag", "inputs"})
            raise item.get(key).error(f"not allowed for kind {word!r}; allowed: "
                                      f"{', '.join(choices)}")
    name = item.get("name", None).optional(lambda v: v.string())
    if name is not None and (not _LAYER_NAME.match(name) or len(name) > 200):
        raise item.get("name").error(f"must be an identifier (letters, digits, _) or a "
                                     f"dotted module path, got {name!r}")
    repeat = item.get("repeat", 1).positive_int(maximum=MAX_LAYERS)
    scale_repeat = item.get("scale_repeat", False).boolean()
    tag = item.get("tag", None).optional(lambda v: v.string())
    inputs = None
    if item.has("inputs"):
        inputs = tuple(ref.string() for ref in item.get("inputs").sequence(allow_empty=False))
    least, most = (1, 1) if block is not None else rule.arity
    count = len(inputs) if inputs is not None else 1
    if count < least or (most is not None and count > most):
        wanted = (str(least) if least == most else
                  f"at least {least}" if most is None else f"{least} to {most}")
        hint = "; name them with inputs: [a, b]" if inputs is None else ""
        node = item.get("inputs") if inputs is not None else kind_node
        raise node.error(f"kind {word!r} takes {wanted} inputs, got {count}{hint}")
    declared = block.parse(item, defaults) if block is not None \
        else rule.parse(word, item, defaults)
    return LayerEntry(index=index, line=item.line, kind=word, name=name, repeat=repeat, tag=tag,
                      inputs=inputs, declared=declared, scale_repeat=scale_repeat)


def _all_keys() -> list[str]:
    """Every key some kind or block accepts: what an unknown key's "did you mean" is from."""
    keys: dict[str, None] = {}
    for word, rule in sorted(spec_kinds().items()):
        keys.update(dict.fromkeys(rule.spec_keys(word)))
    for block in BLOCKS.values():
        keys.update(dict.fromkeys(block.keys))
    return [key for key in keys if key not in _COMMON_KEYS]


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


def _erratum(item: Located, variants: list[str]) -> Erratum:
    item.mapping(["table", "when", "note"])
    table = item.get("table", required=True).string(choices=list(_ERRATA_TABLES))
    note = item.get("note", required=True).string()
    when = item.get("when", {}).mapping(list(_ERRATA_WHEN))
    variant = when.get("variant", None).optional(lambda v: v.string(choices=variants))
    alpha = _located(when.get("alpha"), lambda v: settings_module.parse_multiplier(v, "alpha")) \
        if when.has("alpha") else None
    resolution = _located(when.get("resolution"), settings_module.parse_resolution) \
        if when.has("resolution") else None
    repeats = _located(when.get("repeat_multiplier"), settings_module.parse_repeat_multiplier) \
        if when.has("repeat_multiplier") else None
    try:
        note.format_map(dict.fromkeys(_NOTE_FIELDS, "0"))
    except (KeyError, ValueError, IndexError):
        raise item.get("note").error(f"may name only {{{'}, {'.join(_NOTE_FIELDS)}}} in braces "
                                     "(write {{ and }} for a literal brace)") from None
    return Erratum(table, note, variant, alpha, resolution, repeats)


# -- naming -----------------------------------------------------------------------------------

def _prefix(word: str) -> tuple[str, bool]:
    """(name prefix, whether a single one goes unnumbered) for a spec word."""
    if word in BLOCKS:
        return BLOCKS[word].name_prefix, False
    rule = spec_kinds()[word]
    return rule.name_prefix or word, rule.single_unnumbered


def _expanded_names(entries: tuple[LayerEntry, ...],
                    repeat_multiplier: Fraction = Fraction(1)) -> list[list[str]]:
    """Per entry, the names of its repeats: ``conv1``, ``block1``…, ``pool``, ``fc``.

    Numbering runs over the base list, before any variant drops or converts a layer, so a
    layer keeps its name in every variant and variants can be compared row by row. (A
    repeat multiplier adds repeats, so it renumbers the blocks after them, as torchvision's
    ``features.N`` indices do.)
    """
    counts: dict[str, int] = {}
    totals: dict[str, int] = {}
    for entry in entries:
        if not entry.name:  # named entries take no number
            prefix, _ = _prefix(entry.kind)
            totals[prefix] = totals.get(prefix, 0) + entry.repeats(repeat_multiplier)
    names = []
    for entry in entries:
        mine = []
        prefix, single_unnumbered = _prefix(entry.kind)
        repeats = entry.repeats(repeat_multiplier)
        for i in range(repeats):
            if entry.name:
                mine.append(entry.name if repeats == 1 else f"{entry.name}_{i + 1}")
                continue
            counts[prefix] = counts.get(prefix, 0) + 1
            if single_unnumbered and totals[prefix] == 1:
                mine.append(prefix)
            else:
                mine.append(f"{prefix}{counts[prefix]}")
        names.append(mine)
    return names


# -- planning: variant, blocks, inputs ---------------------------------------------------------

@dataclass(frozen=True)
class _Step:
    name: str
    word: str
    entry: LayerEntry
    repeat_index: int = 0


def _steps(spec: ModelSpec, variant: Variant,
           repeat_multiplier: Fraction = Fraction(1)) -> list[_Step]:
    """Expand repeats, then apply the variant's drops and conversions."""
    conversions = dict(variant.convert)
    dropped = set(variant.drop)
    steps = []
    for entry, names in zip(spec.layers, _expanded_names(spec.layers, repeat_multiplier)):
        if entry.tag in dropped or entry.name in dropped:
            continue
        word = conversions.get(entry.kind, entry.kind)
        steps.extend(_Step(name, word, entry, i) for i, name in enumerate(names)
                     if name not in dropped)
    return steps


def _plan(spec: ModelSpec, variant: Variant,
          repeat_multiplier: Fraction = Fraction(1)) -> list[NodePlan]:
    """Node plans in execution order, with every input name resolved to a node name.

    A block that expands while resolving (``Block.resolved``) stays one plan under its own
    name here; ``resolve`` replaces it by its nodes.
    """
    plans: list[NodePlan] = []
    produced: dict[str, str] = {INPUT: INPUT}   # node or entry name → node name read
    previous = INPUT
    base_names = set()
    for names in _expanded_names(spec.layers, repeat_multiplier):
        base_names.update(names)
    for step in _steps(spec, variant, repeat_multiplier):
        entry = step.entry
        inputs = (previous,) if entry.inputs is None else tuple(
            _input_ref(spec, variant, entry, i, ref, produced, base_names)
            for i, ref in enumerate(entry.inputs))
        block = BLOCKS.get(step.word)
        declared = entry.declared
        if block is not None and block.stage_stride and step.repeat_index:
            declared = {**declared, "stride": 1}
        if block is not None and block.resolved:
            new = [NodePlan(step.name, step.word, declared, inputs, step.name, None, entry)]
        elif block is not None:
            new = block.expand(step.name, declared, inputs[0], entry)
        else:
            # A block converted to one node keeps the block's name as a prefix
            # (block3 → block3.conv), so variants stay alignable.
            name = f"{step.name}.{step.word}" if entry.kind in BLOCKS else step.name
            new = [NodePlan(name, step.word, declared, inputs, step.name, None, entry)]
        plans.extend(new)
        previous = new[-1].name
        produced[step.name] = previous
        for plan in new:
            produced[plan.name] = plan.name
        if entry.name and entry.repeat == 1:
            produced[entry.name] = previous
    return plans


def _input_ref(spec: ModelSpec, variant: Variant, entry: LayerEntry, i: int, ref: str,
               produced: dict[str, str], base_names: set[str]) -> str:
    if ref in produced:
        return produced[ref]
    where = f"{entry.field}.inputs[{i}]"
    if ref in base_names or any(e.name == ref for e in spec.layers):
        later = entry.index <= max((e.index for e in spec.layers if e.name == ref),
                                   default=-1)
        if variant.drop and not later:
            raise SpecError(f"reads {ref!r}, which variant {variant.name!r} drops",
                            file=spec.source, line=entry.line, field=where)
        raise SpecError(f"reads {ref!r}, which comes later; a layer can only read layers "
                        "listed before it", file=spec.source, line=entry.line, field=where)
    raise SpecError(f"names no layer{did_you_mean(ref, sorted(produced))}; inputs are names "
                    "of earlier layers or entries, or 'input'",
                    file=spec.source, line=entry.line, field=where)


# -- resolving --------------------------------------------------------------------------------

def resolve(spec: ModelSpec, *, variant: str | None = None, alpha: object = None,
            resolution: object = None, rho: object = None, depth_multiplier: object = None,
            min_channels: object = None, rounding: object = None,
            repeat_multiplier: object = None,
            settings: ModelSettings | None = None) -> Network:
    """Resolve every node's shapes for one choice of settings (``settings``, or the same
    values as keywords, validated by ``ModelSettings``)."""
    if settings is None:
        settings = ModelSettings.parse(variant=variant, alpha=alpha, resolution=resolution,
                                       rho=rho, depth_multiplier=depth_multiplier,
                                       min_channels=min_channels, rounding=rounding,
                                       repeat_multiplier=repeat_multiplier)
    chosen = spec.variant(settings.variant)
    size = settings.input_size(spec.input_size)
    alpha = settings.alpha_or(spec.alpha)
    repeat_multiplier = settings.repeats_or(spec.repeat_multiplier)
    from_flag = (size != spec.input_size or alpha != spec.alpha
                 or repeat_multiplier != spec.repeat_multiplier)
    scaler = settings.scaler(spec.rounding, spec.alpha)
    plans = _plan(spec, chosen, repeat_multiplier)
    if not plans:
        raise ConfigError(f"variant {chosen.name!r} of {spec.source} drops every layer")

    input_shape = Shape(size[0], size[1], spec.channels)
    shapes: dict[str, Shape] = {INPUT: input_shape}
    outputs: dict[str, str] = {}  # a resolved block's name → its last node
    nodes: list[Node] = []
    for outer in plans:
        inputs = tuple(outputs.get(name, name) for name in outer.inputs)
        block = BLOCKS.get(outer.word)
        if block is not None:
            try:
                inner = block.expand_resolved(outer.name, outer.declared, inputs[0],
                                              outer.entry, shapes[inputs[0]], scaler)
            except ConfigError as exc:
                raise _shape_error(spec, outer, ShapeError(str(exc)), settings, size,
                                   from_flag) from None
            outputs[outer.name] = inner[-1].name
        else:
            inner = [outer._replace(inputs=inputs)]
        if len(nodes) + len(inner) > MAX_LAYERS:
            raise ConfigError(f"{spec.model} expands to more than {MAX_LAYERS} layers at "
                              f"repeat multiplier {format_decimal(repeat_multiplier)}")
        for plan in inner:
            rule = spec_kinds()[plan.word]
            input_shapes = tuple(shapes[name] for name in plan.inputs)
            try:
                attrs, output = rule.resolve(plan.declared, input_shapes, scaler)
            except ShapeError as exc:
                raise _shape_error(spec, plan, exc, settings, size, from_flag) from None
            nodes.append(Node(name=plan.name, kind=rule.node_kind(attrs, input_shapes, output),
                              inputs=plan.inputs, input_shapes=input_shapes,
                              output_shape=output, attrs=attrs, block=plan.block,
                              role=plan.role))
            shapes[plan.name] = output
        if block is not None:
            shapes[outer.name] = shapes[inner[-1].name]
    _check_all_used(spec, nodes, {plan.name: plan.entry for plan in plans})
    errata = tuple((e.table, e.note) for e in spec.errata
                   if e.applies(chosen.name, settings, alpha, size, spec.rounding,
                                repeat_multiplier))
    return Network(model=spec.model, variant=chosen.name, alpha_exact=alpha,
                   input_shape=input_shape, nodes=tuple(nodes),
                   depth_multiplier=settings.depth_multiplier,
                   min_channels=settings.min_channels,
                   rounding=settings.rounding or spec.rounding, source=spec.source,
                   errata=errata, repeat_multiplier=repeat_multiplier, spec_name=spec.name)


def _shape_error(spec: ModelSpec, plan: NodePlan, exc: ShapeError, settings: ModelSettings,
                 size: tuple[int, int], from_flag: bool) -> MncostError:
    entry = plan.entry
    shown = f"{size[0]}" if size[0] == size[1] else f"{size[0]}×{size[1]}"
    if isinstance(exc, CollapseError):
        message = f"layer {plan.name} {exc.message}"
        if from_flag:
            return ConfigError(f"resolution {shown} is too small for {spec.model}: {message}")
        return SpecError(f"spatial size collapses below 1 at input resolution {shown}: "
                         f"{message}", file=spec.source, line=entry.line, field=entry.field)
    message = f"layer {plan.name}: {exc.message}"
    if from_flag:
        alpha = format_decimal(settings.alpha)
        return ConfigError(f"{spec.model} at α={alpha}, {shown}: {message}")
    field_path = f"{entry.field}.{exc.field}" if exc.field else entry.field
    return SpecError(message, file=spec.source, line=entry.line, field=field_path)


def _check_all_used(spec: ModelSpec, nodes: list[Node], entries: Mapping[str, Any]) -> None:
    """Every node but the last must be read by a later one: a dangling branch is a typo."""
    read = {name for node in nodes for name in node.inputs}
    for node in nodes[:-1]:
        if node.name not in read:
            entry = entries.get(node.name) or entries.get(node.block)
            raise SpecError(f"the output of layer {node.name} is never read (only the last "
                            "layer may be the network's output)", file=spec.source,
                            line=entry.line, field=entry.field)
