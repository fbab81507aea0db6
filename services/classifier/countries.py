"""Country names: one table for extraction (a tag's ``country`` and sanctioning state) and
story clustering (the gazetteer's country ids), so both call a country by one name.

Every spelling maps to one display name (pycountry's common name unless ``_DISPLAY`` says
otherwise); clustering folds that display name into its id. Extraction also reads
``_STATE_WORDS`` (demonyms, short forms and seats that stand for a state's government);
the gazetteer does not, as "Russian missiles" and "Washington says" name no place.
"""

from functools import cache
from typing import Final

import pycountry

# Display names where the reader's name differs from pycountry's.
_DISPLAY: Final = {"Türkiye": "Turkey", "Russian Federation": "Russia"}
# Names of a country that pycountry spells officially or not at all (it skips names with a
# comma: "Iran, Islamic Republic of").
_NAMES: Final = {
    "Turkey": "Turkey", "Turkiye": "Turkey", "Russia": "Russia", "Syria": "Syria",
    "Iran": "Iran", "Burma": "Myanmar", "Palestinian territories": "Palestine",
    "Palestine": "Palestine", "Congo": "Congo", "Vietnam": "Vietnam", "Laos": "Laos",
    "Hong Kong": "Hong Kong",
}
_STATE_WORDS: Final = {
    "US": "United States", "U.S.": "United States", "USA": "United States",
    "America": "United States", "American": "United States", "Washington": "United States",
    "UK": "United Kingdom", "U.K.": "United Kingdom", "Britain": "United Kingdom",
    "British": "United Kingdom", "London": "United Kingdom",
    "Russian": "Russia", "Moscow": "Russia", "Kremlin": "Russia", "Israeli": "Israel",
    "Ukrainian": "Ukraine", "Kyiv": "Ukraine", "Iranian": "Iran", "Tehran": "Iran",
    "Syrian": "Syria", "Damascus": "Syria", "Iraqi": "Iraq", "Chinese": "China",
    "Beijing": "China", "Japanese": "Japan", "Tokyo": "Japan", "Turkish": "Turkey",
    "Pakistani": "Pakistan", "Indian": "India", "Afghan": "Afghanistan",
    "Saudi": "Saudi Arabia", "Yemeni": "Yemen", "Lebanese": "Lebanon", "Sudanese": "Sudan",
    "Nigerian": "Nigeria", "Somali": "Somalia", "French": "France", "German": "Germany",
    "Canadian": "Canada", "Australian": "Australia", "North Korean": "North Korea",
    "South Korean": "South Korea", "Pyongyang": "North Korea", "Seoul": "South Korea",
    "Belarusian": "Belarus", "Venezuelan": "Venezuela", "Cuban": "Cuba", "Burmese": "Myanmar",
    "Egyptian": "Egypt", "Ethiopian": "Ethiopia", "Libyan": "Libya",
    "Malian": "Mali", "Gaza": "Palestine", "West Bank": "Palestine", "Palestinian": "Palestine",
    "Crimea": "Ukraine", "Jordanian": "Jordan", "Azerbaijani": "Azerbaijan",
    "Armenian": "Armenia", "Georgian": "Georgia", "Nicaraguan": "Nicaragua",
    "Guatemalan": "Guatemala", "Mexican": "Mexico", "Haitian": "Haiti",
    "Zimbabwean": "Zimbabwe", "Emirati": "United Arab Emirates", "UAE": "United Arab Emirates",
    "Qatari": "Qatar", "Houthi": "Yemen",
}


@cache
def names() -> dict[str, str]:
    """Each spelling of a country's name -> its display name."""
    out: dict[str, str] = {}
    for country in pycountry.countries:
        common = getattr(country, "common_name", None)
        display = _DISPLAY.get(common or country.name, common or country.name)
        for name in (country.name, common):
            if name and "," not in name and "(" not in name:
                out[name] = display
    return out | _NAMES


@cache
def references() -> dict[str, str]:
    """:func:`names` plus the words that stand for a state: what extraction recognises."""
    return names() | _STATE_WORDS
