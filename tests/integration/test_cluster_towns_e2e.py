"""End to end, compose commands as processes: same-day strikes on three towns of one region
are three alerts however alike their wording, five outlets on one of them are still three,
and one authority's sanctions on two networks the same day are two alerts."""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.pipeline import (
    compose_services,
    outlets_config,
    rss_item,
    serve_outlets,
    wait_reports,
    write_config,
)
from tests.servers import HttpServer
from tests.support import eventually_sync, pipeline_drained

pytestmark = pytest.mark.slow
OUTLETS = ("Alpha Wire", "Beta News", "Gamma Post", "Delta Times", "Epsilon Daily")
# Our own texts. All three strikes are in the Gaza Strip, on one morning, worded alike.
RAFAH = [
    ("Israeli air strike destroys home in Rafah, killing six",
     "An Israeli air strike destroyed a family home in Rafah in the southern Gaza Strip on"
     " Tuesday morning, killing six people, local health officials said."),
    ("Six killed as air strike flattens Rafah house",
     "Health officials in Gaza said an Israeli air strike flattened a house in Rafah on Tuesday,"
     " killing six members of one family."),
    ("Rafah: family home hit by Israeli air strike, six dead",
     "Six people were killed when an Israeli air strike hit a family home in Rafah, in southern"
     " Gaza, on Tuesday, officials said."),
    ("Air strike on Rafah home kills six, Gaza officials say",
     "An air strike on a home in Rafah killed six people on Tuesday morning, Gaza health"
     " officials said, blaming Israel."),
    ("Israeli strike on house in Rafah leaves six dead",
     "Six members of a family died on Tuesday when an Israeli strike hit their house in Rafah,"
     " in the south of the Gaza Strip, officials said."),
]
KHAN_YOUNIS = [("Israeli drone strike hits car in Khan Younis, killing two",
                "An Israeli drone strike hit a car in Khan Younis in the southern Gaza Strip on"
                " Tuesday morning, killing two people, local health officials said.")]
JABALIA = [("Israeli artillery shells Jabalia camp in Gaza, wounding 14",
            "Israeli artillery shelled the Jabalia refugee camp in the northern Gaza Strip on"
            " Tuesday morning, wounding 14 people, local health officials said.")]
# One authority, one day, two unrelated networks, worded alike.
SANCTIONS = [("US Treasury sanctions financing network of Hezbollah in Lebanon",
              "The US Treasury on Tuesday imposed sanctions on a money-exchange network in"
              " Lebanon that it said moved funds for Hezbollah."),
             ("US Treasury sanctions gold smuggling network in Venezuela",
              "The US Treasury on Tuesday imposed sanctions on a gold smuggling network in"
              " Venezuela that it said laundered money for officials.")]
NOW = datetime.now(UTC).replace(microsecond=0)


def _at(minutes: int) -> datetime:
    return NOW - timedelta(hours=2) + timedelta(minutes=minutes)


def _feed_items(phase: int) -> list[list[str]]:
    """Phase 1: the first outlet's five reports; phase 2: four more outlets on Rafah."""
    first = [rss_item(0, "rafah", RAFAH[0], _at(0)),
             rss_item(0, "khan-younis", KHAN_YOUNIS[0], _at(4)),
             rss_item(0, "jabalia", JABALIA[0], _at(8)),
             rss_item(0, "hezbollah", SANCTIONS[0], _at(10)),
             rss_item(0, "gold", SANCTIONS[1], _at(12))]
    items: list[list[str]] = [first, *([] for _ in OUTLETS[1:])]
    if phase == 2:
        for i in range(1, len(OUTLETS)):
            items[i].append(rss_item(i, "rafah", RAFAH[i], _at(20 + i)))
    return items


def test_three_towns_of_one_region_are_three_alerts(
        tmp_path: Path, redis_url: str, http_server: Callable[..., HttpServer],
        webhook_sink: HttpServer) -> None:
    """Rafah, Khan Younis and Jabalia on one morning: three strike alerts; two networks
    sanctioned by the US Treasury: two alerts; four more outlets on Rafah: no more."""
    phase = [1]
    feed = serve_outlets(http_server, OUTLETS, lambda: _feed_items(phase[0]))
    config = write_config(tmp_path / "config.yaml",
                          outlets_config(feed, webhook_sink, redis_url, tmp_path / "data", OUTLETS,
                                         ["military_strike", "sanction"]))
    with compose_services(config, tmp_path, {"NEWSALERT_REDIS__URL": redis_url}) as codes:
        first = webhook_sink.wait_for(5, timeout=60)
        assert len(first) == 5, "one alert per strike and per sanctions action"
        phase[0] = 2
        counts = wait_reports(redis_url, 9, timeout=20)
        # Once every article and event is handled and acked, a wrongly split report's
        # alert would already be at the sink (the notifier acks after delivering).
        eventually_sync(lambda: pipeline_drained(redis_url), 15, what="the pipeline drained")
        assert len(webhook_sink.requests) == 5, "the other outlets' Rafah reports fold"
    assert sorted(counts.values()) == [1, 1, 1, 1, 5], counts
    assert codes == {"classifier": 0, "notifier": 0, "poller": 0}
