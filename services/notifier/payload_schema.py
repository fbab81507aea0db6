"""Writes docs/alert-payload.schema.json, the JSON Schema of the ``payload: json`` document.

Run ``python -m services.notifier.payload_schema docs/`` (``make docs`` does); a test checks
the committed file matches the model.
"""

import json
import sys
from pathlib import Path
from typing import Any

from services.notifier.templates import AlertPayload

FILE = "alert-payload.schema.json"


def schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of :class:`AlertPayload`."""
    document = AlertPayload.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://github.com/newsalert/newsalert/docs/alert-payload.schema.json",
            **document}


def main(argv: list[str]) -> int:
    target = Path(argv[0] if argv else "docs") / FILE
    target.write_text(json.dumps(schema(), indent=2, sort_keys=True) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
