"""Model settings: which spec, which variant, and the knobs that scale it — validated once.

Every command, the budgets, ``compare``'s ``@key=value`` sides and the sweep's lists build a
``ModelSettings`` through ``ModelSettings.parse`` (or the ``parse_*`` functions for one
value), so one rule decides what a valid α is, everywhere. Problems are ``ConfigError``s
whose message names the setting; callers that know a file and line (budgets) add them.

Rounding rules, stated once (the README's "Hyperparameters and rounding rules" repeats them):

* **Width multiplier α** (``floor``, the default and MobileNet v1's): a layer declared with
  ``c`` channels gets ``max(min_channels, floor(c · α))``, with α the exact decimal the user
  wrote (``Fraction("0.29")``, not the nearest binary float): ``c = 100, α = 0.29`` gives 29.
* **``divisible:N``** (torchvision's ``_make_divisible``): ``v = c · α`` goes to the nearest
  multiple of ``N`` (halves up), at least ``N``, plus ``N`` if that lost more than 10 % of
  ``v``; then at least ``min_channels``.
* **Resolution multiplier ρ**: each input side becomes ``floor(base · ρ + 1/2)`` (round half
  up, exact), ``base`` the spec's ``input.resolution``: 224 · 0.714 = 159.936 → 160.
* **Width rules per layer** (the spec's ``width:``): ``scaled`` (the default) applies the
  above; ``fixed`` leaves the layer alone (a classifier's outputs, MnasNet's 1280 head);
  ``grow`` applies ``max(1, α)`` so the layer only ever widens (MobileNetV2's last 1280).
* **Depth multiplier** (Keras' ``depth_multiplier``): a depthwise conv on ``c`` channels
  outputs ``c · depth_multiplier``.
* **Repeat multiplier** (EfficientNet's depth coefficient ``d``): a spec entry marked
  ``scale_repeat: true`` with ``repeat: n`` is repeated ``ceil(n · d)`` times. A different knob
  from the depth multiplier above, which widens depthwise convs and never adds layers.
* **α, the resolution and the repeat multiplier default to the spec's own** (a named
  configuration such as ``efficientnet_b3`` is α = 1.2, d = 1.4 at 300 pixels); a value given
  replaces the spec's, it does not multiply it.

Numbers are read exactly, and bounded before any exact arithmetic: a decimal exponent beyond
±100 or a text longer than 100 characters is refused at once (``Fraction("1e-100000000")``
would otherwise spend minutes expanding the exponent).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

from mncost.core.errors import ConfigError
from mncost.core.kinds import Scaler

MAX_RESOLUTION = 1 << 20
MAX_CHANNELS = 1 << 24
MAX_MULTIPLIER = Fraction(10_000)      # α and ρ: far past any real network, short of overflow
MAX_DEPTH_MULTIPLIER = 1 << 10
MAX_REPEAT_MULTIPLIER = Fraction(100)
MAX_EXPONENT = 100
MAX_NUMBER_TEXT = 100

ROUNDINGS = ("floor", "divisible:N")
DEFAULT_ROUNDING = "floor"

_DECIMAL = re.compile(r"^[+-]?(?:\d+(?:_\d+)*(?:\.\d*)?|\.\d+)(?:[eE](?P<exp>[+-]?\d+))?$")
_FRACTION = re.compile(r"^[+-]?\d+/\d+$")
_SIZE = re.compile(r"^\s*(\d+)\s*(?:[x×X]\s*(\d+)\s*)?$")


# -- single values ------------------------------------------------------------------------------

def parse_decimal(value: object, what: str) -> Fraction:
    """An exact Fraction from an int, a decimal or ``p/q`` string, or a float's shortest repr.

    Refuses booleans, NaN and infinities, texts over 100 characters and exponents beyond ±100.
    """
    if isinstance(value, bool) or value is None:
        raise ConfigError(f"{what} must be a number, got {_show(value)}")
    if isinstance(value, Fraction):
        return value
    if isinstance(value, int):
        if value.bit_length() > 4 * MAX_NUMBER_TEXT:
            raise ConfigError(f"{what} is out of range")
        return Fraction(value)
    text = repr(value) if isinstance(value, float) else str(value).strip()
    if len(text) > MAX_NUMBER_TEXT:
        raise ConfigError(f"{what} must be a number of at most {MAX_NUMBER_TEXT} characters")
    match = _DECIMAL.match(text)
    if match is None and not _FRACTION.match(text):
        raise ConfigError(f"{what} must be a number, got {_show(text)}")
    if match is not None and match.group("exp") and abs(int(match.group("exp"))) > MAX_EXPONENT:
        raise ConfigError(f"{what} is out of range (exponent beyond ±{MAX_EXPONENT}), got "
                          f"{_show(text)}")
    try:
        return Fraction(text.replace("_", ""))
    except (ValueError, ZeroDivisionError):
        raise ConfigError(f"{what} must be a number, got {_show(text)}") from None


def parse_multiplier(value: object, what: str) -> Fraction:
    """α or ρ: a number greater than 0 and at most 10,000."""
    number = parse_decimal(value, what)
    if number <= 0:
        raise ConfigError(f"{what} must be greater than 0, got {format_decimal(number)}")
    if number > MAX_MULTIPLIER:
        raise ConfigError(f"{what} must be at most {MAX_MULTIPLIER}, got {_show(value)}")
    return number


def parse_count(value: object, what: str, maximum: int) -> int:
    """A positive whole number up to ``maximum`` (depth multiplier, min channels)."""
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) <= 20:
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{what} must be a positive integer, got {_show(value)}")
    if value < 1:
        raise ConfigError(f"{what} must be a positive integer, got {value}")
    if value > maximum:
        raise ConfigError(f"{what} must be at most {maximum}, got {value}")
    return value


def parse_repeat_multiplier(value: object) -> Fraction:
    """EfficientNet's depth coefficient d: a number greater than 0 and at most 100."""
    number = parse_decimal(value, "repeat multiplier")
    if number <= 0:
        raise ConfigError(f"repeat multiplier must be greater than 0, got "
                          f"{format_decimal(number)}")
    if number > MAX_REPEAT_MULTIPLIER:
        raise ConfigError(f"repeat multiplier must be at most {MAX_REPEAT_MULTIPLIER}, got "
                          f"{_show(value)}")
    return number


