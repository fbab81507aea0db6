"""What every config section is built from: the strict base model and the shared field types."""

import re
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import BaseModel, BeforeValidator, ConfigDict

from shared.durations import parse_duration
from shared.schemas import NAME_MAX

Seconds = Annotated[float, BeforeValidator(parse_duration)]
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


class Strict(BaseModel):
    """Base of every config section: unknown keys are errors, not silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def slug(value: str) -> str:
    """A name used as a tag or key: lower-case letters, digits, '-', '_' or '.'."""
    if len(value) > NAME_MAX:
        raise ValueError(f"at most {NAME_MAX} characters")
    if not _NAME.match(value):
        raise ValueError("use lower-case letters, digits, '-', '_' or '.'")
    return value


def http_url(value: str) -> str:
    """An http(s) URL with a host, else ValueError."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http:// or https:// URL with a host")
    return value
