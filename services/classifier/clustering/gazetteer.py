"""Place names for story clustering: countries, and the cities and regions news is filed from.

Two reports of "a strike in Ukraine today" are one event only if they agree on where: Kyiv
and Dnipro on the same day are two. The capitalised phrases the extractor keeps as
``location`` are too noisy for that ("Putin's New Year", "Black Sea Fleet"), so clustering
matches this fixed gazetteer instead. Demonyms are left out on purpose: "Russian missiles
hit Poland" names the shooter as an adjective, the place as a noun. Capitals that usually
stand for a government (Washington, Moscow, Beijing, London, Brussels) are not places here.
"""

import re
import unicodedata
from functools import cache
from typing import Final

from services.classifier import countries

# country: city or region[>larger region]. Spellings of one place share the first one's id;
# the larger region lets "Makiivka" and "Donetsk" agree while "Kyiv" and "Dnipro" do not.
_PLACES: Final = """
Ukraine: Kyiv/Kiev/Ukrainian capital, Kharkiv/Kharkov, Odesa/Odessa, Dnipro/Dnipropetrovsk,
 Zaporizhzhia/Zaporizhia/Zaporozhye, Kherson, Mykolaiv/Nikolaev, Lviv, Lutsk, Rivne, Ternopil,
 Vinnytsia, Uman, Kremenchuk, Poltava, Sumy, Chernihiv, Zhytomyr, Izium/Izyum, Lyman,
 Bakhmut/Artemivsk>Donetsk, Soledar>Donetsk, Avdiivka>Donetsk, Vuhledar>Donetsk,
 Kramatorsk>Donetsk, Sloviansk/Slovyansk>Donetsk, Bucha, Irpin, Mariupol>Donetsk,
 Melitopol>Zaporizhzhia, Berdyansk, Enerhodar>Zaporizhzhia, Nova Kakhovka>Kherson,
 Kakhovka>Kherson, Makiivka/Makiyivka/Makeyevka>Donetsk, Donetsk>Donbas, Luhansk/Lugansk>Donbas,
 Donbas/Donbass, Crimea, Sevastopol>Crimea, Kerch>Crimea, Khmelnytskyi, Ivano-Frankivsk,
 Kropyvnytskyi, Cherkasy, Bilhorod-Dnistrovskyi, Snake Island, Kupiansk, Chasiv Yar, Pokrovsk
Russia: Belgorod, Kursk, Bryansk, Voronezh, Rostov, Engels, Novorossiysk, Ryazan, Pskov,
 Taganrog
Poland: Przewodow
Palestine: Gaza/Gaza Strip, Gaza City>Gaza, Rafah>Gaza, Khan Younis/Khan Yunis>Gaza,
 Jabalia>Gaza, Nuseirat>Gaza, Deir al-Balah>Gaza, West Bank, Jenin>West Bank, Nablus>West Bank,
 Tulkarem/Tulkarm>West Bank, Hebron>West Bank, Ramallah>West Bank, Jericho>West Bank, Huwara>West
 Bank
Israel: Jerusalem, Tel Aviv, Haifa, Ashkelon, Sderot, Eilat, Golan Heights/Golan, Negev
Lebanon: Beirut/Lebanese capital, Tyre, Sidon, Nabatieh, Baalbek, Bekaa
Syria: Damascus/Syrian capital, Aleppo, Idlib, Homs, Hama, Latakia, Tartus, Deir ez-Zor/Deir
 el-Zour/Deir Ezzor, Raqqa, Hasakah/Hasakeh, Kobani, Qamishli>Hasakah, Tal Rifaat, Manbij,
 Palmyra
Iraq: Baghdad/Iraqi capital, Erbil/Irbil, Mosul, Kirkuk, Basra, Sulaimaniyah, Anbar,
 Al-Qaim/Qaim, Jurf al-Sakhar, Al-Asad, Ain al-Asad, Kurdistan Region
Yemen: Sanaa/Sana'a/Yemeni capital, Hodeidah/Hudaydah, Aden, Marib, Taiz, Saada
Iran: Isfahan, Kerman, Natanz, Fordow, Tabriz, Shiraz, Bandar Abbas
Afghanistan: Kabul/Afghan capital, Kandahar, Herat, Jalalabad, Kunduz
Pakistan: Islamabad, Peshawar, Karachi, Quetta, Lahore, Balochistan, Waziristan, Khyber
 Pakhtunkhwa
Somalia: Mogadishu/Somali capital, Kismayo, Baidoa
Sudan: Khartoum/Sudanese capital, Omdurman, Darfur, El Fasher>Darfur, Port Sudan
Libya: Tripoli/Libyan capital, Benghazi, Misrata, Derna
Myanmar: Yangon, Naypyitaw/Naypyidaw, Mandalay, Sagaing, Rakhine, Kachin, Shan State, Chin State
Ethiopia: Tigray, Mekelle/Mekele>Tigray, Addis Ababa, Amhara
Nigeria: Maiduguri, Borno, Abuja, Kaduna
Mali: Bamako
Burkina Faso: Ouagadougou
Niger: Niamey
Azerbaijan: Nagorno-Karabakh/Karabakh, Stepanakert/Khankendi>Nagorno-Karabakh
Taiwan: Taipei, Taiwan Strait
South Korea: Seoul
North Korea: Pyongyang
Saudi Arabia: Riyadh, Jeddah
"""


