"""A spec document (plain dicts and lists, as ``spec.parse`` takes) → YAML text a person reads.

``mncost import`` builds a spec document from a PyTorch model and writes it with ``dump``:
top-level keys in the order a hand-written spec uses, one flow mapping per layer, and every
string quoted only where YAML would otherwise read it as something else (``"0.1"``, ``"3"``).
Pure Python: the emitter is small because the documents are; ``yaml.safe_load`` reads the
result back to the same document (tested).
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any, Iterable, Mapping

_TOP_ORDER = ("model", "description", "input", "classes", "rounding", "defaults", "layers")
_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
_YAML_WORDS = {"true", "false", "yes", "no", "on", "off", "null", "none", "y", "n", "~"}


def scalar(value: Any) -> str:
    """One YAML scalar: ints, booleans, null, exact fractions as ``p/q`` text, strings quoted
    when they would not read back as the same string."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Fraction):
        return str(value.numerator) if value.denominator == 1 else \
            f'"{value.numerator}/{value.denominator}"'
    text = str(value)
    if _PLAIN.match(text) and text.lower() not in _YAML_WORDS:
        return text
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{scalar(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return scalar(value)


def dump(doc: dict[str, Any], header: Iterable[str] = (),
         notes: Mapping[str, str] | None = None) -> str:
    """The document as YAML: ``header`` lines as comments first, a layer a line, and
    ``notes[name]`` as a comment after the layer of that name."""
    lines = [f"# {line}".rstrip() for line in header]
    if lines:
        lines.append("")
    keys = [k for k in _TOP_ORDER if k in doc] + [k for k in doc if k not in _TOP_ORDER]
    for key in keys:
        value = doc[key]
        if key == "layers":
            lines.append("layers:")
            for layer in value:
                comment = (notes or {}).get(layer.get("name", ""))
                lines.append(f"  - {_flow(layer)}" + (f"   # {comment}" if comment else ""))
        elif isinstance(value, dict):
            lines.append(f"{key}:")
            lines.extend(f"  {scalar(k)}: {_flow(v)}" for k, v in value.items())
        else:
            lines.append(f"{key}: {_flow(value)}")
    return "\n".join(lines) + "\n"
