"""Templates and the JSON payload through the real dispatcher, apprise and a webhook sink."""

import json

import pytest

from services.notifier.delivery import DeliveryStore
from services.notifier.dispatch import Dispatcher
from services.notifier.templates import AlertPayload
from shared.broker import make_redis
from shared.config import AppConfig, Subscription
from tests.servers import HttpServer, json_bodies
from tests.web_support import make_event

pytestmark = pytest.mark.integration


async def test_webhook_gets_json_payload_and_templated_text(redis_url: str,
                                                           webhook_sink: HttpServer) -> None:
    """A payload:json subscription posts the event document; a templated one its own text."""
    hook = f"json://127.0.0.1:{webhook_sink.port}"
    config = AppConfig(subscriptions=[
        Subscription(name="machine", urls=[hook + "/machine"], payload="json"),
        Subscription.model_validate({"name": "people", "urls": [hook + "/people"],
                                     "template": {"text": {
                                         "title": "ALERT {{ title }}",
                                         "body": "{{ feed }}: {{ fields.country|join(', ') }}"}}}),
    ])
    redis = make_redis(redis_url)
    try:
        await Dispatcher(config, DeliveryStore(redis)).on_event(make_event(5))
    finally:
        await redis.aclose()
    posts = {r["path"]: body for r, body in zip(webhook_sink.requests,
                                                json_bodies(webhook_sink), strict=True)}
    document = json.loads(posts["/machine"]["message"])
    assert AlertPayload.model_validate(document).event.id == "art-000005"
    assert document["event"]["tags"][0]["name"] == "military_strike"
    assert posts["/people"]["title"] == "ALERT Test story number 5 about an air raid"
    assert posts["/people"]["message"] == "Wire One: Iraq"
