"""Renderers by format name: one function each, any ``views.base.View`` in, text or a rich
renderable out. ``mncost.cli.common.output`` prints what they return.

A renderer returns a ``str`` (printed as is), an iterator of ``str`` chunks (printed as they
come: CSV, and JSON with lazily computed lists) or a rich renderable (printed on a console);
rich is imported only by the ``rich`` renderer, so JSON, CSV and markdown never load it.
"""

from __future__ import annotations

from typing import Any, Callable

Renderer = Callable[[Any], Any]
RENDERERS: dict[str, Renderer] = {}


def renderer(name: str) -> Callable[[Renderer], Renderer]:
    def register(fn: Renderer) -> Renderer:
        RENDERERS[name] = fn
        return fn
    return register


def render(view: Any, fmt: str, width: int | None = None) -> Any:
    """``view`` in format ``fmt``; a format the view does not offer is a programming error.
    ``width``: the terminal columns a rich rendering must fit (None: natural width)."""
    if fmt not in view.formats():
        raise AssertionError(f"{type(view).__name__} has no {fmt!r} form")
    own = getattr(view, f"render_{fmt}", None)  # a format only this view has (github), or
    if own is not None:                         # its own take on a common one
        return own()
    if fmt == "rich":
        return RENDERERS[fmt](view, width)
    return RENDERERS[fmt](view)


@renderer("json")
def _json(view: Any) -> Any:
    """The JSON text: one string, or chunks when the view's lists are computed as written
    (``views.formats.LazyList``: a million-point sweep in constant memory)."""
    from mncost.views.formats import json_text

    return json_text(view.to_dict())


@renderer("csv")
def _csv(view: Any) -> Any:
    """The CSV text, in chunks of 4,096 rows as the view yields them."""
    return _csv_chunks(view)


def _csv_chunks(view: Any, rows_per_chunk: int = 4096):
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(view.csv_fields)
    for i, row in enumerate(view.csv_rows(), start=1):
        writer.writerow(row)
        if i % rows_per_chunk == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()



@renderer("markdown")
def _markdown(view: Any) -> str:
    from mncost.views.formats import markdown

    body = "\n".join(markdown(table) for table in view.tables())
    closing = "".join(f"\n{text}\n" for text, _ in view.closing() if text)
    return body + closing


@renderer("rich")
def _rich(view: Any, width: int | None = None) -> Any:
    from rich.console import Group
    from rich.text import Text

    from mncost.render.terminal import rich_table

    parts: list[Any] = []
    for table, rules in view.terminal_tables():
        if parts:
            parts.append(Text(""))
        parts.append(rich_table(table, rules, width))
    parts += [Text(text, style=style or None) for text, style in view.closing()]
    return Group(*parts)
