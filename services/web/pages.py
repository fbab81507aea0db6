"""Server-rendered pages: timeline, event, feed health, DLQ, subscriptions.

Jinja2 autoescapes every value; article text is never marked safe. Buttons are plain forms
that POST with the page's CSRF token and redirect back (no script needed to act).
"""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader

from services.poller.opml_export import export_opml
from services.web import operations, query, syndication, views
from services.web.api import allow, config_of, filters_from, redis_of
from services.web.auth import Guard, Identity
from shared.schemas import EventType, Modality

# autoescape on for every template: article text is hostile input.
templates = Jinja2Templates(env=Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"), autoescape=True))
router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
FILTERS = ("tag", "modality", "subscription", "feed", "country", "q", "since", "until")


def _page(request: Request, who: Identity, name: str, **context: Any) -> Response:
    guard: Guard = request.app.state.guard
    response: Response = templates.TemplateResponse(request, name, {
        "who": who, "csrf": guard.csrf_token(who), "operator": who.may("operator"), **context})
    return response


@router.get("/")
async def timeline(request: Request, cursor: str | None = None) -> Response:
    who = allow(request)
    params = {k: request.query_params.get(k, "") for k in FILTERS}
    try:
        filters = filters_from(**{k: v for k, v in params.items() if k not in ("since", "until")},
                               since=_date(params["since"]),
                               until=_date(params["until"], end_of_day=True))
    except ValueError as exc:
        raise HTTPException(400, f"bad date: {exc}") from None
    page = await query.search(redis_of(request), filters, cursor, 50)
    rows = [views.summary(r) for r in page.items]
    config = config_of(request)
    choices = {"tag": sorted({t.value for t in EventType} | {w.name for w in config.watch}),
               "modality": [m.value for m in Modality],
               "subscription": [s.name for s in config.subscriptions],
               "feed": [f.label() for f in config.feeds]}
    active = {k: v for k, v in params.items() if v}
    more = urlencode({**active, "cursor": page.cursor}) if page.cursor else ""
    return _page(request, who, "timeline.html", rows=rows, params=params, choices=choices,
                 more=more, live=not cursor, query=urlencode(active),
                 latest=rows[0]["cursor"] if rows else "")


def _date(value: str, end_of_day: bool = False) -> datetime | None:
    """A date box's value as UTC; a bare "to" date includes that whole day."""
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    if end_of_day and len(value) == 10:
        moment += timedelta(days=1) - timedelta(milliseconds=1)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@router.get("/events/{event_id}")
async def event_page(request: Request, event_id: str) -> Response:
    who = allow(request)
    redis = redis_of(request)
    record = await query.get(redis, event_id)
    if record is None:
        raise HTTPException(404, "no such event (unknown, or older than the retention)")
    reports = await views.sources(redis, record["event"])
    return _page(request, who, "event.html", event=views.detail(record), reports=reports,
                 facts=views.merged_facts(record["event"], reports))


@router.get("/feeds")
async def feeds_page(request: Request) -> Response:
    who = allow(request)
    rows = await operations.feeds(redis_of(request), config_of(request))
    return _page(request, who, "feeds.html", rows=rows)


@router.get("/dlq")
async def dlq_page(request: Request, done: str = "") -> Response:
    who = allow(request)
    redis = redis_of(request)
    return _page(request, who, "dlq.html", entries=await operations.dlq(redis),
                 retries=await operations.retries(redis), done=done)


async def _form(request: Request) -> dict[str, str]:
    # A plain urlencoded form: parsed here rather than pulling in python-multipart.
    body = (await request.body()).decode("utf-8", errors="replace")
    return {k: v[0] for k, v in parse_qs(body, max_num_fields=10).items()}


@router.post("/dlq/{entry_id}/retry")
async def dlq_retry(request: Request, entry_id: str) -> Response:
    who = allow(request, "operator")
    request.app.state.guard.check_csrf(request, who, (await _form(request)).get("csrf", ""))
    if not await operations.retry(redis_of(request), entry_id):
        raise HTTPException(404, "no such DLQ entry")
    return RedirectResponse("/dlq?" + urlencode({"done": entry_id}), status_code=303)


@router.get("/subscriptions")
async def subscriptions_page(request: Request) -> Response:
    who = allow(request)
    return _page(request, who, "subscriptions.html",
                 subs=operations.subscriptions(config_of(request)), results=None, tested="")


@router.post("/subscriptions/{name}/test")
async def subscription_test(request: Request, name: str) -> Response:
    who = allow(request, "operator")
    request.app.state.guard.check_csrf(request, who, (await _form(request)).get("csrf", ""))
    results = await operations.send_test(config_of(request), name)
    if results is None:
        raise HTTPException(404, "no such subscription")
    return _page(request, who, "subscriptions.html",
                 subs=operations.subscriptions(config_of(request)), results=results,
                 tested=name)


@router.get("/feeds/{name}.atom")
async def atom_feed(request: Request, name: str) -> Response:
    allow(request)
    config = config_of(request)
    if name not in {s.name for s in config.subscriptions}:
        raise HTTPException(404, "no such subscription")
    page = await query.search(redis_of(request), query.Filters(subscription=name), None, 50)
    self_url = str(request.url.remove_query_params("token"))
    body = syndication.atom(name, page.items, config.web.base_url or str(request.base_url),
                            self_url)
    return Response(body, media_type="application/atom+xml; charset=utf-8")


@router.get("/feeds.opml")
async def opml(request: Request) -> Response:
    allow(request)
    return Response(export_opml(config_of(request)), media_type="text/x-opml; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="newsalert.opml"'})
