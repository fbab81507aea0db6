"""OPML import: read a feed reader's export safely, append its feeds to the config's YAML text."""

import json
import os
import re
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from services.poller.parse import ascii_view
from shared.loading import load_config

MAX_OPML = 10 << 20
NAME_MAX = 120
_DTD = re.compile(rb"<!\s*(doctype|entity)", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_FEEDS_KEY = re.compile(r"^feeds\s*:\s*(?P<rest>.*)$")
_EMPTY_FLOW = re.compile(r"^\[\s*\]\s*(?P<comment>#.*)?$")


class OpmlError(Exception):
    """An OPML file or config edit that cannot be done; the message is shown to the user."""


@dataclass(frozen=True)
class OpmlFeed:
    url: str
    name: str


def read_opml(data: bytes) -> list[OpmlFeed]:
    """The feeds (``xmlUrl`` + ``title``/``text``) of every outline, nested or not, in order."""
    if len(data) > MAX_OPML:
        raise OpmlError(f"file larger than {MAX_OPML >> 20} MiB")
    # Entities and DTDs are the XML bombs; a real OPML export never needs either.
    if _DTD.search(ascii_view(data)):
        raise OpmlError("DOCTYPE/ENTITY declarations are refused")
    try:
        root = ET.fromstring(data)  # safe: no DTD (checked above), so no entities
    except ET.ParseError as exc:
        raise OpmlError(f"not well-formed XML: {exc}") from None
    feeds: list[OpmlFeed] = []
    for node in root.iter():
        if not isinstance(node.tag, str) or node.tag.rsplit("}", 1)[-1].lower() != "outline":
            continue
        attrs = {k.lower(): v for k, v in node.attrib.items()}
        url = (attrs.get("xmlurl") or "").strip()
        if url:
            feeds.append(OpmlFeed(url, _name(attrs.get("title") or attrs.get("text") or "")))
    return feeds


def _name(text: str) -> str:
    # "${" would be read back as an environment placeholder by the config loader.
    clean = " ".join(_CONTROL.sub(" ", text).split()).replace("${", "$ {")
    return clean[:NAME_MAX]


def valid_url(url: str) -> bool:
    """The same rule as the config: http(s) with a host."""
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        return False


def entry_line(feed: OpmlFeed, indent: str) -> str:
    """One flow-style list item; JSON strings are valid YAML double-quoted scalars."""
    fields = f"url: {json.dumps(feed.url)}"
    if feed.name:
        fields += f", name: {json.dumps(feed.name, ensure_ascii=False)}"
    return f"{indent}- {{{fields}}}"


def append_entries(text: str, entries: list[str]) -> str:
    """``text`` with ``entries`` added at the end of the top-level ``feeds:`` block list.

    Everything else, comments included, is kept byte for byte.
    """
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if _FEEDS_KEY.match(line)), None)
    if start is None:
        sep = "" if not text or text.endswith("\n") else "\n"
        return text + sep + "\n".join(["feeds:", *(f"  {e}" for e in entries)]) + "\n"
    rest = _FEEDS_KEY.match(lines[start]).group("rest").strip()  # type: ignore[union-attr]
    if rest and not rest.startswith("#"):
        empty = _EMPTY_FLOW.match(rest)
        if empty is None:
            raise OpmlError("the feeds: list is written inline ([...]); make it a block list")
        lines[start] = "feeds:" + (f"  {empty.group('comment')}" if empty.group("comment") else "")
    last, indent = _block_end(lines, start)
    lines[last + 1:last + 1] = [f"{indent}{e}" for e in entries]
    return "\n".join(lines) + "\n"


def _block_end(lines: list[str], start: int) -> tuple[int, str]:
    """Index of the block's last content line and the indentation of its items."""
    last, indent = start, None
    for i in range(start + 1, len(lines)):
        line = lines[i]
        stripped = line.lstrip()
        if not stripped or stripped.startswith("#"):
            continue
        if line[0] not in " -":  # the next top-level key
            break
        if indent is None and stripped.startswith("-"):
            indent = line[: len(line) - len(stripped)]
        last = i
    return last, "  " if indent is None else indent


@dataclass(frozen=True)
class ImportResult:
    added: int
    present: int
    invalid: int


def import_opml(config_path: Path, data: bytes) -> ImportResult:
    """Add the OPML's feeds that are not configured yet; validate, then replace atomically."""
    config = load_config(config_path)
    known = {f.url for f in config.feeds}
    new: list[OpmlFeed] = []
    present = invalid = 0
    for feed in read_opml(data):
        if not valid_url(feed.url):
            invalid += 1
        elif feed.url in known:
            present += 1
        else:
            known.add(feed.url)
            new.append(feed)
    if new:
        text = config_path.read_text(encoding="utf-8")
        _replace_validated(config_path, append_entries(text, [entry_line(f, "") for f in new]))
    return ImportResult(len(new), present, invalid)


def _replace_validated(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, path.stat().st_mode & 0o7777)
        load_config(tmp)  # raises ConfigError: the original file is left untouched
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