def parse_resolution(value: object, what: str = "resolution") -> tuple[int, int]:
    """``224``, ``"224"``, ``"160x120"`` (height × width) or ``[160, 120]`` → (h, w)."""
    if isinstance(value, (list, tuple)):
        if len(value) != 2:
            raise ConfigError(f"{what} must be N or HxW, got {len(value)} values")
        return (parse_count(value[0], f"{what} height", MAX_RESOLUTION),
                parse_count(value[1], f"{what} width", MAX_RESOLUTION))
    if isinstance(value, int) and not isinstance(value, bool):
        side = parse_count(value, what, MAX_RESOLUTION)
        return side, side
    match = _SIZE.match(str(value)) if isinstance(value, str) and len(value) <= 50 else None
    if match is None:
        raise ConfigError(f"{what} must be a number of pixels N or HxW (e.g. 224 or 160x120), "
                          f"got {_show(value)}")
    h = parse_count(int(match.group(1)), what, MAX_RESOLUTION)
    w = parse_count(int(match.group(2)), what, MAX_RESOLUTION) if match.group(2) else h
    return h, w


def parse_rounding(value: object) -> str:
    """``floor`` or ``divisible:N`` (N a positive integer up to 1024)."""
    text = str(value).strip() if isinstance(value, str) else None
    if text == "floor":
        return text
    if text and text.startswith("divisible:"):
        divisor = text.partition(":")[2].strip()
        if divisor.isdigit() and 1 <= int(divisor) <= 1024:
            return f"divisible:{int(divisor)}"
    raise ConfigError(f"rounding must be floor or divisible:N (e.g. divisible:8), got "
                      f"{_show(value)}")


