"""Pattern tables for the event rules; every pattern runs on folded (lower-case, ASCII) text."""

import re
from typing import Final

from shared.schemas import Modality


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _rx(*parts: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in parts))


# Cheap gates: a sentence without one of these stems cannot carry the cue family.
STRIKE_GATE: Final = re.compile(
    r"\b(?:strik|airstrik|airraid|struck|bomb|shell|missile|rocket|drone|raid|artiller"
    r"|mortar|air support"
    r"|precision|warplane|jets?\b|helicopter|gunship|aircraft|forces?\b|troops|army|armies"
    r"|militar|navy|naval|soldier|commando|coalition|idf\b|marines|militant|militia|hamas"
    r"|hezbollah|houthi|isis\b|islamic state|al-shabaa?b|taliban|insurgent|paratroop|rebel"
    r"|junta|pentagon|centcom|central command)"
)
SANCTION_GATE: Final = re.compile(
    r"\b(?:sanction|counter-?sanction|embargo|entity list|sdn\b|specially designated"
    r"|foreign terrorist organi|blacklist|freez|froze|exports?\b|imports?\b|price cap"
    r"|(?:restrictive|punitive|nonproliferation|retaliatory) measures|countermeasures"
    r"|travel bans?|visa (?:bans?|restrictions)|(?:trade|economic) blacklist)"
)


# --- military strikes ---------------------------------------------------------------------

