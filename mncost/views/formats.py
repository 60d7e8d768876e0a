"""Plain-data views of results: a neutral table model, human units, JSON dicts, CSV, markdown.

Nothing here imports rich; ``render`` turns the same ``TableData`` into rich renderables, so
every command's table looks the same in every format and carries the same numbers.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, NamedTuple, Sequence

from mncost.core.units import grouped, human, human_bytes, percent  # noqa: F401 (re-exported)


class Column(NamedTuple):
    """A column of a TableData; ``styles`` maps a cell's text to a rich style (``ok`` → green),
    so colour is data the renderer applies, never markup inside a cell."""

    key: str
    header: str
    numeric: bool = False
    styles: tuple[tuple[str, str], ...] = ()
    # 0: always shown. Higher: left out first when the terminal is too narrow (--wide
    # shows every column); JSON, CSV and markdown always have them all.
    drop: int = 0


@dataclass(frozen=True)
class TableData:
    """A titled grid of display strings, plus an optional emphasised footer row."""

    title: str
    columns: tuple[Column, ...]
    rows: tuple[dict[str, str], ...]
    footer: dict[str, str] | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)


def shape_text(shape: Sequence[int]) -> str:
    return "×".join(str(x) for x in shape)


# -- generic text renderers -----------------------------------------------------------------

def _md_cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown(table: TableData) -> str:
    """A GitHub-flavoured markdown table with its title and notes."""
    lines = [f"### {table.title}", ""]
    lines.append("| " + " | ".join(_md_cell(c.header) for c in table.columns) + " |")
    lines.append("|" + "|".join("---:" if c.numeric else "---" for c in table.columns) + "|")
    body = list(table.rows) + ([table.footer] if table.footer else [])
    for i, row in enumerate(body):
        cells = [_md_cell(row.get(c.key, "")) for c in table.columns]
        if table.footer is not None and i == len(body) - 1:
            cells = [f"**{c}**" if c else c for c in cells]
        lines.append("| " + " | ".join(cells) + " |")
    for note in table.notes:
        lines += ["", note]
    return "\n".join(lines) + "\n"


class LazyList(list):
    """A list for JSON that computes its items while they are written: ``json``'s indenting
    encoder iterates a list and asks only whether it is empty, so a million sweep points go
    out one by one instead of being held. Not a real list otherwise: do not index it."""

    def __init__(self, items: Callable[[], Iterable[Any]], length: int) -> None:
        super().__init__()
        self._items, self._length = items, length

    def __iter__(self) -> Iterator[Any]:
        return iter(self._items())

    def __len__(self) -> int:
        return self._length

    def __bool__(self) -> bool:
        return self._length > 0


def _has_lazy(data: Any) -> bool:
    if isinstance(data, LazyList):
        return True
    if isinstance(data, dict):
        return any(_has_lazy(v) for v in data.values())
    if isinstance(data, list):
        return any(_has_lazy(v) for v in data)
    return False


def to_json(data: Any) -> str:
    import json

    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def json_text(data: Any) -> str | Iterator[str]:
    """``to_json(data)``, or the same text in chunks (``json_chunks``) when ``data`` holds
    ``LazyList``s."""
    return json_chunks(data) if _has_lazy(data) else to_json(data)


def json_chunks(data: Any, size: int = 1 << 16) -> Iterator[str]:
    """The text ``to_json`` gives, in chunks of about ``size`` characters; ``LazyList``s are
    computed as they are written, so the whole text is never held at once."""
    buffer: list[str] = []
    length = 0
    for piece in _encode(data, 0):
        buffer.append(piece)
        length += len(piece)
        if length >= size:
            yield "".join(buffer)
            buffer, length = [], 0
    buffer.append("\n")
    yield "".join(buffer)


def _encode(value: Any, level: int) -> Iterator[str]:
    """``json.dumps(value, indent=2, ensure_ascii=False)`` in pieces (tests compare the two),
    a whole item at a time: the indenting encoder in ``json`` is pure Python and token by
    token, several times slower on a million sweep points."""
    if isinstance(value, dict):
        if not value:
            yield "{}"
            return
        inner = "\n" + "  " * (level + 1)
        yield "{"
        first = True
        for key, item in value.items():
            yield ("" if first else ",") + inner + _scalar(str(key)) + ": "
            yield from _encode(item, level + 1)
            first = False
        yield "\n" + "  " * level + "}"
    elif isinstance(value, (list, tuple)):
        if not value:
            yield "[]"
            return
        inner = "\n" + "  " * (level + 1)
        yield "["
        first = True
        for item in value:
            text = _flat(item, level + 1)
            if text is None:
                yield ("" if first else ",") + inner
                yield from _encode(item, level + 1)
            else:
                yield ("" if first else ",") + inner + text
            first = False
        yield "\n" + "  " * level + "]"
    else:
        yield _scalar(value)


def _flat(value: Any, level: int) -> str | None:
    """One item's whole text when it is a scalar, or a dict or list of scalars; else None."""
    if not isinstance(value, (dict, list, tuple)):
        return _scalar(value)
    if isinstance(value, LazyList) or not value:
        return None if isinstance(value, LazyList) else ("{}" if isinstance(value, dict) else "[]")
    inner = ",\n" + "  " * (level + 1)
    if isinstance(value, dict):
        if any(isinstance(v, (dict, list, tuple)) for v in value.values()):
            return None
        body = inner.join(_scalar(str(k)) + ": " + _scalar(v) for k, v in value.items())
        return "{\n" + "  " * (level + 1) + body + "\n" + "  " * level + "}"
    if any(isinstance(v, (dict, list, tuple)) for v in value):
        return None
    body = inner.join(map(_scalar, value))
    return "[\n" + "  " * (level + 1) + body + "\n" + "  " * level + "]"


def _scalar(value: Any) -> str:
    kind = type(value)
    if kind is int:
        return str(value)
    if kind is float and value == value and value not in (float("inf"), float("-inf")):
        return float.__repr__(value)   # what json writes for a finite float
    if kind is str:
        return _string(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    import json

    return json.dumps(value, ensure_ascii=False)


@functools.lru_cache(maxsize=1024)
def _string(text: str) -> str:
    """JSON text of a string; cached, since a sweep writes the same keys a million times."""
    import json

    return json.dumps(text, ensure_ascii=False)
