"""One country table: extraction and the clustering gazetteer call every country alike."""

from services.classifier import countries
from services.classifier.clustering.anchors import place_facts, sponsors
from services.classifier.clustering.gazetteer import COUNTRY, fold, places
from services.classifier.rules.extract import countries_in


def test_every_country_name_is_one_gazetteer_country() -> None:
    """Each spelling of a country's name is found by the gazetteer under its display name."""
    wrong = {name: places(name) for name, display in countries.names().items()
             if (fold(display), COUNTRY) not in {(p.id, p.level) for p in places(name)}}
    assert wrong == {}


def test_extraction_reads_each_spelling_as_one_country() -> None:
    """Turkey, Türkiye, Turkiye and the demonym all extract as the same country."""
    text = "Turkey, Türkiye and Turkiye; Turkish jets"
    assert countries_in(text) == ["Turkey"]


def test_a_state_guessed_from_the_subject_matches_the_place_it_names() -> None:
    """A state guessed from the subject (Turkey) is dropped when the report is filed from it."""
    where = place_facts("Explosion in Türkiye", "")
    assert "tco:turkey" in where
    assert sponsors(["Turkey"], where) == set()
