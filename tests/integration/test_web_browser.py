"""The dashboard in a real headless Chromium (Debian's package, driven by Playwright)."""

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import redis as redis_sync

from services.classifier.app import ClassifierService
from services.notifier.delivery import DeliveryStore
from services.notifier.dispatch import Dispatcher
from shared import streams
from shared.broker import make_redis
from shared.config import AppConfig
from shared.history import HistoryStore
from shared.schemas import Article, Event, Modality
from shared.streams import RETRY_KEY
from tests.servers import HttpServer
from tests.web_support import make_event, record, run_async, serve_web, web_config

pytestmark = [pytest.mark.integration, pytest.mark.slow]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
# `make screenshots` refreshes the README's pictures in docs/img; a plain test run writes them to
# a temporary folder, so running the suite leaves the checkout clean.
IMAGES = Path(os.environ.get("NEWSALERT_SCREENSHOTS") or tempfile.mkdtemp(prefix="na-shots-"))
# Five outlets reporting one made-up strike in their own words (written for this test).
OUTLETS = [
    ("Wire One", "US jets strike militia depots near Al-Qaim in western Iraq",
     "American warplanes struck two weapons depots used by a militia near Al-Qaim, Iraq, "
     "early on Tuesday, officials said."),
    ("Wire Two", "American warplanes hit militia weapons depots near Al-Qaim, Iraq",
     "US aircraft struck militia weapons depots near the Iraqi town of Al-Qaim on Tuesday."),
    ("Wire Three", "Militia depots near Al-Qaim struck by US aircraft",
     "Two militia depots near Al-Qaim in Iraq were struck by US aircraft, a defence official "
     "said."),
    ("Wire Four", "US air strikes target militia depots at Al-Qaim in Iraq",
     "US air strikes targeted militia weapons depots near Al-Qaim in western Iraq overnight."),
    ("Wire Five", "Iraq: US strikes hit militia depots near Al-Qaim",
     "Strikes by US jets hit militia depots near Al-Qaim, Iraq, the Pentagon said on Tuesday."),
]


