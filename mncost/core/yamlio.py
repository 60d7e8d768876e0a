"""Reading YAML safely while remembering where every value came from.

``yaml.safe_load`` forgets line numbers, and an error that says "layers[3].stride" without a
line sends the user hunting. ``load_yaml`` uses a subclass of ``yaml.SafeLoader`` (so no
Python tags are ever constructed) whose mappings and sequences remember the line of each key
and item. ``Located`` walks such a document and turns any problem into a ``SpecError`` naming
file, line and field path.
"""

from __future__ import annotations

import errno
import math
import os
import stat
from pathlib import Path
from typing import Any, Callable, Iterator

import yaml

from mncost.core.errors import SpecError

# A spec is a few kilobytes; anything far larger is a mistake or an attack, and reading it
# whole would waste memory before any validation could say so.
MAX_FILE_BYTES = 1 << 20
# Bounds the total number of nodes an alias-heavy document ("billion laughs") may reach.
MAX_NODES = 100_000
# libyaml's composer recurses once per level: 25,000 nested brackets crash the process. No
# spec nests more than a handful of levels; the events are checked before composing.
MAX_DEPTH = 200


class LineDict(dict):
    """A mapping that remembers the 1-based line of each key (``key_lines``) and of itself."""

    line: int | None = None
    key_lines: dict


class LineList(list):
    """A sequence that remembers the 1-based line of each item (``item_lines``) and of itself."""

    line: int | None = None
    item_lines: list


# libyaml's C parser when PyYAML was built with it (10x faster on a spec); the constructor,
# which decides what Python objects a document may become, is SafeConstructor either way.
_SafeBase = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_SafeBase):
    """A safe loader that records lines and refuses duplicate keys."""

    def __init__(self, stream: str, filename: str) -> None:
        super().__init__(stream)
        self._filename = filename
        self._nodes = 0

    def construct_object(self, node, deep=False):  # noqa: D401 - yaml hook
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise SpecError(f"document too large or too deeply aliased (more than {MAX_NODES} "
                            "nodes)", file=self._filename, line=node.start_mark.line + 1)
        return super().construct_object(node, deep=deep)

    def construct_yaml_map(self, node):
        data = LineDict()
        data.line = node.start_mark.line + 1
        data.key_lines = {}
        yield data
        # Keys written in this mapping may override keys a merge (<<: *anchor) brings in, as
        # YAML's merge semantics say; only a key written twice here is a duplicate.
        explicit = {id(key) for key, _ in node.value if key.tag != "tag:yaml.org,2002:merge"}
        self.flatten_mapping(node)
        merged: dict = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise SpecError("mapping keys must be plain scalars", file=self._filename,
                                line=key_node.start_mark.line + 1) from None
            if id(key_node) not in explicit:
                merged.setdefault(key, (key_node, value_node))  # the first merge wins
                continue
            if key in data:
                raise SpecError(f"duplicate key {key!r} (first on line {data.key_lines[key]})",
                                file=self._filename, line=key_node.start_mark.line + 1)
            data[key] = self.construct_object(value_node, deep=True)
            data.key_lines[key] = key_node.start_mark.line + 1
        for key, (key_node, value_node) in merged.items():
            if key not in data:
                data[key] = self.construct_object(value_node, deep=True)
                data.key_lines[key] = key_node.start_mark.line + 1

    def construct_yaml_seq(self, node):
        data = LineList()
        data.line = node.start_mark.line + 1
        data.item_lines = []
        yield data
        for child in node.value:
            data.append(self.construct_object(child, deep=True))
            data.item_lines.append(child.start_mark.line + 1)


_LineLoader.add_constructor("tag:yaml.org,2002:map", _LineLoader.construct_yaml_map)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _LineLoader.construct_yaml_seq)


