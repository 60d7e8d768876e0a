"""Numbers for people: SI counts, binary bytes, grouped digits, percentages.

Display only; the exact ints always sit beside these in tables and JSON. Every digit shown is
a true one: values are rounded (half up) from the exact int, never printed from a float with
padding zeros, so 149,497,088 is ``149.5M`` and never ``149.0M``.
"""

from __future__ import annotations

from fractions import Fraction

_SI = " KMGTPEZY"


def _round_half_up(value: Fraction) -> int:
    return int(value + Fraction(1, 2)) if value >= 0 else -int(-value + Fraction(1, 2))


def human(n: int, unit: str = "", digits: int = 4) -> str:
    """``digits`` significant figures and an SI suffix: 568740352 → '568.7M', 4231976 →
    '4.232M', 76524800 → '76.52M', 999 → '999'."""
    n = int(n)
    if abs(n) < 1000:
        return f"{n}{unit}"
    exponent = min(len(_SI) - 1, (len(str(abs(n))) - 1) // 3)
    while True:
        scaled = Fraction(abs(n), 1000 ** exponent)
        whole_digits = len(str(int(scaled)))
        decimals = max(0, digits - whole_digits)
        rounded = _round_half_up(scaled * 10 ** decimals)
        if rounded >= 1000 * 10 ** decimals and exponent < len(_SI) - 1:
            exponent += 1  # 999,960 rounds up into the next unit: 1.000M
            continue
        break
    text = str(rounded).rjust(decimals + 1, "0")
    if decimals:
        text = f"{text[:-decimals]}.{text[-decimals:]}"
    return f"{'-' if n < 0 else ''}{text}{_SI[exponent]}{unit}"


def human_bytes(n: int) -> str:
    """Binary units for memory, two decimals: 16836352 → '16.06 MiB'."""
    n = int(n)
    for suffix, scale in (("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20),
                          ("KiB", 1 << 10)):
        if abs(n) >= scale:
            hundredths = _round_half_up(Fraction(n * 100, scale))
            return f"{hundredths // 100}.{hundredths % 100:02d} {suffix}"
    return f"{n} B"


def grouped(n: int) -> str:
    return f"{n:,}"


def percent(part: int, whole: int, decimals: int = 2) -> str:
    """``part / whole`` in percent, rounded half up from the exact ratio: '94.86%'."""
    if not whole:
        return "-"
    scaled = _round_half_up(Fraction(part * 100 * 10 ** decimals, whole))
    sign = "-" if scaled < 0 else ""
    scaled = abs(scaled)
    if not decimals:
        return f"{sign}{scaled}%"
    return f"{sign}{scaled // 10 ** decimals}.{scaled % 10 ** decimals:0{decimals}d}%"
