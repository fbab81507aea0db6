"""Best-effort extraction of actors, targets, places and authorities from evidence sentences."""

import re
from functools import cache
from typing import Final

from services.classifier import countries

_AUTHORITIES: Final = (
    (r"\bOFAC\b|Office of Foreign Assets Control", "US Treasury (OFAC)"),
    (r"\bTreasury\b", "US Treasury"),
    (r"State Department|Department of State|Secretary of State", "US State Department"),
    (r"\bCommerce\b|Bureau of Industry and Security|\bBIS\b|Entity List", "US Commerce (BIS)"),
    (r"\bEU\b|E\.U\.|European Union|European Council|Brussels", "EU"),
    (r"\bUK\b|U\.K\.|Britain|British government|Foreign Office|OFSI", "United Kingdom"),
    (r"Security Council|\bU\.?N\.?\b|United Nations", "UN Security Council"),
    (r"\bG-?7\b|Group of Seven", "G7"),
    (r"White House|Biden administration|\bBiden\b", "US White House"),
)
_INSTITUTIONS: Final = frozenset(name for _, name in _AUTHORITIES)
_AUTHORITY_RX: Final = [(re.compile(p), name) for p, name in _AUTHORITIES]
_FORCE = (r"(?: (?:air|armed|military|special|security|naval|ground|navy))?"
          r" (?:forces|military|army|troops|jets|warplanes|drones|helicopters|navy|air force"
          r"|artillery|aircraft|soldiers|units)")
_BY_ACTOR: Final = re.compile(
    r"(?i:strikes?|attacks?|raids?|shelling|bombardment|carried out|conducted|launched)"
    r"(?: \w+){0,2} by ((?:the )?[A-Z][\w.'-]+(?: [A-Z][\w.'-]+)*" + _FORCE + "?)"
)
_NOT_PLACE: Final = re.compile(
    r"^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March"
    r"|April|May|June|July|August|September|October|November|December|The|A|An)\b"
)
_AUTHORITY_COUNTRY: Final = {
    "US Treasury (OFAC)": "United States", "US Treasury": "United States",
    "US State Department": "United States", "US Commerce (BIS)": "United States",
    "US White House": "United States",
    "United Kingdom": "United Kingdom",
}
_WEAPONS: Final = (
    ("air", r"air ?strike|air ?raid|warplane|\bjets?\b|aircraft|helicopter|bomber|aerial"
            r"|air support|air force|air units|precision"),
    ("drone", r"drone|uav"), ("missile", r"missile"), ("rocket", r"rocket"),
    ("artillery", r"shell|artillery|mortar|howitzer|bombard"), ("raid", r"\braid"),
)
_WEAPON_RX: Final = [(name, re.compile(p)) for name, p in _WEAPONS]
_NP_STOP = (r"(?=[,.;:!?\"]| (?:in|near|at|on|after|as|amid|over|for|from|that|which|who"
            r"|killing|kills|killed|and then|following|pursuant|linked|accused|while|with"
            r"|because|under|since|to|a day|earlier|last|this|on)\b|$)")
_PLACE: Final = re.compile(
    r"\b(?:in|near|on|at|over|across|outside|inside|into|of)"
    r" ((?:[A-Z][\w'-]+)(?: (?:[A-Z][\w'-]+|al-\w+|of|el-\w+))*)"
)
_TARGET_AFTER: Final = re.compile(
    r"\b(?:strikes? (?:on|against)|raids? (?:on|against)|attacks? (?:on|against)|struck|strikes"
    r"|hit|hits|targeting|targeted|targets|bombed|shelled|pounded|attacked) (.{3,80}?)" + _NP_STOP
)
_SANCTION_TARGET: Final = re.compile(
    r"\b(?:sanctions? (?:on|against)|measures (?:on|against)|sanctioned|sanctioning|sanctions"
    r"|designated|designating|designates|targeting|targets|adding|added|adds|freez\w+ the"
    r" assets of|blacklisted|banning|bans) ((?!sanctions\b).{3,100}?)" + _NP_STOP
)
_COUNT: Final = re.compile(
    r"\b(\d[\d,]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen"
    r"|twenty|thirty|forty|fifty|dozens|hundreds|several)\b(?: \w+){0,2}? (?:individuals"
    r"|entities|people|persons|companies|firms|officials|vessels|ships|tankers|aircraft|banks"
    r"|targets|groups|leaders|oligarchs|Russians|members|names|businesses|organi[sz]ations)\b",
    re.IGNORECASE,
)
_PROGRAMME: Final = re.compile(
    r"\b(Executive Order \d+|[A-Z][\w ]{2,40} Sanctions Regulations|[A-Z]\w+-related"
    r"|Global Magnitsky|Specially Designated Global Terrorists?|counter-?terrorism"
    r"|nonproliferation|Nonproliferation Act)\b"
)


