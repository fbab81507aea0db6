"""What the poller checks and fixes in a body before feedparser sees it.

Entity declarations are refused only where they take effect, in the prolog (before the
root element): a security blog post that quotes ``<!ENTITY`` in an item is news, not an
attack. And a feed in a legacy charset that nothing declares (no BOM, no XML encoding, no
HTTP charset) is decoded with chardet's guess instead of arriving as mojibake.
"""

import re

import chardet

_DANGEROUS = re.compile(rb"<!\s*entity|<!\s*doctype[^>\[]*\[", re.IGNORECASE)
_SUBSET_END = re.compile(rb"\]\s*>")
_SPACES = re.compile(rb"\s+")
_XML_ENCODING = re.compile(rb"^\s*<\?xml[^>]{0,200}?encoding\s*=", re.IGNORECASE)
_CHARSET = re.compile(r";\s*charset\s*=[^;]*", re.IGNORECASE)
DETECT_SAMPLE = 1 << 16  # chardet reads this much: enough to tell, bounded in time


def prolog_end(view: bytes) -> int:
    """Where the root element starts: XML declaration, PIs, comments, whitespace and a
    DOCTYPE (with its internal subset) are skipped, anything else ends the prolog."""
    # Each step is a find() or a regex match, so a long prolog (70 KB of comment before a
    # DOCTYPE, say) costs linear time and is still scanned to its end.
    pos, end = (3 if view.startswith(b"\xef\xbb\xbf") else 0), len(view)
    while pos < end:
        if view[pos:pos + 1].isspace():
            pos = _SPACES.match(view, pos).end()  # type: ignore[union-attr]
        elif view.startswith(b"<?", pos):
            pos = _after(view, b"?>", pos)
        elif view.startswith(b"<!--", pos):
            pos = _after(view, b"-->", pos)
        elif view[pos:pos + 9].lower() == b"<!doctype":
            pos = _doctype_end(view, pos)
        else:
            return pos
    return end


def _after(view: bytes, marker: bytes, pos: int) -> int:
    found = view.find(marker, pos)
    return len(view) if found < 0 else found + len(marker)


def _doctype_end(view: bytes, pos: int) -> int:
    bracket, close = view.find(b"[", pos), view.find(b">", pos)
    if bracket >= 0 and (close < 0 or bracket < close):  # an internal subset: up to "]>"
        match = _SUBSET_END.search(view, bracket)
        return len(view) if match is None else match.end()
    return len(view) if close < 0 else close + 1


def declares_entities(view: bytes) -> bool:
    """True when the prolog declares entities or a DOCTYPE internal subset (``view``: the
    body with ASCII markup searchable, see parse.ascii_view)."""
    return _DANGEROUS.search(view, 0, prolog_end(view)) is not None


def decode_undeclared(body: bytes, content_type: str) -> tuple[bytes, str] | None:
    """(UTF-8 body, content type) for a body in a legacy charset nothing declares, else None.

    A body that is valid UTF-8, or that says what it is, is left to feedparser.
    """
    if _CHARSET.search(content_type) or _XML_ENCODING.match(body[:256]):
        return None
    try:
        body.decode("utf-8")
        return None
    except UnicodeDecodeError:
        pass
    guess = chardet.detect(body[:DETECT_SAMPLE]).get("encoding")
    if not guess:
        return None
    try:
        text = body.decode(guess, errors="replace")
    except LookupError:
        return None
    suffix = "; charset=utf-8" if content_type else ""
    return text.encode("utf-8"), _CHARSET.sub("", content_type) + suffix