def path_kind(path: str | os.PathLike) -> str | None:
    """``file``, ``dir``, ``other`` (FIFO, device, socket) or None when nothing is there or
    the name cannot be looked up (too long, a symlink loop, no permission): a probe that
    never raises, for deciding whether a word names a file."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        try:  # a dangling link or a link loop is there, only unreadable: say so when read
            return "other" if stat.S_ISLNK(os.lstat(path).st_mode) else None
        except (OSError, ValueError):
            return None
    if stat.S_ISREG(mode):
        return "file"
    return "dir" if stat.S_ISDIR(mode) else "other"


def read_text(path: str | os.PathLike, display: str | None = None) -> str:
    """Read a small UTF-8 text file, turning every OS-level failure into a SpecError."""
    shown = display or str(path)
    p = Path(path)
    try:
        mode = os.stat(p).st_mode
        if stat.S_ISDIR(mode):
            raise SpecError("is a directory, expected a YAML file", file=shown)
        if not stat.S_ISREG(mode):
            # A FIFO or a device would block or never end: only regular files are read.
            raise SpecError("is not a regular file (a pipe or a device?), expected a YAML "
                            "file", file=shown)
        with open(p, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except SpecError:
        raise
    except FileNotFoundError:
        raise SpecError("no such file", file=shown) from None
    except PermissionError:
        raise SpecError("permission denied", file=shown) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise SpecError("is a symbolic link loop", file=shown) from None
        if exc.errno == errno.ENAMETOOLONG:
            raise SpecError("file name too long", file=shown) from None
        raise SpecError(f"cannot read: {exc.strerror or exc}", file=shown) from None
    except ValueError:  # an embedded NUL in the name
        raise SpecError("is not a valid file name", file=shown) from None
    if len(raw) > MAX_FILE_BYTES:
        raise SpecError(f"file is larger than {MAX_FILE_BYTES // 1024} KiB", file=shown)
    if b"\x00" in raw:
        raise SpecError("is a binary file, expected YAML text", file=shown)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SpecError("is not valid UTF-8 text", file=shown, line=line) from None


def _check_depth(text: str, filename: str) -> None:
    """Refuse a document nested deeper than MAX_DEPTH, reading parser events (which do not
    recurse) before the composer (which does). Syntax errors are left to the real load."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_SafeBase):
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    raise SpecError(f"invalid YAML: nested more than {MAX_DEPTH} levels deep",
                                    file=filename, line=event.start_mark.line + 1)
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
    except yaml.YAMLError:
        return


