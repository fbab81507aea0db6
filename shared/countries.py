"""Country spellings a user may write in a config, mapped to ISO 3166 alpha-2 codes.

The classifier reports countries by display name ("Iran", "Russia", "United States"); a
subscription may name them by code, official name or common name. Both sides are compared
as codes, so ``countries: [IR]`` and ``countries: [Iran]`` select the same events.
"""

from functools import cache

import pycountry

# Short forms in everyday news use that pycountry does not resolve (it knows "Russian
# Federation", not "Russia"; "Türkiye", not "Turkey").
_ALIASES = {
    "russia": "RU", "turkey": "TR", "uk": "GB", "britain": "GB", "great britain": "GB",
    "england": "GB", "usa": "US", "america": "US", "palestine": "PS", "laos": "LA",
    "burma": "MM", "ivory coast": "CI", "cape verde": "CV", "swaziland": "SZ",
    "east timor": "TL", "vatican": "VA", "macau": "MO", "brunei": "BN",
}


@cache
def country_code(value: str) -> str | None:
    """The alpha-2 code of a country name or code, or None when it names no country."""
    text = " ".join(value.split())
    if not text:
        return None
    alias = _ALIASES.get(text.casefold())
    if alias:
        return alias
    try:
        return str(pycountry.countries.lookup(text).alpha_2)
    except LookupError:
        return None


def check_country(value: str) -> str:
    """Config validator: keep the user's spelling, refuse names that are no country."""
    if country_code(value) is None:
        raise ValueError("unknown country; use an ISO 3166 name or code, e.g. 'Iran' or 'IR'")
    return value
