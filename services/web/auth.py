"""Who is asking, and may they: API tokens, basic-auth users, roles and CSRF tokens.

With no tokens and no users configured (allowed on a loopback bind only, see
``WebSettings``) every local caller is an operator, like any local tool. Otherwise a request
needs ``Authorization: Bearer <token>`` or basic auth; a feed reader may put the token in
``?token=`` on the read-only feed URLs. Operators may replay and send tests; ``read`` may not.

A browser re-sends basic-auth credentials on a forged cross-site form, so every state change
authenticated that way (or by being local) must carry the CSRF token of the page it came
from, and a cross-origin ``Origin`` is refused outright; bearer tokens are never sent by a
browser on its own, so API clients using one need no CSRF token.
"""

import base64
import binascii
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from fastapi import HTTPException, Request

from shared.web_settings import WebSettings

ROLES = {"read": 0, "operator": 1}
FEED_PATHS = (".atom", ".opml")


@dataclass(frozen=True)
class Identity:
    """An authenticated caller: its name, role, and how it proved it (token, basic, local)."""

    name: str
    role: str
    via: str

    def may(self, role: str) -> bool:
        return ROLES[self.role] >= ROLES[role]


class Guard:
    """Checks credentials against the config; one per app (holds the CSRF key)."""

    def __init__(self, settings: WebSettings, key: bytes | None = None) -> None:
        self.settings = settings
        self.key = key or secrets.token_bytes(32)

    @property
    def open(self) -> bool:
        return not (self.settings.tokens or self.settings.users)

    def identify(self, request: Request) -> Identity | None:
        """The caller, or None when credentials are missing or wrong."""
        if self.open:
            return Identity("local", "operator", "local")
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer":
            return self._token(value.strip())
        if scheme.lower() == "basic":
            return self._basic(value.strip())
        if request.method == "GET" and request.url.path.endswith(FEED_PATHS):
            return self._token(request.query_params.get("token", ""))
        return None

    def _token(self, given: str) -> Identity | None:
        for item in self.settings.tokens:
            if given and hmac.compare_digest(given.encode(), item.token.encode()):
                return Identity(item.name, item.role, "token")
        return None

    def _basic(self, value: str) -> Identity | None:
        try:
            name, _, password = base64.b64decode(value, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        for user in self.settings.users:
            same_name = hmac.compare_digest(name.encode(), user.name.encode())
            if same_name and hmac.compare_digest(password.encode(), user.password.encode()):
                return Identity(user.name, user.role, "basic")
        return None

    def require(self, request: Request, role: str) -> Identity:
        """The caller with at least ``role``; 401 without valid credentials, 403 below it."""
        who = self.identify(request)
        if who is None:
            challenge = 'Basic realm="newsalert"' if self.settings.users else "Bearer"
            raise HTTPException(401, "authentication required",
                                headers={"WWW-Authenticate": challenge})
        if not who.may(role):
            raise HTTPException(403, f"the {role} role is required")
        return who

    def csrf_token(self, who: Identity) -> str:
        """The token pages embed in their forms for this caller."""
        return hmac.new(self.key, who.name.encode(), hashlib.sha256).hexdigest()

    def check_csrf(self, request: Request, who: Identity, given: str) -> None:
        """403 unless a state change is safe: bearer token, or same origin plus CSRF token."""
        if who.via == "token":
            return
        origin = request.headers.get("origin")
        if origin and urlsplit(origin).netloc != request.headers.get("host", ""):
            raise HTTPException(403, "cross-origin request refused")
        if not hmac.compare_digest(given.encode(), self.csrf_token(who).encode()):
            raise HTTPException(403, "missing or wrong CSRF token (reload the page)")
