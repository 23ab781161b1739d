"""A request the server refuses: the HTTP status, and one sentence saying why that never quotes the request."""

from __future__ import annotations

__all__ = ["Refused"]


class Refused(Exception):
    """A request refused with a 4xx status (412 included: the data the service needs is missing)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
