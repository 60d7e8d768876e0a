"""What every result looks like to a renderer: ``View``.

A view wraps one result (a Report, a Comparison, a sweep, ...) and describes it once:

* ``to_dict()`` — its documented JSON contract (exact ints; ``tests/golden/`` pins each one);
* ``tables()`` — the ``TableData`` grids every human format shows, in order;
* ``closing()`` — lines after the tables (a verdict), each ``(text, style)``;
* ``csv_fields`` / ``csv_rows()`` — one flat table for spreadsheets, when the result has one.

Renderers (``mncost.render.RENDERERS``) are chosen by format name and know nothing of the
result's type, so a new format is one renderer and a new result one view.
"""

from __future__ import annotations

from typing import Any, ClassVar, Iterable, Sequence

from mncost.views.formats import TableData

BASE_FORMATS = ("rich", "markdown", "json")


class View:
    """The interface; subclasses set ``csv_fields`` when they have a CSV form."""

    csv_fields: ClassVar[tuple[str, ...]] = ()
    extra_formats: ClassVar[tuple[str, ...]] = ()  # e.g. check's github and junit

    @classmethod
    def formats(cls) -> tuple[str, ...]:
        """The format names this view can be rendered in, the default first."""
        return BASE_FORMATS[:2] + (("csv",) if cls.csv_fields else ()) + BASE_FORMATS[2:] \
            + cls.extra_formats

    def to_dict(self) -> dict[str, Any]:  # pragma: no cover - interface
        raise NotImplementedError

    def tables(self) -> tuple[TableData, ...]:  # pragma: no cover - interface
        raise NotImplementedError

    def closing(self) -> tuple[tuple[str, str], ...]:
        return ()

    def terminal_tables(self) -> tuple[tuple[TableData, tuple[bool, ...] | None], ...]:
        """What a terminal shows: each table with, optionally, for each row but the last,
        whether a rule follows it. Default: ``tables()`` without rules."""
        return tuple((table, None) for table in self.tables())

    def csv_rows(self) -> Iterable[Sequence[Any]]:
        return ()