def fold(text: str) -> str:
    """Lower case without accents: the id form of a place name."""
    return unicodedata.normalize("NFKD", text.casefold()).encode("ascii", "ignore").decode()


_PARENT: dict[str, str] = {}


@cache
def _table() -> tuple[dict[str, tuple[str, str]], dict[str, list[int]]]:
    """Spelling -> (place id, country id), and first word -> word counts of the spellings
    starting with it, longest first."""
    names: dict[str, tuple[str, str]] = {}
    for name, display in countries.names().items():
        names[name] = (fold(display),) * 2
    for line in re.split(r"\n(?! )", _PLACES.strip()):
        country, spellings = " ".join(line.split()).split(":", 1)
        home = names.get(country.strip(), (fold(country.strip()),) * 2)[1]
        for group in spellings.split(","):
            spelled, _, parent = group.partition(">")
            forms = [f.strip() for f in spelled.split("/") if f.strip()]
            for form in forms:
                names[form] = (fold(forms[0]), home)
            if parent.strip():
                _PARENT[fold(forms[0])] = fold(parent.strip())
    lengths: dict[str, set[int]] = {}
    for name in names:
        lengths.setdefault(name.split()[0], set()).add(len(name.split()))
    return names, {w: sorted(n, reverse=True) for w, n in lengths.items()}


# Words as the names spell them: hyphens and apostrophes inside ("Ivano-Frankivsk", "Sana'a");
# a hyphenated word is one word, so "Russian-held" and "pro-Russia" name no place.
_WORD: Final = re.compile(r"[\w'-]+")


def places(text: str) -> set[tuple[str, str]]:
    """(place, country) pairs named in ``text``, with the larger regions of the places
    named (Sevastopol brings Crimea); for a country both are the country.

    Dictionary lookups of word runs (longest first) instead of one regex of a few hundred
    alternatives: clustering calls this for every tagged report.
    """
    names, starts = _table()
    words = _WORD.findall(text)
    found: set[tuple[str, str]] = set()
    i = 0
    while i < len(words):
        step = 1
        for n in starts.get(words[i], ()):
            hit = names.get(" ".join(words[i:i + n]))
            if hit:
                found.add(hit)
                step = n
                break
        i += step
    for place, country in list(found):
        while place in _PARENT:
            place = _PARENT[place]
            found.add((place, country))
    return found