def load_yaml(text: str, filename: str) -> Any:
    """Parse one YAML document with line tracking; YAML errors become SpecErrors."""
    _check_depth(text, filename)
    loader = _LineLoader(text, filename)
    try:
        return loader.get_single_data()
    except SpecError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        raise SpecError(f"invalid YAML: {problem}", file=filename,
                        line=mark.line + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise SpecError(f"invalid YAML: {exc}", file=filename) from None
    except RecursionError:
        raise SpecError("invalid YAML: nested too deeply", file=filename) from None
    except Exception as exc:  # noqa: BLE001 - any constructor failure is the file's fault
        # A constructor refused a value: !!int abc, !!bool maybe, !!map abc, a timestamp
        # 2024-13-45, an integer of more than 4,300 digits. PyYAML's safe constructors raise
        # ValueError, KeyError or AttributeError for these, without a line.
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if isinstance(exc, (KeyError, AttributeError, TypeError)):
            reason = "a tagged value does not fit its tag"
        if len(reason) > 120:
            reason = reason[:117] + "..."
        raise SpecError(f"invalid YAML value: {reason}", file=filename) from None
    finally:
        loader.dispose()


def load_file(path: str | os.PathLike, display: str | None = None) -> tuple[Any, str]:
    """Read and parse a YAML file; return the document and the name used in messages."""
    shown = display or str(path)
    return load_yaml(read_text(path, shown), shown), shown


def describe_value(value: Any) -> str:
    """A value as an error message shows it: true, null, a list, 'text', 8.5."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    if isinstance(value, int) and value.bit_length() > 128:
        return f"an integer of about {int(value.bit_length() * 0.30103) + 1} digits"
    if isinstance(value, float) or isinstance(value, int):
        text = repr(value)
    else:
        text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:37] + "..."


def did_you_mean(word: str, choices: list[str]) -> str:
    """A ' (did you mean X?)' hint when one choice is close, else ''."""
    import difflib

    close = difflib.get_close_matches(str(word), choices, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


class Located:
    """A value from a YAML document with its field path and line, for validation.

    ``Located(doc, file).get("layers")[3].get("stride").positive_int()`` either returns the
    value or raises a SpecError that says exactly where the bad value is.
    """

    def __init__(self, value: Any, file: str, path: str = "", line: int | None = None) -> None:
        self.value = value
        self.file = file
        self.path = path
        self.line = line if line is not None else getattr(value, "line", None)

    # -- navigation -------------------------------------------------------------------------
    def error(self, message: str) -> SpecError:
        return SpecError(message, file=self.file, line=self.line, field=self.path or None)

    def _child_path(self, key: str | int) -> str:
        if isinstance(key, int):
            return f"{self.path}[{key}]"
        return f"{self.path}.{key}" if self.path else str(key)

    def mapping(self, allowed: list[str] | None = None) -> "Located":
        if not isinstance(self.value, dict):
            raise self.error(f"must be a mapping, got {describe_value(self.value)}")
        if allowed is not None:
            for key in self.value:
                if key not in allowed:
                    line = self.value.key_lines.get(key) if isinstance(self.value, LineDict) \
                        else self.line
                    hint = did_you_mean(key, allowed)
                    raise SpecError(f"unknown key{hint}; expected one of: {', '.join(allowed)}",
                                    file=self.file, line=line, field=self._child_path(str(key)))
        return self

    def has(self, key: str) -> bool:
        return isinstance(self.value, dict) and key in self.value

    def get(self, key: str, default: Any = ..., *, required: bool = False) -> "Located":
        self.mapping()
        if key in self.value:
            line = self.value.key_lines.get(key, self.line) if isinstance(self.value, LineDict) \
                else self.line
            return Located(self.value[key], self.file, self._child_path(key), line)
        if required or default is ...:
            raise SpecError("is required", file=self.file, line=self.line,
                            field=self._child_path(key))
        return Located(default, self.file, self._child_path(key), self.line)

    def items(self) -> Iterator[tuple[str, "Located"]]:
        self.mapping()
        for key in self.value:
            yield key, self.get(key)

    def sequence(self, *, allow_empty: bool = True) -> list["Located"]:
        if not isinstance(self.value, list):
            raise self.error(f"must be a list, got {describe_value(self.value)}")
        if not allow_empty and not self.value:
            raise self.error("must not be empty")
        lines = getattr(self.value, "item_lines", [self.line] * len(self.value))
        return [Located(item, self.file, self._child_path(i), lines[i])
                for i, item in enumerate(self.value)]

    # -- scalar checks ----------------------------------------------------------------------
    def integer(self, *, minimum: int | None = None, maximum: int | None = None,
                what: str = "an integer") -> int:
        value = self.value
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(f"must be {what}, got {describe_value(value)}")
        if minimum is not None and value < minimum:
            raise self.error(f"must be {what}, got {describe_value(value)}")
        if maximum is not None and value > maximum:
            raise self.error(f"must be at most {maximum}, got {describe_value(value)}")
        return value

    def positive_int(self, *, maximum: int | None = None) -> int:
        return self.integer(minimum=1, maximum=maximum, what="a positive integer")

    def number(self, *, positive: bool = False) -> float | int:
        value = self.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.error(f"must be a number, got {describe_value(value)}")
        if isinstance(value, float) and not math.isfinite(value):
            raise self.error(f"must be a finite number, got {value}")
        if positive and value <= 0:
            raise self.error(f"must be a positive number, got {value}")
        return value

    def boolean(self) -> bool:
        if not isinstance(self.value, bool):
            raise self.error(f"must be true or false, got {describe_value(self.value)}")
        return self.value

    def string(self, *, choices: list[str] | None = None, nonempty: bool = True) -> str:
        value = self.value
        if not isinstance(value, str):
            raise self.error(f"must be a string, got {describe_value(value)}")
        if nonempty and not value.strip():
            raise self.error("must not be empty")
        if choices is not None and value not in choices:
            raise self.error(f"must be one of {', '.join(choices)}, got {value!r}"
                             f"{did_you_mean(value, choices)}")
        return value

    def optional(self, check: Callable[["Located"], Any]) -> Any:
        return None if self.value is None else check(self)