def format_decimal(value: Fraction) -> str:
    """Exact decimal text without trailing zeros (``0.75``, ``1``), or ``p/q`` when the
    fraction has no finite decimal form (``1/3``)."""
    if value.denominator == 1:
        return str(value.numerator)
    denominator, twos, fives = value.denominator, 0, 0
    while denominator % 2 == 0:
        denominator //= 2
        twos += 1
    while denominator % 5 == 0:
        denominator //= 5
        fives += 1
    if denominator != 1:
        return f"{value.numerator}/{value.denominator}"
    places = max(twos, fives)
    digits = abs(value.numerator) * 10 ** places // value.denominator
    sign = "-" if value < 0 else ""
    whole, fraction = divmod(digits, 10 ** places)
    return f"{sign}{whole}.{str(fraction).rjust(places, '0').rstrip('0')}"


def _show(value: object) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


# -- rounding rules -----------------------------------------------------------------------------

WIDTH_RULES = ("scaled", "fixed", "grow")


def scale_channels(channels: int, alpha: Fraction, min_channels: int = 1,
                   rounding: str = DEFAULT_ROUNDING) -> int:
    """Channels after the width multiplier under ``rounding`` (module docstring)."""
    return round_channels(channels * alpha, min_channels, rounding)


def round_channels(value: Fraction | int, min_channels: int = 1,
                   rounding: str = DEFAULT_ROUNDING) -> int:
    """An exact channel count ``value`` made whole under ``rounding`` (module docstring)."""
    if rounding == "floor":
        return max(min_channels, int(value))
    divisor = int(rounding.partition(":")[2])
    rounded = max(divisor, int(value + Fraction(divisor, 2)) // divisor * divisor)
    if rounded < Fraction(9, 10) * value:
        rounded += divisor
    return max(min_channels, rounded)


def scale_repeats(repeats: int, multiplier: Fraction) -> int:
    """``ceil(repeats · d)``: EfficientNet's depth coefficient, applied to one stage."""
    return max(1, -(-repeats * multiplier.numerator // multiplier.denominator))


def scale_resolution(base: int, rho: Fraction) -> int:
    """``floor(base · ρ + 1/2)``: the resolution multiplier's rounding rule."""
    return int(base * rho + Fraction(1, 2))


@dataclass(frozen=True)
class ChannelScaler(Scaler):
    """What a kind's ``resolve`` uses to scale declared channels (``kinds.Scaler``)."""

    alpha: Fraction = Fraction(1)
    min_channels: int = 1
    rounding: str = DEFAULT_ROUNDING
    depth_multiplier: int = 1

    def channels(self, declared: int, width: str = "scaled") -> int:
        if width == "fixed":
            return declared
        alpha = max(Fraction(1), self.alpha) if width == "grow" else self.alpha
        return self.checked(scale_channels(declared, alpha, self.min_channels, self.rounding))

    def rounded(self, value: Fraction | int, least: int = 1) -> int:
        """A derived channel count (``in · t``, a squeeze width) under the rounding, at
        least ``least``."""
        return self.checked(max(least, round_channels(value, self.min_channels,
                                                      self.rounding)))

    def checked(self, result: int) -> int:
        if result > MAX_CHANNELS:
            raise ConfigError(f"α = {format_decimal(self.alpha)} gives {result:,} channels, "
                              f"more than the {MAX_CHANNELS:,} mncost allows")
        return result


# -- the settings -------------------------------------------------------------------------------

SETTING_KEYS = ("spec", "variant", "alpha", "resolution", "rho", "depth_multiplier",
                "min_channels", "rounding", "repeat_multiplier")


@dataclass(frozen=True)
class ModelSettings:
    """Everything that picks one Network from a spec. ``None`` means "the spec's own"."""

    spec: str | None = None
    variant: str | None = None
    alpha: Fraction | None = None
    resolution: tuple[int, int] | None = None
    rho: Fraction | None = None
    depth_multiplier: int = 1
    min_channels: int = 1
    rounding: str | None = None
    repeat_multiplier: Fraction | None = None

    @classmethod
    def parse(cls, **raw: Any) -> "ModelSettings":
        """Validate raw values (flag text, YAML values, Python numbers); None keeps the
        default. ``resolution`` and ``rho`` exclude each other."""
        unknown = set(raw) - set(SETTING_KEYS)
        if unknown:
            raise ConfigError(f"unknown setting {sorted(unknown)[0]!r}; settings: "
                              f"{', '.join(SETTING_KEYS)}")
        return cls().with_values(**raw)

    def with_values(self, **raw: Any) -> "ModelSettings":
        """A copy with ``raw`` values validated and applied (None leaves a value as it is);
        a new ``resolution`` clears ``rho`` and the other way round."""
        changes: dict[str, Any] = {}
        values = {k: v for k, v in raw.items() if v is not None}
        if "resolution" in values and "rho" in values:
            raise ConfigError("give either a resolution or rho, not both")
        for key, value in values.items():
            if key == "spec":
                text = str(value)
                if not text.strip():
                    raise ConfigError("spec must not be empty")
                changes[key] = text
            elif key == "variant":
                if not isinstance(value, str) or not value.strip():
                    raise ConfigError(f"variant must be a non-empty name, got {_show(value)}")
                changes[key] = value
            elif key == "alpha":
                changes[key] = parse_multiplier(value, "alpha")
            elif key == "rho":
                changes[key], changes["resolution"] = parse_multiplier(value, "rho"), None
            elif key == "resolution":
                changes[key], changes["rho"] = parse_resolution(value), None
            elif key == "depth_multiplier":
                changes[key] = parse_count(value, "depth multiplier", MAX_DEPTH_MULTIPLIER)
            elif key == "min_channels":
                changes[key] = parse_count(value, "min channels", MAX_CHANNELS)
            elif key == "rounding":
                changes[key] = parse_rounding(value)
            elif key == "repeat_multiplier":
                changes[key] = parse_repeat_multiplier(value)
            else:
                raise ConfigError(f"unknown setting {key!r}; settings: {', '.join(SETTING_KEYS)}")
        return replace(self, **changes)

    def input_size(self, base: tuple[int, int]) -> tuple[int, int]:
        """The input's (h, w) for a spec whose own input is ``base``."""
        if self.resolution is not None:
            return self.resolution
        if self.rho is not None:
            h, w = (scale_resolution(side, self.rho) for side in base)
            if h < 1 or w < 1:
                raise ConfigError(f"rho {format_decimal(self.rho)} gives a resolution below "
                                  "1 pixel")
            if max(h, w) > MAX_RESOLUTION:
                raise ConfigError(f"rho {format_decimal(self.rho)} gives a resolution above "
                                  f"{MAX_RESOLUTION}")
            return h, w
        return base

    def alpha_or(self, spec_alpha: Fraction = Fraction(1)) -> Fraction:
        return spec_alpha if self.alpha is None else self.alpha

    def repeats_or(self, spec_multiplier: Fraction = Fraction(1)) -> Fraction:
        return spec_multiplier if self.repeat_multiplier is None else self.repeat_multiplier

    def scaler(self, spec_rounding: str = DEFAULT_ROUNDING,
               spec_alpha: Fraction = Fraction(1)) -> ChannelScaler:
        return ChannelScaler(alpha=self.alpha_or(spec_alpha), min_channels=self.min_channels,
                             rounding=self.rounding or spec_rounding,
                             depth_multiplier=self.depth_multiplier)

    def as_dict(self) -> dict[str, Any]:
        """Plain values (α and ρ as exact decimal text) for JSON and messages."""
        return {"spec": self.spec, "variant": self.variant,
                "alpha": format_decimal(self.alpha) if self.alpha is not None else None,
                "resolution": list(self.resolution) if self.resolution else None,
                "rho": format_decimal(self.rho) if self.rho is not None else None,
                "depth_multiplier": self.depth_multiplier, "min_channels": self.min_channels,
                "rounding": self.rounding,
                "repeat_multiplier": (format_decimal(self.repeat_multiplier)
                                      if self.repeat_multiplier is not None else None)}
