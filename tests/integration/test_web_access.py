"""Access control of the web service: tokens, basic auth, roles, CSRF, loopback default."""

import logging
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis as redis_sync

from services.cli import main
from shared import streams
from shared.loading import load_config
from tests.support import eventually_sync
from tests.web_support import client, make_event, record, web_config

pytestmark = pytest.mark.integration

READER = "read-token-0123456789"
OPERATOR = "operator-token-0123456789"
WEB = {"tokens": [{"name": "dash", "token": READER, "role": "read"},
                  {"name": "ops", "token": OPERATOR, "role": "operator"}],
       "users": [{"name": "ana", "password": "correct-horse", "role": "operator"}]}


def _dead_letter(redis_url: str) -> str:
    sync = redis_sync.Redis.from_url(redis_url)
    event = make_event(9)
    mid = sync.xadd(streams.DLQ, {"source": "delivery", "subscription": "desk",
                                  "url_id": "u1", "channel": "json", "event_id": event.id,
                                  "reason": "boom", "deliveries": "5",
                                  "failed_at": f"{time.time():.3f}",
                                  "__data__": event.model_dump_json()}).decode()
    sync.close()
    return mid


def test_missing_or_wrong_credentials_get_401(redis_url: str) -> None:
    """Without a token (or with a wrong one) every page, API call and feed answers 401."""
    record(redis_url, [make_event(1)], [("desk", "json", "sent")])
    with client(web_config(redis_url, **WEB), redis_url) as web:
        for path in ("/", "/api/events", "/api/events/art-000001", "/api/dlq", "/feeds.opml",
                     "/feeds/desk.atom", "/api/feeds"):
            answer = web.get(path)
            assert answer.status_code == 401, path
            assert "Basic" in answer.headers["www-authenticate"]
        wrong = web.get("/api/events", headers={"Authorization": "Bearer nope-nope-nope"})
        assert wrong.status_code == 401
        assert web.get("/healthz").status_code == 200


def test_read_only_token_reads_but_gets_403_on_actions(redis_url: str) -> None:
    """A read token lists events and DLQ but may not replay or send tests (403)."""
    mid = _dead_letter(redis_url)
    record(redis_url, [make_event(1)], [("desk", "json", "sent")])
    with client(web_config(redis_url, **WEB), redis_url,
                headers={"Authorization": f"Bearer {READER}"}) as web:
        assert web.get("/api/events").json()["items"][0]["id"] == "art-000001"
        assert web.get("/api/dlq").status_code == 200
        assert web.post(f"/api/dlq/{mid}/retry").status_code == 403
        assert web.post("/api/subscriptions/desk/test").status_code == 403
        assert "Replay" not in web.get("/dlq").text
        assert web.get("/feeds/desk.atom").status_code == 200
    sync = redis_sync.Redis.from_url(redis_url)
    assert sync.xlen(streams.DLQ) == 1
    sync.close()


def test_operator_token_replays_without_csrf(redis_url: str) -> None:
    """An operator bearer token replays a DLQ entry (a browser never sends bearer tokens)."""
    mid = _dead_letter(redis_url)
    with client(web_config(redis_url, **WEB), redis_url,
                headers={"Authorization": f"Bearer {OPERATOR}"}) as web:
        assert web.post(f"/api/dlq/{mid}/retry").status_code == 200


def test_feed_reader_token_in_query_only_for_feeds(redis_url: str,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    """``?token=`` opens the Atom/OPML feeds for feed readers, but not the API."""
    # The test's own HTTP client logs each URL it fetches; the service logs none.
    caplog.set_level(logging.WARNING, logger="httpx")
    with client(web_config(redis_url, **WEB), redis_url) as web:
        assert web.get("/feeds/desk.atom", params={"token": READER}).status_code == 200
        assert web.get("/feeds.opml", params={"token": READER}).status_code == 200
        assert web.get("/api/events", params={"token": READER}).status_code == 401


def test_basic_auth_form_needs_csrf_and_same_origin(redis_url: str) -> None:
    """A basic-auth operator's replay form works with its CSRF token, not without or cross-site."""
    mid = _dead_letter(redis_url)
    with client(web_config(redis_url, **WEB), redis_url, auth=("ana", "correct-horse")) as web:
        page = web.get("/dlq")
        assert page.status_code == 200 and "Replay" in page.text
        token = page.text.split('name="csrf" value="')[1].split('"')[0]
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        assert web.post(f"/dlq/{mid}/retry", content="csrf=wrong", headers=form
                        ).status_code == 403
        evil = {**form, "Origin": "https://evil.example"}
        assert web.post(f"/dlq/{mid}/retry", content=f"csrf={token}", headers=evil
                        ).status_code == 403
        done = web.post(f"/dlq/{mid}/retry", content=f"csrf={token}", headers=form)
        assert done.status_code == 303
        assert done.headers["location"].startswith("/dlq?done=")
    with client(web_config(redis_url, **WEB), redis_url, auth=("ana", "wrong-pass")) as web:
        assert web.get("/dlq").status_code == 401


def test_public_bind_without_credentials_is_a_config_error(tmp_path: Path,
                                                            redis_url: str) -> None:
    """``web.host: 0.0.0.0`` with no tokens or users: exit 2 naming web.host."""
    config = tmp_path / "config.yaml"
    config.write_text(f"redis: {{url: '{redis_url}'}}\nweb: {{host: 0.0.0.0}}\n")
    proc = subprocess.run([sys.executable, "-m", "services.cli", "--config", str(config),
                           "check-config"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "web" in proc.stderr and "needs web.tokens or web.users" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert main(["--config", str(config), "check-config"]) == 2


def test_edited_config_applies_without_restart(tmp_path: Path, redis_url: str) -> None:
    """Adding a subscription and a read token to the file takes effect on the running web."""
    path = tmp_path / "config.yaml"
    base = (f"redis: {{url: '{redis_url}'}}\nreload_interval: 0.2\n"
            "subscriptions:\n  - {name: desk, urls: ['json://127.0.0.1:9/a']}\n")
    path.write_text(base)
    config = load_config(path)
    with client(config, redis_url) as web:
        assert [s["name"] for s in web.get("/api/subscriptions").json()] == ["desk"]
        path.write_text(base + "  - {name: legal, urls: ['json://127.0.0.1:9/b']}\n")
        eventually_sync(lambda: len(web.get("/api/subscriptions").json()) == 2, 10,
                        what="the new subscription")
        assert web.get("/feeds/legal.atom").status_code == 200
