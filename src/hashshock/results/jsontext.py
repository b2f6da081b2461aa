"""JSON text of a result: one method for every result that has a ``to_dict()``."""

from __future__ import annotations

import json
from typing import Any


class JsonText:
    """``to_json()`` from the class's ``to_dict()`` (the JSON contract the CLI writes)."""

    def to_dict(self) -> dict[str, Any]:
        raise NotImplementedError

    def to_json(self, indent: int | None = None) -> str:
        """:meth:`to_dict` as JSON text (``indent``: spaces, None for one line)."""
        return json.dumps(self.to_dict(), indent=indent)
