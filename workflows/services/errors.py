"""What a refused action tells its caller; views and the API map ``status`` to the HTTP answer."""
from __future__ import annotations


class ActionError(Exception):
    """A refused action. Nothing was changed and (but for a 403's refusal record) nothing written."""

    status = 400

    def __init__(self, message: str, *, fields: dict[str, list[str]] | None = None):
        self.message = message
        self.fields = fields or {}
        super().__init__(message)


class NotFound(ActionError):
    status = 404


class NotAllowed(ActionError):
    status = 403


class WrongState(ActionError):
    status = 409


class Invalid(ActionError):
    status = 400


class TooLarge(ActionError):
    status = 413


class Missing(ActionError):
    """A file the records promise is not in the store: an integrity failure, told plainly (503:
    the service cannot give it now; an administrator must restore it)."""

    status = 503


class Tampered(ActionError):
    """A stored file that does not match its recorded hash: it conflicts with the record (409)."""

    status = 409


def raise_for(decision) -> None:
    """Turn a refused policy Decision into the matching error."""
    if decision.allowed:
        return
    raise {404: NotFound, 403: NotAllowed, 409: WrongState}[decision.status](decision.message)
