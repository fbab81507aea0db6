"""The ``web:`` config section: where the dashboard listens and who may use it."""

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from shared import secrets
from shared.settings_base import Strict, slug


class WebToken(Strict):
    name: Annotated[str, BeforeValidator(slug)]
    token: str = Field(min_length=16)
    role: Literal["read", "operator"] = "read"

    def model_post_init(self, _context: Any) -> None:
        secrets.register(self.token)  # masked in logs even when written inline


class WebUser(Strict):
    name: str = Field(min_length=1, pattern=r"^[^:\s]+$")
    password: str = Field(min_length=8)
    role: Literal["read", "operator"] = "read"

    def model_post_init(self, _context: Any) -> None:
        secrets.register(self.password)


class WebSettings(Strict):
    enabled: bool = Field(True, description="Serve the dashboard inside `newsalert run`")
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)
    base_url: str = Field("", description="Public URL of the dashboard, for links in feeds")
    tokens: list[WebToken] = Field(default_factory=list)
    users: list[WebUser] = Field(default_factory=list)

    def model_post_init(self, _context: Any) -> None:
        # Anyone who can reach a non-loopback address could replay alerts: require credentials.
        if not is_loopback(self.host) and not (self.tokens or self.users):
            raise ValueError(f"web.host: binding to {self.host!r} needs web.tokens or web.users "
                             "(only 127.0.0.1/localhost/::1 may run without credentials)")


def is_loopback(host: str) -> bool:
    """True for the addresses only this machine can reach."""
    return host in ("127.0.0.1", "localhost", "::1") or host.startswith("127.")
