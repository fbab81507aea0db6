"""Subscriber-shaped alerts: per-format Jinja2 templates, and the structured JSON payload.

Template variables hold feed text already cleaned and escaped for the channel's format (the
same escaping as the built-in alerts), so a template can add markup of its own but a
headline cannot. A template that fails at send time falls back to the built-in rendering:
the alert goes out either way.
"""

import json
import logging
from typing import Any, Literal

from jinja2 import TemplateError
from pydantic import BaseModel, Field

from services.notifier.escaping import MARKDOWN, clean, escape, link, safe_link
from services.notifier.render import (
    _PLAIN_TITLE,
    BODY_LIMITS,
    FORMATS,
    TITLE_LIMIT,
    Rendered,
    render_event,
    tag_label,
)
from shared import templating
from shared.config import AlertTemplates, Subscription
from shared.schemas import Event
from shared.secrets import redact

log = logging.getLogger("newsalert.notifier")


class AlertPayload(BaseModel):
    """The document ``payload: json`` subscriptions get (docs/alert-payload.schema.json)."""

    version: Literal[1] = Field(1, description="Payload format version")
    type: Literal["newsalert.alert"] = "newsalert.alert"
    event: Event


def template_format(kind: str) -> str:
    """Which of a subscription's templates a channel kind uses: text, markdown or html."""
    dialect = FORMATS.get(kind, "text")
    return "markdown" if dialect in MARKDOWN else dialect


def context(event: Event, dialect: str) -> dict[str, Any]:
    """The variables of :data:`shared.templating.SAMPLE`, escaped for ``dialect``."""
    def safe(text: str, limit: int = 300) -> str:
        return escape(clean(text, limit), dialect)

    tags: list[dict[str, Any]] = []
    merged: dict[str, list[str]] = {}
    for tag in event.tags:
        fields = {safe(k, 30): [safe(v, 80) for v in vs[:5]] for k, vs in tag.fields.items()}
        for name, values in fields.items():
            merged.setdefault(name, [])
            merged[name] += [v for v in values if v not in merged[name]]
        tags.append({"name": safe(tag.name, 60), "label": safe(tag_label(tag), 60),
                     "kind": tag.kind, "modality": tag.modality.value,
                     "confidence": round(tag.confidence, 2),
                     "fields": templating.facts(fields),
                     "evidence": [{"sentence": safe(ev.sentence),
                                   "cues": [safe(c, 40) for c in ev.cues[:8]]}
                                  for ev in tag.evidence[:2]]})
    art = event.article
    return {"title": safe(art.title, 200), "feed": safe(art.feed, 100),
            "url": safe_link(art.url) or "", "link": link(art.url, dialect) or "",
            "summary": safe(art.summary, 500), "event_id": event.id, "kind": event.kind,
            "is_update": event.is_update, "update_reason": safe(event.update_reason or "", 200),
            "sources": event.sources, "cluster_id": event.cluster_id or "",
            "published": art.published.isoformat() if art.published else "",
            "labels": [t["label"] for t in tags], "tags": tags,
            "fields": templating.facts(merged)}


def render_custom(event: Event, kind: str, templates: AlertTemplates) -> Rendered | None:
    """The alert from the subscription's template for this channel's format, if it has one."""
    fmt = template_format(kind)
    pair = getattr(templates, fmt)
    if pair is None or event.kind != "article":
        return None
    default = render_event(event, kind)
    dialect = FORMATS.get(kind, "text")
    try:
        title = default.title
        if pair.title is not None:
            title_dialect = "text" if kind in _PLAIN_TITLE else dialect
            title = _render(pair.title, context(event, title_dialect))[:TITLE_LIMIT]
        body = default.body
        if pair.body is not None:
            body = _render(pair.body, context(event, dialect))[:BODY_LIMITS.get(kind, 4000)]
    except TemplateError as exc:
        log.warning("template of format %s failed, built-in alert sent: %s", fmt, exc)
        return None
    return Rendered(title, body, default.body_format, default.headers)


def _render(source: str, variables: dict[str, Any]) -> str:
    return templating.compile_template(source).render(variables).strip()


def render_payload(event: Event) -> Rendered:
    """The structured JSON document as the message (title: the built-in plain title)."""
    # A feed URL may carry a token: the payload leaves the machine, so it is masked.
    article = event.article.model_copy(update={"feed_url": redact(event.article.feed_url)})
    shown = event.model_copy(update={"article": article})
    document = AlertPayload(event=shown).model_dump(mode="json")
    title = render_event(event, "json").title
    return Rendered(title, json.dumps(document, ensure_ascii=False, sort_keys=True), "text")


def render_for(event: Event, kind: str, sub: Subscription | None) -> Rendered:
    """The alert one subscription's channel gets: JSON payload, its template, or built-in."""
    if sub is not None and sub.payload == "json" and kind == "json":
        return render_payload(event)
    if sub is not None and sub.template is not None:
        custom = render_custom(event, kind, sub.template)
        if custom is not None:
            return custom
    return render_event(event, kind)
