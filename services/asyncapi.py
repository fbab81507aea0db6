"""AsyncAPI 3.0 documents of the three services: ``python -m services.asyncapi docs/``.

It lives beside the services, not in ``shared/``: it builds each service's broker, and
``shared/`` never depends on the services.

Each service's broker is built by its own ``create_app`` on an empty config and a
password-less URL, so the documents never carry a secret. Three gaps of the generated
document are filled here: the subscribers take the raw stream message (for the reclaimer
and dead-lettering), so their payload is set to the model they validate (Article, Event);
the poller publishes through a Lua script, so its two publishers are declared for the docs
only; and per-process consumer names are replaced by their pattern so the output is stable.
"""

import json
import sys
from pathlib import Path
from typing import Any

import yaml
from faststream.redis import RedisBroker, StreamSub
from faststream.specification import AsyncAPI
from pydantic import BaseModel

from shared import streams
from shared.config import AppConfig
from shared.schemas import Article, Event

DOC_URL = "redis://redis:6379/0"
VERSION = "0.1.0"
PAYLOADS: dict[str, type[BaseModel]] = {streams.ARTICLES: Article, streams.EVENTS: Event}
DESCRIPTIONS = {
    "poller": "Polls RSS/Atom feeds and publishes new items to newsalert:articles (and "
              "feed_health events to newsalert:events).",
    "classifier": "Tags articles (military_strike, sanction, watch topics) and publishes the "
                  "tagged ones to newsalert:events.",
    "notifier": "Routes events to subscriptions and delivers them through apprise.",
}


def _broker(service: str) -> RedisBroker:
    from importlib import import_module

    app = import_module(f"services.{service}.app").create_app(AppConfig(), DOC_URL)
    broker: RedisBroker = app.broker
    if service == "poller":
        broker.publisher(stream=StreamSub(streams.ARTICLES), title=streams.ARTICLES,
                         schema=Article)
        broker.publisher(stream=StreamSub(streams.EVENTS), title="newsalert:events:feed_health",
                         schema=Event)
    return broker


def _model_schemas(doc: dict[str, Any]) -> None:
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    for model in PAYLOADS.values():
        found = model.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(found.pop("$defs", {}))
        schemas[model.__name__] = found


def _fill_payloads(doc: dict[str, Any]) -> None:
    messages = doc.get("components", {}).get("messages", {})
    for channel in doc.get("channels", {}).values():
        model = PAYLOADS.get(channel.get("address", ""))
        binding = channel.get("bindings", {}).get("redis", {})
        if "consumerName" in binding:
            suffix = "-reclaim" if binding["consumerName"].endswith("-reclaim") else ""
            binding["consumerName"] = f"{binding['groupName']}-<host>-<pid>-<random>{suffix}"
        if model is None:
            continue
        for ref in channel.get("messages", {}).values():
            message = messages.get(ref["$ref"].rsplit("/", 1)[-1], {})
            message["payload"] = {"$ref": f"#/components/schemas/{model.__name__}"}
    schemas = doc.get("components", {}).get("schemas", {})
    used = json.dumps(doc)
    for name in [n for n in schemas if f"#/components/schemas/{n}\"" not in used]:
        del schemas[name]  # e.g. EmptyPayload, now unreferenced


def document(service: str) -> dict[str, Any]:
    """The AsyncAPI document of one service, as plain JSON-ready data."""
    spec = AsyncAPI(_broker(service), title=f"newsalert {service}", version=VERSION,
                    description=DESCRIPTIONS[service])
    doc: dict[str, Any] = json.loads(spec.to_specification().to_json())
    _model_schemas(doc)
    _fill_payloads(doc)
    # FastStream keeps subscribers in a WeakSet: sort so `make docs` output is reproducible.
    for section in (doc, doc.get("components", {})):
        for name in ("channels", "operations", "messages", "schemas"):
            if name in section:
                section[name] = dict(sorted(section[name].items()))
    return doc


def write_all(out: Path) -> list[Path]:
    """Write ``asyncapi/<service>.yaml`` and ``.json`` under ``out``; return the paths."""
    target = out / "asyncapi"
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for service in ("poller", "classifier", "notifier"):
        doc = document(service)
        yaml_path, json_path = target / f"{service}.yaml", target / f"{service}.json"
        yaml_path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
        json_path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        written += [yaml_path, json_path]
    return written


def main(argv: list[str]) -> int:
    """Entry point of ``python -m services.asyncapi [OUT_DIR]`` (default ``docs/``)."""
    for path in write_all(Path(argv[0] if argv else "docs")):
        sys.stdout.write(f"wrote {path}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
