"""Renderers by format name: one function each, any ``views.base.View`` in, text or a rich
renderable out. ``mncost.cli.common.output`` prints what they return.

A renderer returns a ``str`` (printed as is) or a rich renderable (printed on a console);
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
def _json(view: Any) -> str:
    from mncost.views.formats import to_json

    return to_json(view.to_dict())


@renderer("csv")
def _csv(view: Any) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(view.csv_fields)
    writer.writerows(view.csv_rows())
    return out.getvalue()


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
