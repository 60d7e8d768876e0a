"""Writing files the user owns: all or nothing, never a truncated or half-written file.

Used for budget baselines, sweep plots and imported specs. Pure stdlib, no heavy imports.
"""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
import threading
from pathlib import Path
from typing import BinaryIO, Callable, Iterator

from mncost.core.errors import ConfigError


@contextlib.contextmanager
def interrupts_deferred() -> Iterator[None]:
    """Hold a Ctrl-C until the block is done, then raise it: a file replaced and its report
    printed are one step, so an interrupt can never leave a replaced file unreported."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[object] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt


def write_atomically(target: Path, write: Callable[[BinaryIO], None], *,
                     overwrite: bool = True) -> None:
    """Write ``target`` through ``write(stream)`` into a temporary file in the same directory,
    then put it in place in one step, so a reader never sees a partial file and a failure
    leaves any existing file untouched.

    ``overwrite=True`` replaces an existing file (``os.replace``) and keeps its permission
    bits; ``overwrite=False`` uses ``os.link``, which raises ``FileExistsError`` rather than
    replace a file that appeared meanwhile. New files get the umask's default mode. Raises
    ``OSError`` on failure; the temporary file is always removed.
    """
    directory = target.parent if str(target.parent) else Path(".")
    fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp, _mode_for(target))
        if overwrite:
            os.replace(temp, target)
            return
        try:
            os.link(temp, target)  # atomic, and fails if the target exists
        except FileExistsError:
            raise
        except OSError:  # a file system without hard links
            if target.exists():
                raise FileExistsError(17, "File exists", str(target)) from None
            os.replace(temp, target)
    finally:
        if temp.exists():
            temp.unlink()


def _mode_for(target: Path) -> int:
    """The existing file's permission bits, else what the umask gives a new file."""
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def check_target(path: str | os.PathLike, *, overwrite: bool, what: str) -> Path:
    """Refuse, before any work, a file the user asked for that cannot be written: a missing
    directory, a directory in its place, or an existing file without ``overwrite`` (--force).
    ``what`` names it in the message (``plot``, ``spec``)."""
    target = Path(path)
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise ConfigError(f"cannot write {what} {str(target)!r}: directory {str(parent)!r} "
                          "does not exist")
    if target.is_dir():
        raise ConfigError(f"cannot write {what} {str(target)!r}: it is a directory")
    if target.exists() and not overwrite:
        raise ConfigError(f"{str(target)!r} already exists; pass --force to overwrite it")
    return target


def write_file(target: Path, write: Callable[[BinaryIO], None], *, overwrite: bool,
               what: str) -> None:
    """``write_atomically``, its failures as one-line ``ConfigError``s naming the file."""
    try:
        write_atomically(target, write, overwrite=overwrite)
    except FileExistsError:
        raise ConfigError(f"{str(target)!r} already exists; pass --force to "
                          "overwrite it") from None
    except OSError as exc:
        raise ConfigError(f"cannot write {what} {str(target)!r}: "
                          f"{exc.strerror or exc}") from None
