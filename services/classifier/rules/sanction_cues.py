"""Sanction cue tables: what a sanctions mention looks like, what makes it an action, and
the senses (court, sport, platforms, background) that veto it.

Every pattern runs on folded text (lower-case, ASCII punctuation, see sentences.fold). The
rules that use them are in sanction.py; which table a new phrasing goes in is in __init__.py.
"""

import re
from typing import Final

from services.classifier.rules.patterns import any_of, words

# Cheap gate: a sentence without one of these stems cannot carry a sanction cue.
SANCTION_GATE: Final = re.compile(
    r"\b(?:sanction|counter-?sanction|embargo|entity list|sdn\b|specially designated"
    r"|foreign terrorist organi|blacklist|freez|froze|exports?\b|imports?\b|price cap"
    r"|(?:restrictive|punitive|nonproliferation|retaliatory) measures|countermeasures"
    r"|travel bans?|visa (?:bans?|restrictions)|(?:trade|economic) blacklist"
    r"|(?:bans?|curbs|restrictions) on|target(?:s|ed)? )"
)

_N = r"(?:\w+[ -]){0,2}"
_FOREIGN = (r"(?:chinese|russian|iranian|north korean|belarusian|venezuelan|syrian|cuban"
            r"|myanmar|burmese|nicaraguan|eritrean|afghan)")