_N = r"(?:\w+[ -]){0,2}"
STRIKE_EVENT: Final = _rx(
    r"\bair[- ]?(?:strikes?|raids?)\b(?! (?:sirens?|alarms?|alerts?|warnings?|shelters?))",
    r"\b(?:air|aerial) (?:attacks?|assaults?|bombardments?|campaign|aggression)\b",
    r"\bdrone (?:strikes?|attacks?|raids?|assaults?|barrages?)\b",
    r"\b(?:missile|rocket|artillery|mortar) (?:strikes?|attacks?|fire|barrages?|salvos?)\b",
    r"\bbarrages? of (?:\w+ )?(?:missiles|rockets|drones|shells)\b",
    r"\b(?:shelling|bombardments?|bombarded|shelled)\b",
    r"\bbombing (?:raids?|campaign|runs?)\b|\bcarpet[- ]bomb",
    r"\bprecision[- ](?:guided )?(?:air ?strikes?|strikes?|weapons|munitions)\b",
    r"\bclose air support\b|\bkamikaze drones?\b",
    r"\b(?:helicopter|commando|special[- ]forces|military|army|naval) raids?\b",
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
NOUN_LEAD: Final = _words(
    "the a an of and military civilian key legitimate energy its their his her our new "
    "possible potential future more further such these those other "
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
CASUALTY: Final = re.compile(
    r"\b(?:kill(?:s|ed|ing)?|dead|deadly|death toll|wound(?:s|ed|ing)?|injur(?:e|es|ed|ing)"
    r"|casualt(?:y|ies)|fatal|destroy(?:s|ed)?|damag(?:e|es|ed)|rubble)\b"
)
DEMONYM_STRIKE: Final = re.compile(
    r"\b(?:israeli?|russian?|u\.?s\.?|american|ukrain(?:e|ian)|syrian?|saudi|turkish|turkey"
    r"|iranian?|iraqi?|pakistani?|indian?|chinese|british|french|nigerian?|sudanese"
    r"|yemeni|egyptian|jordanian|azerbaijani|armenian|ethiopian|somali|afghan|coalition"
    r"|nato|western|allied) (?:\w+ )?strikes?\b"
)
FORCE_KILL: Final = re.compile(
    r"\b(?:forces?|troops|soldiers|military|army)\b[^.;]{0,80}\bkill(?:ed|s|ing)?\b[^.;]{0,60}"
    r"\b(?:insurgents?|militants?|fighters|terrorists?|gunmen|jihadists?|(?:taliban|haqqani"
    r"|al-qaida|al-qaeda|isis|islamic state|hamas|hezbollah|al-shabaab?|houthi)(?: \w+)?"
    r" (?:leaders?|commanders?|facilitators?|operatives?|members?))\b"
    r"|\b(?:insurgents?|militants?|fighters|terrorists?) were killed by\b[^.;]{0,40}\bforces?\b"
)
# Senses of strike/raid/bomb words that are not an armed attack at all.
NOT_ATTACK: Final = _rx(
    r"\bdrills?\b|\bexercises?\b|\bsimulat\w*|\brehears\w*|\bwar ?games?\b|\bmock\b",
    r"\bopfor\b|\blive[- ]fire\b|\bfield training\b|\btraining (?:event|rotation|cent(?:er|re))"
    r"|\bcertification\b|\bceremony\b|\bflyovers?\b|\bchange of command\b",
    r"\btest[- ]?(?:fir\w*|launch\w*|flights?)\b|\bmissile tests?\b|\bdemonstration\b",
    r"\blightning\b|\bearthquakes?\b|\bquakes?\b|\bstorms?\b|\bhurricanes?\b|\btornado\w*"
    r"|\btyphoons?\b|\bcyclones?\b|\bmeteor\w*|\basteroids?\b|\bpandemic\b|\bcovid\b",
    r"\bbombarded with\b|\b(?:smoke|bath|stink|photo|f-) ?bombs?\b|\bbomb (?:threat|scare)s?\b",
)
# Only the generic strike/raid words suffer from these senses; named weapons do not.
NOT_MIL_STRIKE: Final = _rx(
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

# --- sanctions ----------------------------------------------------------------------------

SANCTION_MENTION: Final = _rx(
    r"\b(?:counter-?)?sanction(?:s|ed|ing)?\b|\bembargo(?:es|ed)?\b",
    r"\basset[- ]freez(?:e|es)\b|\bfr(?:eez(?:e|es|ing)|oze|ozen) " + _N + r"assets\b",
    r"\bentity list\b|\bsdn list\b|\bspecially designated\b|\bforeign terrorist organi[sz]",
    r"\b(?:trade|export|economic|sanctions?|entity|terror(?:ist)?|financial|treasury|commerce)"
    r" (?:\w+ ){0,2}blacklist\w*|\bblacklist(?:s|ed|ing)? " + _N + r"(?:companies|firms"
    r"|entities|banks|vessels|individuals|officials|people|persons|tankers|shipping)\b",
    r"\bexport (?:bans?|controls?|restrictions?|curbs)\b|\bbans? " + _N + r"(?:exports?"
    r"|imports?)\b|\b(?:exports?|imports?) of " + _N + r"(?:\w+ )?(?:banned|barred)\b",
    r"\b(?:oil )?price cap\b|\btravel bans?\b|\bvisa (?:bans?|restrictions)\b",
    r"\b(?:restrictive|punitive|nonproliferation|retaliatory) measures\b|\bcountermeasures\b",
)
ACTION: Final = re.compile(
    r"\b(?:impos(?:e|es|ed|ing|ition)|slap(?:s|ped)?|levie[sd]|levy|announc(?:e|es|ed|ing)"
    r"|unveil(?:s|ed)?|adopt(?:s|ed)?|approv(?:e|es|ed)|introduc(?:e|es|ed)|extend(?:s|ed)?"
    r"|renew(?:s|ed)?|prolong(?:s|ed)?|tighten(?:s|ed)?|expand(?:s|ed)?|broaden(?:s|ed)?"
    r"|widen(?:s|ed)?|add(?:s|ed|ing)?|additions?|plac(?:e|es|ed|ing)|puts?|hit(?:s)? with"
    r"|target(?:s|ed|ing)?|freez(?:e|es|ing)|froze|designat(?:e|es|ed|ing|ion)|blacklist"
    r"(?:s|ed)|bann?(?:s|ed)|bar(?:s|red)|kept|keeps?|maintain(?:s|ed)?|new|fresh|latest"
    r"|further|additional|another|round of|package|implementation|took action|takes action"
    r"|hundreds of|dozens of|agree(?:s|d)?|deal|published?|publishing|identified"
    r"|determined|blocked|sanctioned|sanctioning|retaliat\w*|restricts?|restricted)\b"
)
# "X sanctions Y" is a verb; the noun is followed by one of these instead of an object.
NOUN_FOLLOWER: Final = _words(
    "on against over for to in relief regime regimes list lists violation violations "
    "violating evasion evaders busting breach breaches bill law laws policy policies "
    "program programs programme programmes package packages threat threats pressure would "
    "could will may might can should must are is were was have has had be been bite bites "
    "hurt hurting take took remain remained stay stayed continue continued expert experts "
    "lawyer lawyers authority authorities risk risks compliance exemption exemptions "
    "waiver waivers and or as at if that which since after before because while amid "
    "despite designation designations regulations from by imposed announced against, "
    "target targets targeting hit hits loom looms working work worked failed fail weigh "
    "weighing "
)
ADJ_BEFORE_SANCTIONED: Final = _words(
    "the a an of on to tax from with for against already previously non un and other "
    "their its his her our some any all many those these heavily "
)
# "sanctioned" is a verb when an object follows, an adjective before a bare noun.
VERB_OBJECT: Final = re.compile(
    r"(?:the|a|an|\d[\d,]*|one|two|three|four|five|six|seven|eight|nine|ten|dozens|hundreds"
    r"|several|more|additional|some|by|over|for|in|on|him|her|them|it|its|their|his|senior"
    r"|top|former|russian|chinese|iranian|north|syrian|belarusian|venezuelan|myanmar|us|u\.s\."
    r"|entities|individuals|people|persons|officials|companies|firms)\b"
)
# Actions reported after the noun: "sanctions imposed on", "new sanctions target".
ACTION_AFTER: Final = re.compile(
    r"^\W{0,3}(?:\w+ ){0,3}?(?:imposed|announced|levied|extended|adopted|approved|unveiled"
    r"|introduced|renewed|targets?|targeting|took effect|take effect|came into force)\b"
)
# Court, regulatory, sporting senses and "sanctioned" meaning approved.
NOT_GOV_SANCTION: Final = _rx(
    r"\b(?:judges?|court|courts|tribunal|lawsuits?|attorneys?|disciplin\w*|league|liga|fifa"
    r"|uefa|ioc|olympic\w*|tour|golf\w*|athlet\w*|players?|clubs?|referees?|doping|wada"
    r"|regulators?|watchdog|antitrust|misconduct|triathlon|race|marathon|ethics|bar"
    r" association|ncaa|nfl|nba|fa)\b",
)
APPROVAL_SENSE: Final = _rx(
    r"\b(?:state|government|officially|church|god|self|un)[- ]sanctioned\b"
    r"|\bsanctioned by (?:the )?(?:law|church|state|league|federation|court)\b",
    r"\bsanctioning (?:such|same|the use|powers|body|bodies)\b",
    r"\bsanction(?:s|ed|ing)? (?:the |a |an |its |their )?(?:plan|project|use|event|race|match"
    r"|deal|proposal|merger|construction|budget|change|sale|marriage|unions?|logging|fight"
    r"|bout|tournament|rally|march|protest)s?\b",
)
# Mentions of sanctions that report enforcement or effects, not a sanctions action.
SANCTION_BACKGROUND: Final = re.compile(
    r"\b(?:violat\w*|evad\w*|evasion|breach\w*|circumvent\w*|skirt\w*|bust\w*|despite"
    r"|under|against western|impact of|effect of|because of|due to|get around|around|bypass\w*"
    r"|dodg\w*|(?:targeted|hit|affected|rocked|crippled|battered|hurt|squeezed) by"
    r")\b (?:\w+ ){0,2}$|\b(?:resulting|existing|western|international|us-led|u\.s\.-led) $"
    r"|^ ?(?:violations?|evasion|evaders|busting|breach\w*|-?hit|-?battered)\b"
)
LIFT: Final = re.compile(
    r"\b(?:lift(?:s|ed|ing)?|remov(?:e|es|ed|ing|al)|unblock\w*|delist\w*|revok\w*"
    r"|rescind\w*|scrap(?:s|ped)?|terminat\w*|unfreez\w*|end(?:s|ed)? (?:the )?sanctions)\b"
)
EASE: Final = re.compile(
    r"\b(?:eas(?:e|es|ed|ing)|relax\w*|relief|loosen\w*|waiv\w*|general licen[cs]es?"
    r"|exempt\w*|carve-?outs?)\b"
)

# --- modality, checked in a window around the cue ---------------------------------------

MODAL_BEFORE: Final[tuple[tuple[Modality, re.Pattern[str]], ...]] = (
    (Modality.DENIED, re.compile(
        r"\b(?:den(?:y|ies|ied|ying)|dismiss(?:ed|es)?|refut\w*|reject\w* (?:\w+ )?claims?"
        r"|false(?:ly)?|fake|hoax|not|no|never|won't|didn't|hold(?:s|ing)? off|refus\w*"
        r"|declin\w* to|rule[sd]? out|without)\b")),
    (Modality.URGED, re.compile(
        r"\b(?:urg\w*|call(?:s|ed|ing)? (?:on|for)|ask(?:s|ed|ing)?|demand\w*|press\w* for"
        r"|push\w* for|appeal\w*|lobb\w*|request\w*|need for|should|must|wants?|seek\w*"
        r"|step(?:s|ped)? up|pressur\w* (?:\w+ ){0,3}for)\b|: sanction\b")),
    (Modality.THREATENED, re.compile(
        r"\b(?:threat\w*|warn\w*|ultimatum|vow\w*|fac(?:e|es|ing)|risk\w*|fears?|if|unless"
        r"|looms?|brac\w*)\b")),
    (Modality.CONSIDERED, re.compile(
        r"\b(?:consider\w*|weigh\w*|mull\w*|plan\w*|propos\w*|draft\w*|bill|could|would"
        r"|might|may|possible|potential|options?|prepar\w*|ready|set to|poised|expected"
        r"|likely|explor\w*|discuss\w*|contemplat\w*|promis\w*|pledg\w*|will|to be)\b")),
    (Modality.HISTORICAL, re.compile(
        r"\b(?:anniversary|years ago|decades ago|commemorat\w*|memorial|remember\w*"
        r"|recall\w*|history of|retrospective)\b")),
)
# "UK to sanction", "EU to impose sanctions": announced intentions, not actions yet.
TO_VERB: Final = re.compile(
    r"\bto (?:impose|slap|levy|introduce|adopt|ban|freeze|sanction|extend"
    r"|tighten|expand|target|lift|ease|launch|strike|attack|bomb|carry out) (?:\w+ ){0,3}$"
)
BARE_VERB_CUE: Final = re.compile(
    r"(?:sanction|strike|attack|bomb|raid|hit|shell|target|pound|launch|fire|impose|ban"
    r"|freeze|embargo)\b"
)
# Mentions that are themselves the action verb.
SELF_ACTION: Final = re.compile(r"(?:freez|froze|bans?\b|banned|blacklist(?:s|ed)\b)")
# Modals that follow the cue ("sanctions would cost", "sanctions if it does not").
MODAL_AFTER: Final = re.compile(
    r"^[^,.;]{0,25}?\b(?:would|could|might|may|will|if|unless|to be (?:imposed|announced))\b"
)
# Status-quo decisions ("will keep sanctions in place") are extensions, not plans.
KEEP: Final = re.compile(r"\b(?:keep|kept|maintain\w*|retain\w*|extend\w*|renew\w*)\b")
INFINITIVE_OK: Final = re.compile(
    r"\b(?:spur\w*|prompt\w*|mov(?:e|es|ed)|vot(?:e|es|ed)|agree[sd]?|decid(?:e|es|ed)"
    r"|began|begins|start\w*|forc\w*|led|leads)\b (?:\w+ ){0,3}to (?:\w+ ){0,4}$"
)
