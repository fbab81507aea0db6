"""Military-strike cue tables: what a strike mention looks like, and the senses that veto it.

Every pattern runs on folded text (lower-case, ASCII punctuation, see sentences.fold). The
rules that use them are in strike.py; which table a new phrasing goes in is in __init__.py.
"""

import re
from typing import Final

from services.classifier.rules.patterns import any_of, words

# Cheap gate: a sentence without one of these stems cannot carry a strike cue.
STRIKE_GATE: Final = re.compile(
    r"\b(?:strik|airstrik|airraid|struck|bomb|shell|missile|rocket|drone|raid|artiller|attack"
    r"|mortar|air support"
    r"|precision|warplane|jets?\b|helicopter|gunship|aircraft|forces?\b|troops|army|armies"
    r"|militar|navy|naval|soldier|commando|coalition|idf\b|marines|militant|militia|hamas"
    r"|hezbollah|houthi|isis\b|islamic state|al-shabaa?b|taliban|insurgent|paratroop|rebel"
    r"|junta|pentagon|centcom|central command)"
)

_N = r"(?:\w+[ -]){0,2}"
# Phrases that name a strike by themselves, one entry per kind of phrase.
STRIKE_EVENT_PARTS: Final = (
    r"\bair[- ]?(?:strikes?|raids?)\b(?! (?:sirens?|alarms?|alerts?|warnings?|shelters?))",
    r"\b(?:air|aerial) (?:attacks?|bombardments?|campaign|aggression)\b|\baerial assaults?\b",
    r"\bdrone (?:strikes?|attacks?|raids?|assaults?|barrages?)\b",
    r"\b(?:missile|rocket|artillery|mortar) (?:strikes?|attacks?|fire|barrages?|salvos?)\b"
    r"(?! (?:control|direction|support|team|officers?|course|school|training|capabilit))",
    r"\bbarrages? of (?:\w+ )?(?:missiles|rockets|drones|shells)\b",
    r"\b(?:shelling|bombardments?|bombarded|shelled)\b",
    r"\bbombing (?:raids?|campaign|runs?)\b|\bcarpet[- ]bomb",
    r"\bprecision[- ](?:guided )?(?:air ?strikes?|strikes?|weapons|munitions)\b"
    r"(?! (?:technology|capabilit|systems?|programs?))",
    # "Hezbollah rockets force thousands to flee", "missiles hit two buildings"
    r"\b(?:rockets|missiles|drones|shells)(?: fired| launched)? (?:hit|hits|struck|kill|kills"
    r"|killed|slam(?:s|med)?|land(?:s|ed)?|rain(?:s|ed)?|force[sd]?|pound(?:s|ed)?|damag\w+"
    r"|destroy\w*)\b",
    # A passive "school ... bombed in Mariupol" reports the bombing itself.
    r"\b(?:was|were|been|being) bombed\b|\bbombed (?:in|by|overnight)\b",
    r"\bclose air support\b|\bkamikaze drones?\b",
    r"\b(?:helicopter|commando|special[- ]forces|military|army|naval) raids?\b",
    # "accused Ukraine of attacking its navy base with sea drones"
    r"\battack(?:ed|ing|s)? (?:[\w'-]+ ){1,6}?with (?:\w+ )?"
    r"(?:drones|missiles|rockets|artillery)\b",
    # "rockets fired from across the border into the valley" (sea launches are vetoed as tests).
    r"\b(?:rockets|missiles|mortars|shells|drones) (?:were |was )?(?:fired|launched)"
    r" (?:from|into|at|toward|towards)\b",
)
STRIKE_EVENT: Final = any_of(*STRIKE_EVENT_PARTS)
# Downed missiles and drones report an attack when the article also names the attack.
INTERCEPT: Final = re.compile(
    r"\b(?:sh(?:ot|oots|ooting) down|intercept(?:ed|s|ing)|down(?:ed|s)) (?:\w+ ){0,4}?"
    r"(?:missiles|drones|rockets)\b"
)
ATTACK_WORD: Final = re.compile(r"\b(?:attacks?|barrages?|strikes?|salvos?|bombardment)\b")
# "the army used drones against border posts", with soldiers wounded.
USED_WEAPON: Final = re.compile(
    r"\b(?:used|using|deployed) (?:\w+ )?(?:drones|artillery|mortars|missiles|rockets)"
    r" (?:against|on|at|in the direction of)\b"
)
STRIKE_VERB: Final = re.compile(
    r"\b(?:struck|strikes?|striking|hit|hits|pounded|pounds?|pounding|bombed|bombs|bombing"
    r"|attacked|attacks?|targeted|targets?|targeting|raided|raids?|rained|slammed"
    r"|launch(?:ed|es)? " + _N + r"(?:strikes?|attacks?|raids?)"
    r"|launch(?:ed|es)? " + _N + r"(?:missiles|rockets|drones) (?:at|on|into|toward|against)"
    r"|fir(?:ed|es|ing) " + _N + r"(?:missiles?|rockets?|shells|mortars?|drones?) "
    r"(?:at|on|into|toward)|(?:jets?|warplanes?|helicopters?) fir(?:ed|es) at"
    r"|attacked with " + _N + r"(?:drones|missiles|rockets))\b"
)
# A verb-looking cue right after one of these is a noun ("military targets").
NOUN_LEAD: Final = words(
    "the a an of and military civilian key legitimate energy its their his her our new "
    "possible potential future more further such these those other operation exercise "
)
# A strike noun alone ("Israeli strikes kill 12") is military only with such context.
STRIKE_NOUN: Final = re.compile(
    r"\bstrikes?\b(?= (?:on|against|in|near|at|into|targeting|kill|kills|killed|hit|hits"
    r"|that|which|across|inside|damag))"
)
MIL_ACTOR: Final = re.compile(
    r"\b(?:forces|troops|army|armies|military|militaries|air force|navy|naval|warplanes?"
    r"|(?:fighter )?jets?|helicopters?|gunships?|aircraft|bombers?|drones?|missiles?|rockets?"
    r"|artillery|soldiers|commandos|special forces|coalition|idf|marines|militants|militias?"
    r"|hamas|hezbollah|houthis?|isis|islamic state|al[- ]shabaa?b|taliban|insurgents"
    r"|airstrikes?|paratroopers|rebels|junta|pentagon|centcom|central command)\b"
)
# A state (or its capital) as the subject of an unambiguous attack verb: "Russia launches
# rare daytime attack", "Israel pounded Gaza". Looser verbs (hits, attacks) read as politics.
STATE_STRIKE: Final = re.compile(
    r"\b(?:russia|ukraine|israel|iran|syria|turkey|pakistan|india|azerbaijan|armenia|moscow"
    r"|kyiv|kiev|tehran|the u\.?s\.?|us|u\.s\.|america|britain|uk|france|yemen|sudan|ethiopia"
    r"|saudi arabia|china|north korea|south korea) (?:(?:forces|military|army) )?"
    r"(?:launch(?:es|ed)? (?:a |an )?(?:\w+ ){0,2}(?:attacks?|strikes?|assaults?|barrages?)"
    r"|struck|strikes(?! back)|pounded|pounds|bombed|bombs|shelled|shells)\b"
)
KILLED: Final = re.compile(r"\b(?:killed|killing|kills|dead|wounded|injured|casualties)\b")
CASUALTY: Final = re.compile(
    r"\b(?:kill(?:s|ed|ing)?|dead|deadly|death toll|wound(?:s|ed|ing)?|injur(?:e|es|ed|ing)"
    r"|casualt(?:y|ies)|fatal|destroy(?:s|ed)?|damag(?:e|es|ed)|rubble)\b"
)
DEMONYM_STRIKE: Final = re.compile(
    r"\b(?:israeli?|russian?|u\.?s\.?|american|ukrain(?:e|ian)|syrian?|saudi|turkish|turkey"
    r"|iranian?|iraqi?|pakistani?|indian?|chinese|british|french|nigerian?|sudanese"
    r"|yemeni|egyptian|jordanian|azerbaijani|armenian|ethiopian|somali|afghan|coalition"
    r"|nato|western|allied) (?:\w+ )?(?:strikes?|bombing)\b"
)
FORCE_KILL: Final = re.compile(
    r"\b(?:forces?|troops|soldiers|military|army)\b[^.;]{0,80}\bkill(?:ed|s|ing)?\b[^.;]{0,60}"
    r"\b(?:insurgents?|militants?|fighters|terrorists?|gunmen|jihadists?|(?:taliban|haqqani"
    r"|al-qaida|al-qaeda|isis|islamic state|hamas|hezbollah|al-shabaab?|houthi)(?: \w+)?"
    r" (?:leaders?|commanders?|facilitators?|operatives?|members?))\b"
    r"|\b(?:insurgents?|militants?|fighters|terrorists?) were killed by\b[^.;]{0,40}\bforces?\b"
)
# Senses of strike/raid/bomb words that are not an armed attack at all.
NOT_ATTACK: Final = any_of(
    r"\bdrills?\b|\bexercises?\b|\bsimulat\w*|\brehears\w*|\bwar ?games?\b|\bmock\b",
    r"\bopfor\b|\blive[- ]fire\b|\bfield training\b|\btraining (?:event|rotation|cent(?:er|re))"
    r"|\bcertification\b|\bceremony\b|\bflyovers?\b|\bchange of command\b",
    r"\btest[- ]?(?:fir\w*|launch\w*|flights?)\b|\bmissile tests?\b|\bdemonstration\b",
    r"\blightning\b|\bearthquakes?\b|\bquakes?\b|\bstorms?\b|\bhurricanes?\b|\btornado\w*"
    r"|\btyphoons?\b|\bcyclones?\b|\bmeteor\w*|\basteroids?\b|\bpandemic\b|\bcovid\b",
    r"\bbombard\w* (?:[\w'-]+ ){0,3}?with (?!(?:\w+ )?(?:rockets|missiles|shells|artillery"
    r"|drones|bombs|fire))|\b(?:smoke|bath|stink|photo|f-) ?bombs?\b|\bbomb (?:threat|scare)s?\b",
    # Launches into the sea and weapons-test series are tests, not attacks.
    r"\b(?:into|toward|towards) (?:the )?(?:sea|waters|ocean)\b|\bweapons? tests?\b",
)
# A strike/attack word before one of these names a unit or platform ("Attack Battalion").
UNIT_AFTER: Final = re.compile(
    r" (?:battalion|squadron|wing|group|brigade|company|fighters?|submarines?|reconnaissance"
    r"|helicopters?|aviation|craft|force|package|capabilit(?:y|ies)|warfare|team|blueprint"
    r"|plans?|plot|thunder)\b"
)
# Only the generic strike/raid words suffer from these senses; named weapons do not.
NOT_MIL_STRIKE: Final = any_of(
    r"\b(?:workers?|unions?|staff|employees|doctors|nurses|teachers|pilots|drivers|dockers"
    r"|miners|strikers?|walk(?:ed|s)?[- ]?(?:out|off)|wages?|pay|pension\w*|picket\w*"
    r"|industrial action|general strike|hunger strike|climate strike|school strike|uaw"
    r"|labou?r|union-?led|shutdown|staffing)\b",
    r"\bstr(?:ike|ikes|iking|uck)\b (?:(?:a|an|the|new|up|down|out|back)\b ?)?(?:\w+ )?"
    r"(?:deal|agreement|accord|pact|balance|chord|tone|pose|gold|oil|lucky|compromise|bargain"
    r"|down|out|off|up)\b",
    r"\b(?:striker|goal|football|soccer|league|cup|tournament|match|scored|premier|batsman"
    r"|bowler|innings|wicket|ball|penalty|tennis|golf|boxing|champion\w*|fc)\b",
    r"\bstrikes? (?:on|this|next|from) (?:monday|tuesday|wednesday|thursday|friday|saturday"
    r"|sunday|\d)",
)
POLICE: Final = re.compile(
    r"\b(?:police|polic\w+|fbi|agents|prosecutors?|officers|detectives|investigators|authorit"
    r"(?:y|ies)|customs|tax|competition|regulators?|antitrust|immigration|heists?|robbers?"
    r"|thieves|burglar\w*|drugs?|cartel|laundering|fraud|raided the (?:home|office)s?)\b"
)

# Strike words as background: capacity to defend, causes, long-past campaigns.
STRIKE_BACKGROUND: Final = re.compile(
    r"\b(?:defend\w*|protect\w*|shield\w*) (?:[\w'-]+ ){0,2}(?:against|from) (?:[\w'-]+ ){0,3}$"
    r"|\bbecause of (?:[\w'-]+ ){0,6}$|\b\d+-(?:year|decade)(?:-long)? (?:[\w'-]+ )?$"
)
# Raids that are not air raids; "police raided" is vetoed by POLICE.
RAID: Final = re.compile(r"(?<!air )(?<!air-)\braid(?:s|ed|ing)?\b")
# "hit by Russian missiles": the passive reports the strike as surely as the active.
PASSIVE_HIT: Final = re.compile(
    r"\b(?:hit|struck|pounded|targeted|destroyed|damaged) by (?:\w+ ){0,3}(?:missiles?"
    r"|rockets?|drones?|air ?strikes?|shells|shelling|artillery|warplanes|jets|bombs)\b"
)
