"""Checks that relate several config fields (a subscription naming a feed, a duplicate name).

pydantic reports an error raised after the whole model is built at the root, so the user
would see ``<root>`` and a dump of the config. These checks raise :class:`FieldErrors`
instead: one entry per problem, each with the path of the field at fault.
"""

from collections.abc import Sequence
from typing import TYPE_CHECKING

from shared.schemas import FEED_HEALTH, EventType

if TYPE_CHECKING:
    from shared.config import AppConfig

Loc = tuple[int | str, ...]


class FieldErrors(ValueError):
    """Problems found across fields: (field path, message) pairs."""

    def __init__(self, problems: list[tuple[Loc, str]]) -> None:
        super().__init__("; ".join(message for _, message in problems))
        self.problems = problems


def _duplicates(section: str, key: str, values: Sequence[str]) -> list[tuple[Loc, str]]:
    first: dict[str, int] = {}
    problems: list[tuple[Loc, str]] = []
    for index, value in enumerate(values):
        if value in first:
            problems.append(((section, index, key), f"duplicate of {section}[{first[value]}]"))
        first.setdefault(value, index)
    return problems


def _subscription_refs(config: "AppConfig") -> list[tuple[Loc, str]]:
    topics = {t.value for t in EventType} | {w.name for w in config.watch} | {FEED_HEALTH}
    feeds = [f.label() for f in config.feeds]
    shown = ", ".join(feeds[:8]) + (", …" if len(feeds) > 8 else "") if feeds else "none"
    problems: list[tuple[Loc, str]] = []
    for i, sub in enumerate(config.subscriptions):
        problems += [(("subscriptions", i, "tags", k),
                      "neither an event type (military_strike, sanction, feed_health) "
                      "nor a watch topic name") for k, tag in enumerate(sub.tags)
                     if tag not in topics]
        problems += [(("subscriptions", i, "feeds", k),
                      f"no configured feed has this name (feed names: {shown})")
                     for k, name in enumerate(sub.feeds) if name not in feeds]
    return problems


def check(config: "AppConfig") -> None:
    """Raise :class:`FieldErrors` naming every field of every cross-field problem."""
    problems = _duplicates("feeds", "url", [f.url for f in config.feeds])
    problems += _duplicates("watch", "name", [w.name for w in config.watch])
    problems += _duplicates("subscriptions", "name", [s.name for s in config.subscriptions])
    problems += _subscription_refs(config)
    if problems:
        raise FieldErrors(problems)
