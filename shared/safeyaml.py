"""Reading a YAML file that may be hostile: bounded size, depth and alias expansion, no hangs.

A config file is read by every service on each reload, so a FIFO, ``/dev/zero``, a 50 MB
file, deep nesting or a "billion laughs" alias bomb must fail fast with one line instead of
blocking the event loop, exhausting memory or raising ``RecursionError``.
"""

import os
import stat
from pathlib import Path
from typing import Any

import yaml
from yaml._yaml import CParser
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, SequenceNode
from yaml.resolver import Resolver

MAX_BYTES = 5 << 20
MAX_DEPTH = 50
# Nodes after every alias is expanded: a real config has a few thousand at most.
MAX_NODES = 1_000_000
_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"))


class UnsafeInput(ValueError):
    """The file cannot be used; the message is one line, without the file name."""


def _kind(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def read_capped(path: Path, limit: int = MAX_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; never blocks on pipes or devices."""
    try:
        # stat before open: opening a device or FIFO can block or have side effects.
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            raise UnsafeInput(f"is {_kind(mode)}, not a regular file")
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError as exc:
        raise UnsafeInput(f"cannot read config file: {exc.strerror}") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)  # it may have been swapped between stat and open
        if not stat.S_ISREG(info.st_mode):
            raise UnsafeInput(f"is {_kind(info.st_mode)}, not a regular file")
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise UnsafeInput(f"is larger than the {limit >> 20} MB limit for a config file")
    return data


def decode(data: bytes) -> str:
    """UTF-8 text (a BOM is allowed); the error names the line and column of the bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise UnsafeInput(f"line {line}, column {column}: not valid UTF-8 "
                          f"(byte 0x{data[exc.start]:02x}); save the file as UTF-8") from None


class _Loader(Composer, CParser, SafeConstructor, Resolver):
    """A safe loader that refuses nesting deeper than :data:`MAX_DEPTH` while composing.

    libyaml scans and parses (4x faster than PyYAML's Python parser on a 5 MB file); the
    composer stays in Python so that depth is counted before any recursion can run away.
    """

    depth = 0

    def __init__(self, text: str) -> None:
        CParser.__init__(self, text)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise UnsafeInput(f"{_where(self)}nested deeper than {MAX_DEPTH} levels")
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


def _where(loader: _Loader) -> str:
    event = loader.peek_event() if loader.check_event() else None
    mark = event.start_mark if event is not None else None
    return f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""


def _position(text: str, index: int) -> str:
    line = text.count("\n", 0, index) + 1
    return f"line {line}, column {index - (text.rfind(chr(10), 0, index) + 1) + 1}: "


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _measure(node: Node, memo: dict[int, tuple[int, int]], active: set[int],
             depth: int) -> tuple[int, int]:
    """(nodes, height) of ``node`` with aliases expanded; memoised, so linear in the file."""
    key = id(node)
    if key in memo:
        return memo[key]
    if key in active:
        raise UnsafeInput("an alias refers to a node that contains it (recursive structure)")
    if depth > MAX_DEPTH:
        raise UnsafeInput(f"nested deeper than {MAX_DEPTH} levels once aliases are expanded")
    active.add(key)
    nodes, height = 1, 1
    for child in _children(node):
        more, tall = _measure(child, memo, active, depth + 1)
        nodes, height = nodes + more, max(height, tall + 1)
        if nodes > MAX_NODES:
            raise UnsafeInput(f"holds more than {MAX_NODES:,} values once aliases are expanded "
                              "(an alias bomb?)")
    active.discard(key)
    memo[key] = (nodes, height)
    return nodes, height


def load(text: str) -> Any:
    """Parse one YAML document within the limits; YAML errors carry line and column."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _measure(node, {}, set(), 1)
        return loader.construct_document(node)
    except yaml.reader.ReaderError as exc:
        raise UnsafeInput(f"{_position(text, exc.position)}{exc.reason} "
                          f"(character U+{exc.character:04X})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise UnsafeInput(f"{where}{getattr(exc, 'problem', None) or 'invalid YAML'}") from None
    except (ValueError, TypeError, OverflowError, RecursionError) as exc:
        if isinstance(exc, UnsafeInput):
            raise
        # e.g. an integer of 5,000 digits (Python's int-from-string limit)
        raise UnsafeInput(f"unusable value: {str(exc).split(';')[0][:200]}") from None
    finally:
        loader.dispose()
