"""Domain errors. Every message is Chinese and meant to be shown to the user as it is.

Pages catch `DomainError` and show `str(error)` with `st.error`; they never show a traceback.
"""
from __future__ import annotations


class DomainError(Exception):
    """Base of every error the user may see; `message` is the Chinese text to show."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ValidationError(DomainError):
    """One or more fields are wrong. `errors` lists (field key, Chinese message) in form order."""

    def __init__(self, errors: list[tuple[str, str]] | tuple[str, str]):
        if isinstance(errors, tuple):
            errors = [errors]
        self.errors: list[tuple[str, str]] = list(errors)
        super().__init__("；".join(msg for _, msg in self.errors))

    def for_field(self, key: str) -> list[str]:
        return [msg for k, msg in self.errors if k == key]


class DuplicateError(DomainError):
    """A value that must be unique (e.g. 身份证号) is already in the store."""

    def __init__(self, message: str, existing_id: int | None = None):
        super().__init__(message)
        self.existing_id = existing_id


class NotFoundError(DomainError):
    """The record asked for does not exist (or was removed)."""


class PermissionDenied(DomainError):
    """The signed-in user's role may not do this."""


class AuthError(DomainError):
    """Login failed, account disabled or locked."""


class StoreError(DomainError):
    """A write could not be completed; the previous state is kept."""


class StoreCorruptError(DomainError):
    """A data file does not parse; the app must not start on an empty store."""
