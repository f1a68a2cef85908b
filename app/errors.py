"""The errors every layer raises, each with its status code and a message for the person.

How an error becomes a response (the {status}.html page, or JSON under /api) is decided in
one place, app/web/error_pages.py, which main.py installs.
"""

from __future__ import annotations


class AppError(Exception):
    """An error with a status code and a message meant for the person who caused it."""

    status_code = 400

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message)
        self.message = message


class BadRequest(AppError):
    status_code = 400


class NotAuthenticated(AppError):
    status_code = 401


class Forbidden(AppError):
    status_code = 403


class NotFound(AppError):
    status_code = 404


class CsrfFailed(AppError):
    status_code = 403
