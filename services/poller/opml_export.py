"""OPML export of the configured feeds (``newsalert feeds export`` and ``/feeds.opml``)."""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from email.utils import format_datetime

from shared.config import AppConfig
from shared.secrets import redact
from shared.xmltext import xml_text


def export_opml(config: AppConfig, now: datetime | None = None) -> bytes:
    """An OPML 2.0 document listing every feed (name and URL), as feed readers import it.

    URLs are written as configured except for masked ``${VAR}`` secrets and URL passwords:
    an export is meant to be shared.
    """
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = "newsalert feeds"
    ET.SubElement(head, "dateCreated").text = format_datetime(now or datetime.now(UTC))
    body = ET.SubElement(root, "body")
    for feed in config.feeds:
        name = xml_text(feed.label())
        ET.SubElement(body, "outline", type="rss", text=name, title=name,
                      xmlUrl=xml_text(redact(feed.url)))
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))
