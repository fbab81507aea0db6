"""The classifier's handler on FastStream's in-memory broker: an article in, an event out."""

from faststream.redis import RedisBroker

from services.classifier.app import register
from shared import streams
from shared.broker import make_app, make_broker
from shared.config import AppConfig
from shared.schemas import Article, Event
from tests.support import in_memory

# Never connected to: the in-memory broker replaces the connection, and with clustering off
# the handler keeps no state in Redis.
UNUSED = "redis://127.0.0.1:9/0"
STRIKE = Article(id="s1", feed="wire",
                 title="Air strike destroys weapons depot near Kharkiv, killing 3")
NEUTRAL = Article(id="n1", feed="wire", title="Bakery wins prize for sourdough")


def classifier(config: AppConfig) -> tuple[RedisBroker, list[Event]]:
    """The classifier registered on a broker, and the events it publishes."""
    broker = make_broker(UNUSED)
    register(broker, make_app(broker), config, UNUSED)
    published: list[Event] = []

    @broker.subscriber(stream=streams.EVENTS)
    async def record(event: Event) -> None:
        published.append(event)

    return broker, published


async def test_strike_article_publishes_one_event_and_neutral_none() -> None:
    """A strike report yields one military_strike event on the events stream; a neutral
    article yields nothing."""
    broker, published = classifier(AppConfig.model_validate({"classifier": {
        "cluster": {"enabled": False}}}))
    async with in_memory(broker) as fake:
        await fake.publish(STRIKE, stream=streams.ARTICLES)
        await fake.publish(NEUTRAL, stream=streams.ARTICLES)
    assert [(e.id, [t.name for t in e.tags]) for e in published] == [("s1", ["military_strike"])]
    assert published[0].article == STRIKE


async def test_watch_topic_reaches_the_handler() -> None:
    """The configured watch list is the one the handler applies: a topic-only article alerts."""
    broker, published = classifier(AppConfig.model_validate({
        "classifier": {"cluster": {"enabled": False}},
        "watch": [{"name": "sourdough", "any": ["sourdough"]}]}))
    async with in_memory(broker) as fake:
        await fake.publish(NEUTRAL, stream=streams.ARTICLES)
    assert [(e.id, [t.name for t in e.tags]) for e in published] == [("n1", ["sourdough"])]