@cache
def _country_rx() -> tuple[re.Pattern[str], dict[str, str]]:
    names = countries.references()
    alts = "|".join(re.escape(k) for k in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<![\w.])(?:{alts})(?![\w-])"), names


def countries_in(text: str) -> list[str]:
    """Display names of the countries named, or referred to by demonym, in ``text``."""
    rx, names = _country_rx()
    return list(dict.fromkeys(names[m.group()] for m in rx.finditer(text)))


def weapons(text: str) -> list[str]:
    """The kinds of weapon ``text`` names (air, drone, missile, rocket, artillery, raid)."""
    low = text.lower()
    return [name for name, rx in _WEAPON_RX if rx.search(low)]


def authority_state(authority: str) -> tuple[str, bool]:
    """The state (or bloc) behind a sanctioning authority (Treasury and State are both the
    US), and whether it was named as an institution rather than guessed from the subject."""
    return _AUTHORITY_COUNTRY.get(authority, authority), authority in _INSTITUTIONS


def _uniq(values: list[str], limit: int = 5) -> list[str]:
    out = list(dict.fromkeys(v.strip(" '\"-") for v in values if v.strip(" '\"-")))
    return out[:limit]


def _actors(text: str) -> list[str]:
    rx, _ = _country_rx()
    found = []
    for m in rx.finditer(text):
        lead = text[max(0, m.start() - 4) : m.start()].lower()
        if lead.endswith(("in ", "on ", "of ", "at ")) or lead.endswith("near"):
            continue
        force = re.match(_FORCE, text[m.end() :], re.IGNORECASE)
        found.append(m.group() + (force.group() if force else ""))
    by = _BY_ACTOR.search(text)
    return _uniq(([by.group(1)] if by else []) + found[:1], 3)


def _subject_countries(sentence: str) -> list[str]:
    # The sanctioning state is named before the action: "Japan adds 79 targets ...".
    low = sentence.lower()
    cut = min((i for i in (low.find("sanction"), low.find("impos"), low.find(" add"),
                           low.find("freez")) if i >= 0), default=len(low))
    return countries_in(" ".join(_actors(sentence[:cut])))


def strike_fields(sentences: list[str], cue: str) -> dict[str, list[str]]:
    """actor, target, location, country and weapon from the evidence sentences."""
    text = " ".join(sentences)
    low = text.lower()
    fields: dict[str, list[str]] = {}
    fields["actor"] = _uniq([a for s in sentences for a in _actors(s)], 3)
    fields["target"] = _uniq([m.group(1) for m in _TARGET_AFTER.finditer(text)], 3)
    places = [m.group(1) for m in _PLACE.finditer(text) if not _NOT_PLACE.match(m.group(1))]
    fields["location"] = _uniq(places, 3)
    actor_countries = set(countries_in(" ".join(fields["actor"])))
    in_places = countries_in(" ".join(places))
    others = [c for c in countries_in(text) if c not in actor_countries]
    fields["country"] = _uniq(in_places or others, 3)
    fields["weapon"] = weapons(low) or ["strike"]
    return {k: v for k, v in fields.items() if v}


def sanction_fields(sentences: list[str]) -> dict[str, list[str]]:
    """authority, targets, count, programme and country from the evidence sentences."""
    text = " ".join(sentences)
    fields: dict[str, list[str]] = {}
    authorities = [name for rx, name in _AUTHORITY_RX if rx.search(text)]
    if not authorities:
        authorities = [c for s in sentences for c in _subject_countries(s)][:1]
    fields["authority"] = _uniq(authorities, 3)
    targets: list[str] = []
    for m in _SANCTION_TARGET.finditer(text):
        targets += re.split(r", (?:and )?| and ", m.group(1))
    fields["targets"] = _uniq([t for t in targets if len(t.split()) <= 10], 5)
    fields["count"] = _uniq([m.group(1) for m in _COUNT.finditer(text)], 2)
    fields["programme"] = _uniq([m.group(1) for m in _PROGRAMME.finditer(text)], 2)
    authority_countries = {_AUTHORITY_COUNTRY.get(a, a) for a in authorities}
    fields["country"] = _uniq([c for c in countries_in(text) if c not in authority_countries], 3)
    return {k: v for k, v in fields.items() if v}
