"""Secret registry: every value that came from a ``${VAR}`` placeholder is masked in output."""

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_SECRETS: set[str] = set()
MASK = "****"
_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
# Credentials in URLs (user:password@) are secrets even when written inline. A match may
# start only where a run of scheme characters starts (the whole run is taken as the scheme):
# a pattern starting at any letter rescanned the rest of a long word from every offset,
# quadratic time (26 s for 40,000 letters). Each later part stops at '/', so no stretch of
# text is scanned more than a few times.
_USERINFO = re.compile(r"(?<![a-z0-9+.-])(?P<scheme>[a-z0-9+.-]+://)"
                       r"(?P<user>[^:/@\s]*):(?P<pw>[^@/\s]+)@", re.IGNORECASE)


def register(value: str) -> None:
    """Remember a secret value so that :func:`redact` hides it (short values are ignored)."""
    if len(value) >= 4:
        _SECRETS.add(value)


def redact(text: str) -> str:
    """Replace every registered secret and URL password in ``text`` by ``****``."""
    for secret in sorted(_SECRETS, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    return _USERINFO.sub(lambda m: f"{m['scheme']}{m['user']}:{MASK}@", text)


# Query parameters that carry credentials in feed and webhook URLs (?token=, ?api_key=, ?sig=).
_SECRET_PARAM = re.compile(r"token|key|secret|pass|sig|auth|session|credential", re.IGNORECASE)


def redact_url(url: str) -> str:
    """A URL fit to print: password, registered secrets and credential-like parameters masked."""
    parts = urlsplit(url)
    if parts.query:
        pairs = [(k, MASK if _SECRET_PARAM.search(k) else v)
                 for k, v in parse_qsl(parts.query, keep_blank_values=True)]
        url = urlunsplit(parts._replace(query=urlencode(pairs, safe="*")))
    return redact(url)


def _file_value(name: str, env: dict[str, str]) -> str | None:
    """The content of the file ``NAME_FILE`` names (Docker secrets), without its final newline."""
    path = env.get(f"{name}_FILE")
    if not path or env.get(name):  # both set is an error (why_missing); empty counts as unset
        return None
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read().rstrip("\r\n")
    except (OSError, UnicodeDecodeError):
        return None


def expand(text: str, env: dict[str, str]) -> tuple[str, list[str]]:
    """Fill ``${VAR}`` placeholders from ``env`` (or the file ``VAR_FILE`` names); return the
    text and the names that could not be filled (:func:`why_missing` says why)."""
    missing: list[str] = []

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        value = env[name] if name in env and not env.get(f"{name}_FILE") \
            else _file_value(name, env)
        if value is None:
            missing.append(name)
            return match.group(0)
        register(value)
        return value

    return _PLACEHOLDER.sub(fill, text), missing


def why_missing(name: str, env: dict[str, str]) -> str:
    """Why ``${name}`` could not be filled, in words for a config error line."""
    path = env.get(f"{name}_FILE")
    if path is None:
        return f"environment variable {name} is not set (nor {name}_FILE)"
    if env.get(name):
        return f"both {name} and {name}_FILE are set; keep one"
    try:
        with open(path, encoding="utf-8") as handle:
            handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        return f"{name}_FILE names {path}, which cannot be read: {reason}"
    return f"{name}_FILE names {path}"


def registered() -> frozenset[str]:
    """Every secret value known so far (for leak checks)."""
    return frozenset(_SECRETS)
