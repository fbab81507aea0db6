"""The notifier's handler on FastStream's in-memory broker: an event reaches the dispatcher."""

from dataclasses import dataclass, field

from services.notifier.app import register
from services.notifier.delivery import DeliveryStore, Job
from services.notifier.dispatch import Dispatcher
from shared import streams
from shared.broker import make_app, make_broker
from shared.config import AppConfig
from shared.schemas import Article, Event, Tag
from tests.support import in_memory

UNUSED = "redis://127.0.0.1:9/0"  # never connected to: deliveries are recorded, not stored
STRIKE_DESK, SANCTIONS_DESK = "json://127.0.0.1:9/strikes", "json://127.0.0.1:9/sanctions"
CONFIG = AppConfig.model_validate({"subscriptions": [
    {"name": "strikes", "urls": [STRIKE_DESK], "tags": ["military_strike"]},
    {"name": "sanctions", "urls": [SANCTIONS_DESK], "tags": ["sanction"]},
]})


@dataclass
class RecordingDispatcher(Dispatcher):
    """The real routing; each delivery attempt is recorded instead of sent and stored."""

    attempts: list[tuple[str, str, str]] = field(default_factory=list)

    async def attempt(self, job: Job, url: str) -> str:
        self.attempts.append((job.subscription, job.event_id, url))
        return "sent"


async def test_event_is_routed_to_the_matching_subscription_only() -> None:
    """A strike event on the events stream becomes one delivery attempt, to the strike desk."""
    broker = make_broker(UNUSED)
    service = register(broker, make_app(broker), CONFIG, UNUSED)
    dispatcher = RecordingDispatcher(CONFIG, DeliveryStore(service.redis()))
    service.dispatcher = dispatcher
    event = Event(id="e1", article=Article(id="e1", feed="wire", title="Strike on depot"),
                  tags=[Tag(name="military_strike")])
    async with in_memory(broker) as fake:
        await fake.publish(event, stream=streams.EVENTS)
    assert dispatcher.attempts == [("strikes", "e1", STRIKE_DESK)]
