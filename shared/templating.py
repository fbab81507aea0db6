"""Per-subscription alert templates: sandboxed Jinja2, checked when the config is loaded.

A template sees only the variables of :data:`SAMPLE` (the notifier builds the same keys
from each event, every text value already cleaned and escaped for the channel's format),
runs in Jinja2's immutable sandbox (no attribute tricks, no mutation), and is rendered once
against the sample at load time with undefined names as errors, so a typo is a config error
naming the field, not a failed alert at 3 a.m.
"""

from typing import Any

from jinja2 import StrictUndefined, Template, TemplateError, TemplateSyntaxError
from jinja2.sandbox import ImmutableSandboxedEnvironment

FORMATS = ("text", "markdown", "html")
MAX_SOURCE = 10_000

ENV = ImmutableSandboxedEnvironment(undefined=StrictUndefined, autoescape=False,
                                    trim_blocks=True, lstrip_blocks=True)

# Extracted-fact names a template may always use (an empty list when an event has none).
FIELD_NAMES = ("actor", "target", "targets", "location", "country", "weapon", "authority",
               "casualties")


def facts(found: dict[str, list[str]]) -> dict[str, list[str]]:
    """Every known fact name (empty when absent) plus whatever else was extracted."""
    return {**{name: [] for name in FIELD_NAMES}, **found}


# What every template can use (made-up values; the real ones are escaped per format).
SAMPLE: dict[str, Any] = {
    "title": "US strikes militia sites in Iraq", "feed": "Example Wire",
    "url": "https://news.example/story", "link": "https://news.example/story",
    "summary": "Aircraft struck three sites.", "event_id": "sample-0001", "kind": "article",
    "is_update": False, "update_reason": "", "sources": 1, "cluster_id": "",
    "published": "2024-01-23T10:00:00+00:00",
    "labels": ["strike"],
    "tags": [{"name": "military_strike", "label": "strike", "kind": "event",
              "modality": "occurred", "confidence": 0.9,
              "evidence": [{"sentence": "Aircraft struck three sites.", "cues": ["struck"]}],
              "fields": facts({"actor": ["US"], "location": ["Iraq"]})}],
    "fields": facts({"actor": ["US"], "location": ["Iraq"]}),
}


def compile_template(source: str) -> Template:
    """The sandboxed template (call :func:`check` first for a readable error)."""
    return ENV.from_string(source)


def check(source: str) -> str:
    """``source`` if it compiles and renders against :data:`SAMPLE`; else ValueError."""
    if len(source) > MAX_SOURCE:
        raise ValueError(f"template longer than {MAX_SOURCE} characters")
    try:
        compile_template(source).render(SAMPLE)
    except TemplateSyntaxError as exc:
        raise ValueError(f"template syntax error on line {exc.lineno}: {exc.message}") from None
    except TemplateError as exc:
        known = ", ".join(sorted(SAMPLE))
        raise ValueError(f"template error: {exc} (variables: {known})") from None
    return source
