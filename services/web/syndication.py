"""Atom feed of one subscription's alerts, so any feed reader can follow them (RFC 4287)."""

import xml.etree.ElementTree as ET
from typing import Any

from services.notifier.escaping import safe_link
from services.notifier.render import TAG_LABELS
from services.web.views import when
from shared.schemas import Event
from shared.xmltext import xml_text

ATOM = "http://www.w3.org/2005/Atom"
ET.register_namespace("", ATOM)


def _el(parent: ET.Element, name: str, text: str | None = None, **attrs: str) -> ET.Element:
    node = ET.SubElement(parent, f"{{{ATOM}}}{name}", {k: xml_text(v) for k, v in attrs.items()})
    if text is not None:
        node.text = xml_text(text)
    return node


def _content(event: Event) -> str:
    """Plain text: why it was tagged, then what was found (the reader shows it as text)."""
    lines = []
    for tag in event.tags:
        label = TAG_LABELS.get(tag.name, tag.name)
        lines.append(f"{label} · {tag.modality.value} · confidence {tag.confidence:.2f}")
        lines += [f"Evidence: “{ev.sentence}”" for ev in tag.evidence[:2]]
        lines += [f"{name}: {', '.join(values)}" for name, values in sorted(tag.fields.items())]
    lines.append(f"Source: {event.article.feed}"
                 + (f" (+{event.sources - 1} more)" if event.sources > 1 else ""))
    return "\n".join(lines)


def atom(subscription: str, records: list[dict[str, Any]], base_url: str,
         self_url: str) -> bytes:
    """The feed document; ``records`` newest first, as the history returns them."""
    feed = ET.Element(f"{{{ATOM}}}feed")
    _el(feed, "id", f"urn:newsalert:subscription:{subscription}")
    _el(feed, "title", f"newsalert: {subscription}")
    _el(feed, "updated", when(records[0]["member"]) if records else when(""))
    _el(feed, "link", rel="self", href=self_url, type="application/atom+xml")
    _el(_el(feed, "author"), "name", "newsalert")
    _el(feed, "generator", "newsalert")
    for record in records:
        event: Event = record["event"]
        entry = _el(feed, "entry")
        _el(entry, "id", f"urn:newsalert:event:{event.id}")
        labels = ", ".join(dict.fromkeys(TAG_LABELS.get(t.name, t.name) for t in event.tags))
        _el(entry, "title", f"[{labels or 'alert'}] {event.article.title}", type="text")
        _el(entry, "updated", when(record["member"]))
        if event.article.published:
            _el(entry, "published", event.article.published.isoformat())
        if link := safe_link(event.article.url):
            _el(entry, "link", rel="alternate", href=link)
        if base_url:
            _el(entry, "link", rel="related", href=f"{base_url.rstrip('/')}/events/{event.id}")
        for tag in event.tags:
            _el(entry, "category", term=tag.name)
        _el(entry, "content", _content(event), type="text")
    return bytes(ET.tostring(feed, encoding="utf-8", xml_declaration=True))
