"""Text that XML 1.0 can carry: feed text may hold control characters no parser accepts."""

import re

# XML 1.0 allows tab, newline, carriage return and everything from U+0020 except surrogates
# and U+FFFE/U+FFFF; ElementTree writes anything else verbatim and readers then fail.
_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids."""
    return _INVALID.sub("", text)
