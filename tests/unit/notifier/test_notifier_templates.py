"""Per-subscription templates and the JSON payload: validation, escaping, fallbacks."""

import json
from pathlib import Path

import pytest

from services.cli import main
from services.notifier.payload_schema import FILE, schema
from services.notifier.templates import AlertPayload, context, render_for
from shared.config import Subscription
from shared.schemas import Event
from shared.templating import FIELD_NAMES, SAMPLE
from tests.web_support import make_event

DOCS = Path(__file__).resolve().parents[3] / "docs"


def _sub(**template: object) -> Subscription:
    return Subscription.model_validate({"name": "desk", "urls": ["json://127.0.0.1/x"],
                                        "template": template})


def _config_error(tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str) -> str:
    config = tmp_path / "config.yaml"
    config.write_text("subscriptions:\n  - name: desk\n    urls: ['json://127.0.0.1/x']\n"
                      f"    template:\n      markdown:\n        body: {json.dumps(body)}\n")
    assert main(["--config", str(config), "check-config"]) == 2
    return capsys.readouterr().err


def test_syntax_error_is_a_config_error_naming_the_field(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A template that does not compile: exit 2, the field path and the line in one message."""
    err = _config_error(tmp_path, capsys, "{{ title }\nmore")
    assert "subscriptions[0].template.markdown.body" in err
    assert "syntax error on line 1" in err
    assert "Traceback" not in err


def test_unknown_variable_is_a_config_error(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    """A misspelt variable fails at load time and the message lists the known ones."""
    err = _config_error(tmp_path, capsys, "{{ titel }}")
    assert "'titel' is undefined" in err and "title" in err


def test_sandbox_refuses_attribute_escapes(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """Reaching Python internals from a template is refused when the config loads."""
    err = _config_error(tmp_path, capsys, "{{ title.__class__.__mro__ }}")
    assert "subscriptions[0].template.markdown.body" in err
    assert "unsafe" in err or "not safely" in err or "template error" in err


def test_template_shapes_the_alert_and_escapes_feed_text() -> None:
    """A Markdown template's own markup stays; a hostile headline is escaped inside it."""
    sub = _sub(markdown={"title": "{{ labels|join('/') }}: {{ title }}",
                         "body": "**{{ feed }}** {{ title }}\n{% for t in tags %}"
                                 "{{ t.modality }} {{ t.confidence }}{% endfor %}\n{{ link }}"})
    event = make_event(1, title="Strike [click](https://evil.example) *now*")
    rendered = render_for(event, "discord", sub)
    assert rendered.body.startswith("**Wire One** Strike \\[click\\]")
    assert "[click](https" not in rendered.body and "\\*now\\*" in rendered.body
    assert "occurred 0.8" in rendered.body
    assert rendered.body.endswith("(https://news.example/1)")
    assert rendered.title.startswith("strike: Strike")


def test_html_template_escapes_and_other_formats_keep_the_default() -> None:
    """HTML values are entity-escaped; a channel whose format has no template is built-in."""
    sub = _sub(html={"body": "<p>{{ title }}</p>"})
    event = make_event(1, title="<script>alert(1)</script>")
    body = render_for(event, "email", sub).body.replace("\u200b", "")  # clean() breaks "<@!"
    assert body == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"
    assert render_for(event, "discord", sub) == render_for(event, "discord", None)


def test_json_payload_is_the_structured_event() -> None:
    """``payload: json`` sends the event, tags, evidence and fields as one JSON document."""
    sub = Subscription(name="hook", urls=["json://127.0.0.1/x"], payload="json")
    event = make_event(3, title="Depot <hit>")
    document = json.loads(render_for(event, "json", sub).body)
    payload = AlertPayload.model_validate(document)
    assert payload.version == 1 and document["type"] == "newsalert.alert"
    assert payload.event == Event.model_validate(event.model_dump())
    assert document["event"]["tags"][0]["evidence"][0]["cues"] == ["struck"]
    assert document["event"]["tags"][0]["fields"]["country"] == ["Iraq"]
    assert render_for(event, "discord", sub) == render_for(event, "discord", None)


def test_committed_json_schema_matches_the_model() -> None:
    """docs/alert-payload.schema.json is the schema of the payload model (make docs)."""
    assert json.loads((DOCS / FILE).read_text()) == schema()


def test_templates_see_the_variables_they_were_checked_against() -> None:
    """The notifier's variables are exactly those a template is validated with at load."""
    real = context(make_event(1), "markdown")
    assert set(real) == set(SAMPLE)
    assert set(real["tags"][0]) == set(SAMPLE["tags"][0])
    assert set(FIELD_NAMES) <= set(real["fields"])
