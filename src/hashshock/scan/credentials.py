"""Miner login credentials: from options or environment variables, never shown.

The password is kept out of ``repr()``, and :meth:`Credentials.redact` scrubs
it from any text (e.g. an exception message) before that text is printed or
written to a report.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

ENV_USER = "HASHSHOCK_MINER_USER"
ENV_PASSWORD = "HASHSHOCK_MINER_PASSWORD"
MASK = "***"


@dataclass(frozen=True)
class Credentials:
    """Web/API login used for every scanned miner (``None``: pyasic's vendor defaults)."""

    username: str | None = None
    password: str | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        shown = MASK if self.password else None
        return f"Credentials(username={self.username!r}, password={shown!r})"

    __str__ = __repr__

    @classmethod
    def resolve(
        cls,
        username: str | None = None,
        password: str | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Credentials:
        """Options win; otherwise :data:`ENV_USER` / :data:`ENV_PASSWORD`; empty means unset."""
        env = os.environ if environ is None else environ
        user = username or env.get(ENV_USER) or None
        secret = password or env.get(ENV_PASSWORD) or None
        return cls(user, secret)

    def redact(self, text: str) -> str:
        """``text`` with the password replaced by ``***``."""
        if self.password:
            text = text.replace(self.password, MASK)
        return text