# Mentions of a sanctions measure, one entry per instrument.
SANCTION_MENTION_PARTS: Final = (
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
    # "lift ban on Chinese smartphone maker", "curbs on Russian diamonds", "blacklisted lab"
    r"\b(?:bans?|curbs|restrictions) on (?:\w+ ){0,2}" + _FOREIGN + r"\b(?! (?:\w+ )?(?:athletes"
    r"|players|teams?|fans|tourists|students|migrants|asylum))",
    r"\b(?:bans?|curbs|restrictions) on (?:an? )?blacklisted\b",
    r"\bblacklist(?:s|ing)? (?=" + _FOREIGN + r")",
)
SANCTION_MENTION: Final = any_of(*SANCTION_MENTION_PARTS)
ACTION: Final = re.compile(
    r"\b(?:impos(?:e|es|ed|ing|ition)|slap(?:s|ped)?|levie[sd]|levy|announc(?:e|es|ed|ing)"
    r"|hit(?:s|ting)? (?:\S+ ){1,4}?with"
    r"|unveil(?:s|ed)?|adopt(?:s|ed)?|approv(?:e|es|ed)|introduc(?:e|es|ed)|extend(?:s|ed)?"
    r"|renew(?:s|ed)?|prolong(?:s|ed)?|tighten(?:s|ed)?|expand(?:s|ed)?|broaden(?:s|ed)?"
    r"|widen(?:s|ed)?|add(?:s|ed|ing)?|additions?|plac(?:e|es|ed|ing)|puts?|hit(?:s)? with"
    r"|target(?:s|ed|ing)?|freez(?:e|es|ing)|froze|designat(?:e|es|ed|ing|ion)|blacklist"
    r"(?:s|ed)|bann?(?:s|ed)|bar(?:s|red)|kept|keeps?|maintain(?:s|ed)?|new|fresh|latest"
    r"|further|additional|another|round of|package|implementation|took action|takes action"
    r"|increas(?:e|es|ed)|issu(?:e|es|ed)|ramp(?:s|ed)? up"
    r"|hundreds of|dozens of|agree(?:s|d)?|deal|published?|publishing|identified"
    r"|determined|blocked|sanctioned|sanctioning|retaliat\w*|restricts?|restricted)\b"
)
# "X sanctions Y" is a verb; the noun is followed by one of these instead of an object.
NOUN_FOLLOWER: Final = words(
    "on against over for to in relief regime regimes list lists violation violations "
    "violating evasion evaders busting breach breaches bill law laws policy policies "
    "program programs programme programmes package packages threat threats pressure would "
    "could will may might can should must are is were was have has had be been bite bites "
    "hurt hurting take took remain remained stay stayed continue continued expert experts "
    "lawyer lawyers authority authorities risk risks compliance exemption exemptions "
    "waiver waivers and or as at if that which since after before because while amid "
    "despite designation designations regulations from by imposed announced against, "
    "target targets targeting hit hits loom looms working work worked failed fail weigh "
    "weighing probe probes commissioner enforcer enforcers enforcement envoy coordinator czar "
    "tsar war wars dodging tracker campaign hawk hawks challenge challenges case cases due "
    "loophole loopholes exposure screening rules legislation measures move moves news plan "
    "plans proposal proposals talks debate row fight battle tool tools office team unit "
    "effect effects impact aren't isn't weren't wasn't haven't hasn't won't can't don't "
    "doesn't didn't "
)
# "new sanctions", "of sanctions": after these words "sanctions" is a noun, not a verb.
NOUN_LEAD_SANCTIONS: Final = words(
    "the a an of new fresh more further tough tougher harsh harsher western international "
    "economic financial targeted punitive secondary existing such these those its their his "
    "her our any no crippling sweeping oil energy trade and or with on against over for in "
    "from by under about of amid despite after before u.s.-led us-led eu-wide smart"
)
ADJ_BEFORE_SANCTIONED: Final = words(
    "the a an of on to tax from with for against already previously non un and other "
    "by in at among between including like as under "
    "their its his her our some any all many those these heavily which whom whose "
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
NOT_GOV_SANCTION: Final = any_of(
    r"\b(?:judges?|court|courts|tribunal|lawsuits?|attorneys?|disciplin\w*|league|liga|fifa"
    r"|uefa|ioc|olympic\w*|tour|golf\w*|athlet\w*|players?|clubs?|referees?|doping|wada"
    r"|regulators?|watchdog|antitrust|misconduct|triathlon|race|marathon|ethics|bar"
    r" association|ncaa|nfl|nba|fa)\b",
    # Professional and regulatory discipline: clinics, doctors, lawyers, pollution rules.
    r"\b(?:clinical|laborator(?:y|ies)|medicare|medicaid|nursing homes?|dr|doctors?|surgeons?"
    r"|physicians?|solicitors?|lawyers?|barristers?|air pollution|clean air|emissions"
    r"|implementation plan|licensees?|benefits?|welfare|universal credit|jobseekers?)\b",
)
# Words that make every "sanction" in an article non-governmental, wherever they appear.
NON_GOV_CONTEXT: Final = re.compile(
    r"\b(?:cricket|icc|over[- ]rate|red card|yellow card|doping|anti-doping|referees?"
    r"|air pollution|clean air act|epa|clinical laborator(?:y|ies)|medicare|medicaid)\b"
)
# "sanctioned by the House Ethics Committee": the agent is not a government or bloc.
NON_GOV_AGENT: Final = re.compile(
    r"\bsanction(?:s|ed)? by (?:the )?(?:[\w-]+ ){0,3}(?:committee|panel|board|academy|court"
    r"|judge|league|federation|association|regulator|watchdog|tribunal)\b"
)
# "sanctions imposed on Sunday": a fresh action even inside background framing ("due to").
FRESH_AFTER: Final = re.compile(
    r" (?:imposed|announced|levied|adopted|unveiled|slapped) (?:\w+ ){0,4}?(?:on )?"
    r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today|overnight"
    r"|this week|last week)\b"
)
APPROVAL_SENSE: Final = any_of(
    r"\b(?:state|government|officially|church|god|self|un)[- ]sanctioned\b"
    r"|\bsanctioned by (?:the )?(?:law|church|state|league|federation|court)\b",
    r"\bsanctioning (?:such|same|the use|powers|body|bodies)\b",
    # "sanctions against whoever committed the assaults": criminal penalties.
    r"\bsanctions? (?:against|for|on) (?:those|anyone|offenders|violators|perpetrators)\b",
    r"\bsanctioned (?:[\w-]+ ){0,3}(?:leagues?|events?|tournaments?|matches|fights?|bouts?"
    r"|races?|competitions?|games)\b",
    r"\bsanction(?:s|ed|ing)? (?:the |a |an |its |their )?(?:plan|project|use|event|race|match"
    r"|deal|proposal|merger|construction|budget|change|sale|marriage|unions?|logging|fight"
    r"|bout|tournament|rally|march|protest)s?\b",
)
# Mentions of sanctions that report enforcement or effects, not a sanctions action.
SANCTION_BACKGROUND: Final = re.compile(
    r"\b(?:violat\w*|evad\w*|evasion|breach\w*|circumvent\w*|skirt\w*|bust\w*|despite"
    r"|under|against western|impact of|effect of|because of|due to|get around|around|bypass\w*"
    r"|dodg\w*|(?:targeted|hit|affected|rocked|crippled|battered|hurt|squeezed|slammed) by"
    r")\b (?:\w+ ){0,2}$|\b(?:resulting|existing|western|international|us-led|u\.s\.-led) $"
    r"|\b(?:against|on|to|with) (?:whom|which) (?:[\w.'-]+ ){0,5}$"
    r"|^ ?(?:violations?|evasion|evaders|busting|breach\w*|-?hit|-?battered)\b"
)
LIFT: Final = re.compile(
    r"\b(?:lift(?:s|ed|ing)?|remov(?:e|es|ed|ing|al)|unblock\w*|delist\w*|revok\w*"
    r"|rescind\w*|scrap(?:s|ped)?|terminat\w*|unfreez\w*|end(?:s|ed)? (?:the )?sanctions"
    r"|no longer)\b"
)
EASE: Final = re.compile(
    r"\b(?:eas(?:e|es|ed|ing)|relax\w*|relief|loosen\w*|waiv\w*|general licen[cs]es?"
    r"|exempt\w*|carve-?outs?)\b"
)

# "sanctions police", "sanctions review": a compound noun about sanctions, not an action.
COMPOUND_NOUN: Final = words(
    "enforcement review reviews police evasion evaders violations violation compliance "
    "busting buster busters expert experts lawyer lawyers tracker hawk hawks loophole "
    "loopholes exposure screening debate office team unit czar tsar envoy coordinator "
    "commissioner enforcer enforcers probe regime regimes policy policies"
)
# A state (or bloc) targeting people "over"/"for" something sanctions them.
STATE_TARGETS: Final = re.compile(
    r"\b(?:us|u\.s\.|uk|britain|eu|european union|canada|australia|japan|new zealand|g7"
    r"|treasury|washington|london|brussels|ottawa|canberra|tokyo|switzerland|the west"
    r"|allies)(?: and (?:\w+ ){1,2})? target(?:s|ed)? (?:[\w'-]+ ){0,3}(?:officials|oligarchs"
    r"|individuals|entities|elites?|generals|commanders|leaders|networks?|firms|companies"
    r"|banks|financiers|judges|ministers) (?:over|for)\b"
)
# "Executive of a firm sanctioned over the war is found dead": the participle describes a
# subject that does something else; "a police chief the US once sanctioned" likewise.
RELATIVE_SANCTIONED: Final = re.compile(
    r"\b(?:an?|whose) (?:[\w-]+ ){1,3}$|\b(?:after|since|because|when|once|until|before)"
    r" (?:[\w-]+ ){1,3}(?:was|were|had been|has been|have been|being|got) $"
)
AGENTS: Final = words(
    "us u.s. uk u.k. britain eu un treasury department administration government washington "
    "london brussels canada australia japan china beijing russia moscow it they we he she "
    "ofac state commerce council bloc allies west nations countries kingdom union states"
)
MAIN_VERB_AFTER: Final = re.compile(
    r"^[^,;:]{0,60}?\b(?:is|are|was|were|has|have|dies|died|found|says|said|sues|sued"
    r"|seeks|wins|won|loses|lost|faces|joins|quits|resigns|buys|sells|returns|attends"
    r"|visits|arrives|denies|calls|moves|tries|plans|vows)\b"
)
# Judgements about sanctions already in force (opinion, analysis), not a new action.
EVALUATIVE_AFTER: Final = re.compile(
    r"^[^.;]{0,60}?\b(?:(?:has|have|had) (?:proven|proved|been (?:effective|ineffective"
    r"|successful|a failure)|failed|worked|backfired|had (?:little|no|some|an?) (?:\w+ )?"
    r"(?:effect|impact))|(?:aren't|are not|isn't|is not|were not|weren't) (?:enough|working"
    r"|effective))\b"
)
# "sanctions it imposed ... back in 2018": a recollection.
OLD_DATE_AFTER: Final = re.compile(
    r"^[^.;]{0,60}?\b(?:(?:back|as far back as|as early as) in (?:19|20)\d\d|years ago"
    r"|in (?:19\d\d|200\d|201\d))\b"
)
# Quantity adjectives are a weak signal: "talks on the war, further sanctions ..." plans.
WEAK_ACTION: Final = re.compile(r"^(?:new|fresh|latest|further|additional|another|more)$")
DISCUSSION: Final = re.compile(
    r"\b(?:talks?|discuss\w*|meet(?:s|ing)?|summit|agenda|debat\w*|negotiat\w*)\b"
)
# Reactions presuppose the sanctions exist: "Clapper reacts to Biden's sanctions".
REACTION: Final = re.compile(
    r"\b(?:react(?:s|ed|ing)?|respond(?:s|ed|ing)?|condemn\w*|slam(?:s|med)?|denounc\w*"
    r"|decr(?:y|ies|ied)|protest(?:s|ed)?|hits? back)\b (?:to |at |against |over )?"
    r"(?:[\w.'-]+ ){0,3}$"
)
# Platforms and sport bodies "sanction" users and athletes; not a government measure.
NON_GOV_SENTENCE: Final = re.compile(
    r"\b(?:facebook|youtube|twitter|instagram|tiktok|platforms?|sports? (?:bodies|body"
    r"|organi[sz]ations|federations)|athletes)\b"
)
# A finite verb after "sanctions imposed on X" makes the phrase a subject (background).
FINITE_AFTER: Final = re.compile(
    r"^[^.;]{0,80}?\b(?:is|are|was|were|has|have|had|do|does|did|don't|doesn't|didn't"
    r"|seem\w*|appear\w*|remain\w*|will|would|could|may|might|can|hurt\w*|fail\w*)\b"
)
# "US sanctions, indicts Chinese firms": a verb in a list of verbs.
VERB_LIST_AFTER: Final = re.compile(
    r", (?:indicts|charges|fines|bans|blacklists|targets|penali[sz]es|punishes|expels)\b"
)
# "... inside Russia after Western nations imposed sanctions" (running text): a cause.
AFTER_PAST: Final = re.compile(
    r"\bafter (?:[\w'-]+ ){1,3}(?:imposed|slapped|levied) (?:[\w'-]+ ){0,3}$"
)
# Mentions that are themselves the action verb.
SELF_ACTION: Final = re.compile(r"(?:freez|froze|bans?\b|banned|blacklist(?:s|ed)\b)")
# Opinion and analysis pieces recount sanctions; only their headline can report one.
OPINION_TITLE: Final = re.compile(
    r"^(?:opinion|analysis|comment|commentary|editorial|op-ed|letters?|view|perspective)\b"
)
