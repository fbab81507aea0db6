"""Every cue table's mentions reach the rules: no gate or veto silently swallows an entry.

Each mention table lists headline examples; every top-level alternative of the table must be
used by one of them, so a new entry needs an example here (see services/classifier/rules).
"""

import re

import pytest

from services.classifier.rules import sanction_cues as sc
from services.classifier.rules import strike_cues as kc
from services.classifier.rules.classify import classify_text
from services.classifier.rules.sentences import fold
from shared.schemas import EventType

STRIKE, SANCTION = EventType.MILITARY_STRIKE, EventType.SANCTION

# (table name, its entries, the tag its mentions give, headline examples)
TABLES: list[tuple[str, tuple[str, ...], EventType, list[str]]] = [
    ("STRIKE_EVENT", kc.STRIKE_EVENT_PARTS, STRIKE, [
        "Air strikes hit rebel positions", "Air attack on Kharkiv kills two",
        "Aerial assault on rebel base", "Drone strike kills militant commander",
        "Missile attack on Odesa port", "Barrage of rockets hits northern towns",
        "Shelling kills three in Donetsk", "Bombing raids pound rebel-held city",
        "Carpet bombing reported in the north", "Precision strikes destroy ammunition depot",
        "Missiles hit apartment block in Dnipro", "Hospital was bombed overnight",
        "School bombed in Mariupol", "Jets give close air support to troops",
        "Kamikaze drones target Kyiv", "Commando raid kills militant leader",
        "Russia attacked Odesa with drones", "Rockets fired into Israel from Lebanon",
    ]),
    ("PASSIVE_HIT", (kc.PASSIVE_HIT.pattern,), STRIKE, ["Market hit by Russian missiles"]),
    ("INTERCEPT", (kc.INTERCEPT.pattern,), STRIKE,
     ["Ukraine says air defences shot down 20 drones in overnight barrage"]),
    ("STRIKE_VERB", (kc.STRIKE_VERB.pattern,), STRIKE, [
        "Troops struck the village", "Jets launched strikes on depots",
        "Militants launched rockets at the town", "Soldiers fired mortars at the camp",
        "Army helicopters fired at the convoy", "Rebels attacked with drones overnight",
    ]),
    ("DEMONYM_STRIKE", (kc.DEMONYM_STRIKE.pattern,), STRIKE, ["Israeli strikes kill 12"]),
    ("STATE_STRIKE", (kc.STATE_STRIKE.pattern,), STRIKE, ["Russia launches rare daytime attack"]),
    ("STRIKE_NOUN", (kc.STRIKE_NOUN.pattern,), STRIKE, ["Strikes on Gaza kill 20"]),
    ("RAID", (kc.RAID.pattern,), STRIKE, ["Troops raid militant hideout"]),
    ("FORCE_KILL", (kc.FORCE_KILL.pattern,), STRIKE, [
        "Security forces killed five militants in the north",
        "Three insurgents were killed by government forces",
    ]),
    ("USED_WEAPON", (kc.USED_WEAPON.pattern,), STRIKE,
     ["The army used drones against border posts, two soldiers wounded"]),
    ("SANCTION_MENTION", sc.SANCTION_MENTION_PARTS, SANCTION, [
        "US sanctions three Iranian officials", "EU imposes arms embargo on Belarus",
        "UK announces asset freeze on oligarch", "Treasury froze the assets of two firms",
        "Commerce adds Chinese firms to Entity List", "Treasury adds 12 people to SDN list",
        "US designates three men Specially Designated Global Terrorists",
        "US designates militia a foreign terrorist organization",
        "US adds Chinese chipmaker to trade blacklist", "Japan blacklists 20 companies",
        "US tightens export controls on chips", "EU bans exports of luxury goods",
        "Government announces imports of Russian oil banned",
        "G7 agrees oil price cap on Russian crude", "EU imposes travel bans on officials",
        "US imposes visa restrictions on officials",
        "EU adopts restrictive measures against hackers",
        "China announces countermeasures against US firms",
        "US imposes curbs on Chinese chipmakers", "EU extends bans on blacklisted banks",
        "US blacklists Chinese drone maker",
    ]),
    ("STATE_TARGETS", (sc.STATE_TARGETS.pattern,), SANCTION,
     ["UK targets Russian officials over war"]),
]


def _alternatives(pattern: str) -> list[str]:
    """The top-level ``|`` alternatives of a regex (outside groups and character classes)."""
    out, depth, in_class, start, i = [], 0, False, 0, 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char in "()":
            depth += 1 if char == "(" else -1
        elif char == "|" and depth == 0:
            out.append(pattern[start:i])
            start = i + 1
        i += 1
    return [*out, pattern[start:]]


def _table(name: str) -> re.Pattern[str]:
    table: re.Pattern[str] = getattr(kc, name, None) or getattr(sc, name)
    return table


@pytest.mark.parametrize(("name", "entries", "examples"),
                         [(n, e, x) for n, e, _, x in TABLES], ids=[t[0] for t in TABLES])
def test_every_table_entry_has_an_example(name: str, entries: tuple[str, ...],
                                          examples: list[str]) -> None:
    """Each top-level alternative of a mention table is used by one of its examples."""
    unused = [alt for entry in entries for alt in _alternatives(entry)
              if not any(re.search(alt, fold(e)) for e in examples)]
    assert unused == [], f"{name}: add an example for {unused}"


@pytest.mark.parametrize(("name", "kind", "example"),
                         [(n, k, x) for n, _, k, xs in TABLES for x in xs],
                         ids=[x for _, _, _, xs in TABLES for x in xs])
def test_every_example_reaches_the_rules(name: str, kind: EventType, example: str) -> None:
    """A headline using a table entry passes the gates and is a cue of the tag's evidence."""
    mention = _table(name).search(fold(example))
    assert mention is not None, f"{name} does not match its own example"
    tags = {t.name: t for t in classify_text(example, "")}
    assert kind.value in tags, f"{name}: {example!r} gave no {kind.value} tag"
    cues = {c for ev in tags[kind.value].evidence for c in ev.cues}
    assert mention.group() in cues
