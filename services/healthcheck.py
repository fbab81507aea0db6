"""``newsalert-healthcheck [PORT…]``: exit 0 when a service on this host reports ready.

The image's HEALTHCHECK and compose's healthchecks run it. With no port it tries the three
service ports, so one image-level check fits whichever service the container runs. It uses
only the standard library: it runs every 15 s and must start fast.
"""

import sys
import urllib.error
import urllib.request
from collections.abc import Sequence

DEFAULT_PORTS = ("9101", "9102", "9103")
TIMEOUT = 3.0


def ready(port: str, host: str = "127.0.0.1") -> bool:
    """True when ``/readyz`` on ``port`` answers 200 (Redis reachable, groups present)."""
    try:
        with urllib.request.urlopen(f"http://{host}:{port}/readyz", timeout=TIMEOUT) as reply:
            return int(reply.status) == 200
    except (OSError, urllib.error.URLError, ValueError):
        return False


def main(argv: Sequence[str] | None = None) -> int:
    """Exit status for Docker: 0 healthy, 1 unhealthy."""
    ports = list(sys.argv[1:] if argv is None else argv) or list(DEFAULT_PORTS)
    return 0 if any(ready(port) for port in ports) else 1


if __name__ == "__main__":
    sys.exit(main())