@pytest.fixture(scope="module", name="browser")
def _browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        pytest.skip(f"{CHROMIUM} is not installed (CI installs Debian's chromium package)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(name="page")
def _page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1100, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def _deliver(redis_url: str, events: list[Event], sink: HttpServer) -> None:
    """Run the real notifier dispatch for ``events`` to a webhook sink."""
    config = web_config(redis_url).model_copy(update={"subscriptions": [
        web_config(redis_url).subscriptions[0].model_copy(
            update={"urls": [f"json://127.0.0.1:{sink.port}/hook"]})]})

    async def work() -> None:
        redis = make_redis(redis_url)
        dispatcher = Dispatcher(config, DeliveryStore(redis), history=HistoryStore(redis))
        try:
            for event in events:
                await dispatcher.on_event(event)
        finally:
            await redis.aclose()

    run_async(work)


def test_timeline_shows_a_delivered_alert_within_two_seconds(
        page: Any, redis_url: str, webhook_sink: HttpServer) -> None:
    """An alert appears on an open timeline at most 2 s after the notifier delivered it."""
    record(redis_url, [make_event(1)])
    with serve_web(web_config(redis_url), redis_url) as base:
        page.goto(base + "/")
        page.wait_for_selector("text=Test story number 1 about an air raid")
        _deliver(redis_url, [make_event(2, title="Fresh strike reported on the coast")],
                 webhook_sink)
        delivered = time.monotonic()
        assert len(webhook_sink.requests) == 1
        page.wait_for_selector("#events li:first-child >> text=Fresh strike reported",
                               timeout=2000)
        elapsed = time.monotonic() - delivered
        assert "desk → json (sent)" in page.inner_text("#events li:first-child")
    assert elapsed <= 2.0


def test_filters_and_search_narrow_the_timeline(page: Any, redis_url: str) -> None:
    """Choosing a tag, then typing a search, leaves only the matching alerts."""
    record(redis_url, [make_event(1, title="Jets hit a radar site"),
                       make_event(2, tag="sanction", title="Ministry freezes bank assets"),
                       make_event(3, tag="sanction", title="New export curbs on drones",
                                  modality=Modality.THREATENED)])
    with serve_web(web_config(redis_url), redis_url) as base:
        page.goto(base + "/")
        assert page.locator("#events li").count() == 3
        page.select_option("select[name=tag]", "sanction")
        page.click("button[type=submit]")
        page.wait_for_url("**tag=sanction**")
        titles = page.locator("#events .title").all_inner_texts()
        assert titles == ["New export curbs on drones", "Ministry freezes bank assets"]
        page.fill("input[name=q]", "bank")
        page.click("button[type=submit]")
        page.wait_for_url("**q=bank**")
        assert page.locator("#events .title").all_inner_texts() == ["Ministry freezes bank assets"]


def _cluster_of_five(redis_url: str) -> Event:
    """Classify and cluster the five reports (the real classifier); record the first event."""
    found: list[Event] = []

    async def work() -> None:
        service = ClassifierService(AppConfig(), redis_url)
        start = datetime.now(UTC) - timedelta(hours=1)
        for index, (feed, title, summary) in enumerate(OUTLETS):
            article = Article(id=f"outlet-{index}", feed=feed, title=title, summary=summary,
                              url=f"https://outlet{index}.example/story",
                              published=start + timedelta(minutes=index))
            event = service.classify(article)
            assert event is not None, title
            clustered = await service.cluster(event)
            if clustered is not None:
                found.append(clustered)
        await HistoryStore(service.redis()).record(found[0])
        await service.stop()

    run_async(work)
    assert len(found) == 1, "the four later reports fold into the first one's cluster"
    return found[0]


def test_event_page_lists_every_source_of_a_five_outlet_cluster(
        page: Any, redis_url: str) -> None:
    """The event page shows the first report and the four later sources, with evidence."""
    event = _cluster_of_five(redis_url)
    with serve_web(web_config(redis_url), redis_url) as base:
        page.goto(base + "/")
        page.click(f"text={OUTLETS[0][1]}")
        page.wait_for_selector("#sources")
        sources = page.locator("#sources li").all_inner_texts()
        assert len(sources) == 5
        for (feed, title, _), text in zip(OUTLETS, sources, strict=True):
            assert feed in text and title in text
        assert "first report" in sources[0]
        assert page.locator(".evidence mark").count() >= 1
        assert event.cluster_id
        IMAGES.mkdir(parents=True, exist_ok=True)
        page.set_viewport_size({"width": 430, "height": 1100})
        page.screenshot(path=str(IMAGES / "event.png"), full_page=True)


def test_replay_button_moves_a_dlq_entry_back(page: Any, redis_url: str) -> None:
    """Clicking Replay takes the entry off the DLQ and puts it on the retry schedule."""
    event = make_event(4)
    sync = redis_sync.Redis.from_url(redis_url)
    sync.xadd(streams.DLQ, {"source": "delivery", "subscription": "desk", "url_id": "u1",
                            "channel": "json", "event_id": event.id, "reason": "http 500",
                            "deliveries": "5", "failed_at": f"{time.time():.3f}",
                            "__data__": event.model_dump_json()})
    try:
        with serve_web(web_config(redis_url), redis_url) as base:
            page.goto(base + "/dlq")
            assert page.locator("#dlq li").count() == 1
            page.click("button.replay")
            page.wait_for_selector("#notice")
            assert page.locator("#dlq li").count() == 0
            assert event.id in page.inner_text("#retries")
        assert sync.xlen(streams.DLQ) == 0
        assert sync.zcard(RETRY_KEY) == 1
    finally:
        sync.close()


def test_script_in_a_title_renders_as_text_and_runs_nothing(
        page: Any, redis_url: str, webhook_sink: HttpServer) -> None:
    """A hostile title shows literally on the timeline (server and live rows) and event page;
    no dialog opens and the console reports no error (CSP violations included)."""
    hostile = "<script>alert('x')</script> Strike <img src=x onerror=alert(2)>"
    dialogs: list[str] = []
    problems: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    record(redis_url, [make_event(1, title=hostile)])
    _deliver(redis_url, [make_event(2, title="Calm story about a strike")], webhook_sink)
    with serve_web(web_config(redis_url), redis_url) as base:
        page.goto(base + "/")
        _deliver(redis_url, [make_event(3, title=hostile + " live")], webhook_sink)
        page.wait_for_selector("#events li:first-child >> text=live", timeout=3000)
        texts = page.locator("#events .title").all_inner_texts()
        assert texts[0] == hostile + " live" and hostile in texts
        assert page.locator("#events img").count() == 0
        assert page.locator("#events script").count() == 0
        IMAGES.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(IMAGES / "timeline.png"), full_page=True)
        page.goto(base + "/events/art-000001")
        assert page.inner_text("h1") == hostile
        page.wait_for_timeout(500)
    assert dialogs == []
    assert problems == []
