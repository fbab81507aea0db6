"""Web service: dashboard pages, the HTTP API and alert feeds over the alert history."""

import asyncio
import contextlib
import logging
import signal
import socket
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import uvicorn
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from faststream import FastStream
from redis.exceptions import RedisError

from services.web import api, pages
from services.web.auth import Guard
from shared.broker import make_redis
from shared.config import AppConfig
from shared.reload import ConfigWatcher

log = logging.getLogger("newsalert.web")
STATIC = Path(__file__).parent / "static"
# No inline script or style anywhere: a title that slips through escaping still cannot run.
# Referrer "same-origin", not "no-referrer": with the latter Chromium sends ``Origin: null``
# on form posts and the CSRF origin check could not tell our own forms from a forged one.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
           "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin",
           "Cross-Origin-Opener-Policy": "same-origin"}


def create_app(config: AppConfig, redis_url: str) -> FastAPI:
    """The ASGI app; its Redis client lives as long as the app's lifespan."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.redis = make_redis(redis_url, cluster=config.redis.cluster)
        watcher = ConfigWatcher.started_for(config, lambda new: reload(app, new))
        try:
            yield
        finally:
            if watcher:
                await watcher.stop()
            await app.state.redis.aclose()

    app = FastAPI(title="newsalert", version="1", lifespan=lifespan, docs_url=None,
                  redoc_url=None, openapi_url="/api/openapi.json",
                  description="Alert history, feed health and the DLQ of a newsalert pipeline.")
    app.state.config = config
    app.state.guard = Guard(config.web)

    @app.middleware("http")
    async def security_headers(request: Request,
                               call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", include_in_schema=False)
    async def readyz(request: Request) -> Response:
        try:
            await request.app.state.redis.ping()
        except RedisError:
            return JSONResponse({"status": "redis unreachable"}, status_code=503)
        return JSONResponse({"status": "ready"})

    @app.exception_handler(RedisError)
    async def redis_down(request: Request, exc: RedisError) -> Response:
        # One clear answer instead of a 500 with a traceback; the page works again on its own
        # once Redis is back (the client reconnects).
        log.warning("web: Redis error on %s: %s", request.url.path, type(exc).__name__)
        return JSONResponse({"detail": "Redis is unreachable; try again shortly"},
                            status_code=503, headers={"Retry-After": "5"})

    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


def reload(app: FastAPI, config: AppConfig) -> None:
    """Apply an edited config: subscriptions, feeds, tokens and users (not host or port)."""
    app.state.config = config
    app.state.guard.settings = config.web
    log.info("web: config reloaded (%d subscriptions, %d feeds)", len(config.subscriptions),
             len(config.feeds))


class EmbeddedServer(uvicorn.Server):
    """A uvicorn server that leaves signals to its host (FastStream handles Ctrl-C)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def server(config: AppConfig, redis_url: str, embedded: bool = False) -> uvicorn.Server:
    """A uvicorn server for the app on ``web.host:web.port``."""
    settings = uvicorn.Config(create_app(config, redis_url), host=config.web.host,
                              port=config.web.port, log_config=None, access_log=False,
                              server_header=False, lifespan="on")
    return (EmbeddedServer if embedded else uvicorn.Server)(settings)


def serve(config: AppConfig, redis_url: str) -> int:
    """``newsalert web``: serve until Ctrl-C / SIGTERM, then exit 0 (uvicorn's own handler
    would re-raise the signal after its graceful stop, and compose would see a kill)."""
    web = server(config, redis_url, embedded=True)

    async def run() -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, web.handle_exit, sig, None)
        await web.serve()

    log.info("dashboard on http://%s:%d/", config.web.host, config.web.port)
    asyncio.run(run())
    return 0


def register(app: FastStream, config: AppConfig, redis_url: str) -> None:
    """Run the dashboard inside ``newsalert run``, stopping with the other services."""
    web = server(config, redis_url, embedded=True)
    tasks: list[asyncio.Task[None]] = []

    async def start() -> None:
        # Bind first: uvicorn exits the whole process when it cannot, and a busy port must
        # not stop the alerts; it costs the dashboard only, with one clear log line.
        try:
            sock = socket.create_server((config.web.host, config.web.port))
        except OSError as exc:
            log.error("dashboard not started: cannot listen on %s:%d: %s", config.web.host,
                      config.web.port, exc.strerror)
            return
        log.info("dashboard on http://%s:%d/", config.web.host, sock.getsockname()[1])
        tasks.append(asyncio.create_task(web.serve(sockets=[sock]), name="web"))

    async def stop() -> None:
        web.should_exit = True
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    app.on_startup(start)
    app.on_shutdown(stop)
