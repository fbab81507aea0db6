"""Two builders the cue tables share: word sets and alternations of commented parts."""

import re


def words(text: str) -> frozenset[str]:
    """A set of single words, written as one whitespace-separated string."""
    return frozenset(text.split())


def any_of(*parts: str) -> re.Pattern[str]:
    """One pattern matching any part; parts stay separate so each can carry its comment."""
    return re.compile("|".join(f"(?:{p})" for p in parts))
