"""Event rules on hand-written sentences: positives, hard negatives, modality and fields."""


import pytest

from services.classifier.rules import sanction, strike
from services.classifier.rules.classify import classify_text
from shared.schemas import Modality, Tag

STRIKE = "military_strike"
SANCTION = "sanction"


def _tag(tags: list[Tag], name: str) -> Tag | None:
    return next((t for t in tags if t.name == name), None)


POSITIVES = [
    (STRIKE, "Coalition warplanes carried out airstrikes on a weapons depot near Raqqa", ""),
    (STRIKE, "Drone strike kills two commanders of an armed group in northern Mali", ""),
    (STRIKE, "Artillery shelling of the border town left four civilians dead", ""),
    (STRIKE, "Missile attack on a power plant knocks out electricity in Odesa", ""),
    (STRIKE, "Army commandos raid a militant hideout, killing six fighters", ""),
    (STRIKE, "Air defences intercept most of a barrage of rockets fired at Haifa",
     "Two rockets hit a warehouse, the army said."),
    (STRIKE, "Israeli jets strike targets in southern Lebanon overnight", ""),
    (STRIKE, "Residential block damaged after it was hit by Russian missiles", ""),
    (STRIKE, "Navy helicopters bombed a pirate camp on the coast on Friday", ""),
    (SANCTION, "US Treasury sanctions five shipping companies over oil smuggling",
     "OFAC designated the firms and blocked their property."),
    (SANCTION, "EU adopts 14th sanctions package against Russia", ""),
    (SANCTION, "Commerce Department adds 12 Chinese firms to Entity List", ""),
    (SANCTION, "Britain freezes the assets of three oligarchs", ""),
    (SANCTION, "Canada imposes an arms embargo on the junta", ""),
    (SANCTION, "Beijing announces counter-sanctions on two American defence contractors", ""),
]


@pytest.mark.parametrize(("name", "title", "summary"), POSITIVES)
def test_positive_sentences_alert(name: str, title: str, summary: str) -> None:
    """Each hand-written event sentence yields its tag with modality occurred and alert."""
    tag = _tag(classify_text(title, summary), name)
    assert tag is not None
    assert tag.modality is Modality.OCCURRED and tag.alert
    assert 0.0 <= tag.confidence <= 1.0
    assert tag.evidence and tag.evidence[0].cues


@pytest.mark.parametrize(("title", "modality"), [
    ("Washington lifts sanctions on the state airline after the elections", Modality.LIFTED),
    ("Treasury removes two tankers from the SDN list", Modality.LIFTED),
    ("US eases sanctions on the country's oil sector to allow aid", Modality.EASED),
])
def test_lifted_and_eased_sanctions_alert(title: str, modality: Modality) -> None:
    """Lifting or easing sanctions is a sanctions action that alerts by default."""
    tag = _tag(classify_text(title, ""), SANCTION)
    assert tag is not None and tag.modality is modality and tag.alert


HARD_NEGATIVES = [
    "Nurses vote to strike over pay and staffing",
    "Teachers begin a three-day strike in the capital",
    "Prisoner on hunger strike taken to hospital",
    "Ministers strike a deal on the new budget",
    "Lightning strikes a church spire during the storm",
    "Late strike from the midfielder seals the derby win",
    "Navy and air force hold drills simulating missile strikes on the island",
    "Country test-fires a new long-range missile into the sea",
    "Police raid a warehouse and seize counterfeit goods",
    "FBI agents raided the office of the former mayor",
    "Strong earthquake strikes the coast, no tsunami warning",
    "Judge sanctions lawyers for filing fake citations",
    "Football league sanctions the club over crowd trouble",
    "Festival is state-sanctioned, organisers say",
    "City council sanctioned the plan to build a new bridge last year",
    "Teenagers bombarded with adverts on social media",
]


@pytest.mark.parametrize("title", HARD_NEGATIVES)
def test_hard_negatives_do_not_alert(title: str) -> None:
    """Labour, sport, weather, drills, tests, police raids and non-state senses never alert."""
    assert [t for t in classify_text(title, "") if t.alert] == []


@pytest.mark.parametrize(("title", "name", "modality"), [
    ("EU weighs new sanctions on the regime", SANCTION, Modality.CONSIDERED),
    ("Lawmakers urge the White House to sanction the generals", SANCTION, Modality.URGED),
    ("Minister threatens sanctions if the talks fail", SANCTION, Modality.THREATENED),
    ("Activists call for sanctions on the mining company", SANCTION, Modality.URGED),
    ("Army denies carrying out the drone strike on the village", STRIKE, Modality.DENIED),
    ("Militia vows to launch rocket attacks on the base", STRIKE, Modality.THREATENED),
    ("UK could impose new sanctions next month", SANCTION, Modality.CONSIDERED),
])
def test_non_alerting_modalities(title: str, name: str, modality: Modality) -> None:
    """Threatened, weighed, urged and denied actions are returned with alert=False."""
    tag = _tag(classify_text(title, ""), name)
    assert tag is not None
    assert tag.modality is modality
    assert not tag.alert


SEED_TITLE = ("US strikes Kataib Hezbollah sites in Iraq after Treasury sanctions militia leaders "
              "and Fly Baghdad")
SEED_SUMMARY = ("US forces struck three facilities used by Kataib Hezbollah in Iraq on Tuesday, "
                "a day after the US Treasury imposed sanctions on three of the group's leaders "
                "and the airline Fly Baghdad.")


def test_seed_story_yields_both_tags_with_fields() -> None:
    """The seed story is a strike (US on Kataib Hezbollah in Iraq) and a Treasury sanction."""
    tags = classify_text(SEED_TITLE, SEED_SUMMARY)
    strike, sanction = _tag(tags, STRIKE), _tag(tags, SANCTION)
    assert strike is not None and sanction is not None
    assert strike.alert and sanction.alert
    assert any(a.startswith("US") for a in strike.fields["actor"])
    assert any("Kataib Hezbollah" in t for t in strike.fields["target"])
    assert "Iraq" in strike.fields["location"] and "Iraq" in strike.fields["country"]
    assert "US Treasury" in sanction.fields["authority"]
    assert any("Fly Baghdad" in t for t in sanction.fields["targets"])


def test_strike_weapon_and_sanction_count_are_extracted() -> None:
    """Weapon categories and designation counts come out of the evidence."""
    strike = _tag(classify_text("Russian drone attack hits Kharkiv", ""), STRIKE)
    assert strike is not None and "drone" in strike.fields["weapon"]
    sanction = _tag(classify_text("OFAC sanctions 14 individuals linked to the cartel", ""),
                    SANCTION)
    assert sanction is not None
    assert sanction.fields["count"] == ["14"]
    assert "US Treasury (OFAC)" in sanction.fields["authority"]


def test_diacritics_and_typographic_quotes_are_handled() -> None:
    """Accented letters and curly quotes do not hide cues."""
    tag = _tag(classify_text("Frappes aériennes: air strike on the town’s depot kills 3", ""),
                STRIKE)
    assert tag is not None and tag.alert


def test_unrelated_text_yields_nothing_at_the_gate() -> None:
    """Text without any cue returns no tags, and the cheap article gates already refuse it
    (so it never reaches sentence splitting; the speed itself is measured in bench/)."""
    title, summary = "Bakery wins prize for sourdough", "The judges loved the crust."
    whole = f"{title}\n{summary}".lower()
    assert not strike.may_report(whole) and not sanction.may_report(whole)
    assert classify_text(title, summary) == []
