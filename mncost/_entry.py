"""The ``mncost`` console script: the CLI behind a guard that holds from the first import.

A Ctrl-C while Python is still importing the CLI would otherwise print a traceback, and a
terminal whose encoding cannot show α, × or the table borders (``PYTHONIOENCODING=ascii``)
would crash on the first of them; here the first is exit 130 with one line, the second a
replacement character.
"""

from __future__ import annotations

import sys


def run() -> None:
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors="replace")
            except (ValueError, OSError):
                pass
    try:
        from mncost.cli import main
    except KeyboardInterrupt:
        sys.stderr.write("Error: interrupted\n")
        sys.exit(130)
    main()
