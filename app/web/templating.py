"""Jinja2 environment: one templates folder with a subfolder per domain, gettext installed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from pathlib import Path
from typing import Any

from babel.dates import format_date, format_datetime
from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, pass_eval_context, select_autoescape
from jinja2.nodes import EvalContext
from markupsafe import Markup
from starlette.responses import Response

from app import clock, i18n
from app.accounts.nip import display as display_nip
from app.accounts.nip import mask as mask_nip
from app.web.csrf import FIELD_NAME, token_for

TEMPLATES_DIR = Path(__file__).parent / "templates"

_env = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=select_autoescape(),
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.install_gettext_callables(  # type: ignore[attr-defined]
    i18n.gettext, i18n.ngettext, newstyle=True
)


# Jinja's newstyle `_()` formats every message with `Markup(text) % variables`, even with no
# variables: with ~25 messages a page that was 5-8% of a module page's CPU. Same results
# (autoescaped, `%(num)d` filled in, a literal `%%` still unescaped) without the formatting
# when there is nothing to format.
#
# None of the functions templates call takes the template context (`pass_context`): inside a
# `{% for %}` loop Jinja copies the whole context for every call of such a function
# (`Context.derived`): 2% of the quiz attempt page's instructions (bench/instructions.py;
# py-spy had put it at a quarter). The messages need only the autoescape flag
# (`pass_eval_context`); `url_for` and `static` read the request being rendered from
# `_rendering`, which `render` sets.
@pass_eval_context
def _gettext(eval_ctx: EvalContext, message: str, /, **variables: Any) -> str:
    text = i18n.gettext(message)
    if eval_ctx.autoescape:
        text = Markup(text)  # noqa: S704 - our own catalog, trusted as Jinja itself does
    return text % variables if variables or "%" in text else text


@pass_eval_context
def _ngettext(
    eval_ctx: EvalContext, singular: str, plural: str, num: int, /, **variables: Any
) -> str:
    variables.setdefault("num", num)
    text = i18n.ngettext(singular, plural, num)
    if eval_ctx.autoescape:
        text = Markup(text)  # noqa: S704 - our own catalog, trusted as Jinja itself does
    return text % variables


_env.globals.update(_=_gettext, gettext=_gettext, ngettext=_ngettext)
templates = Jinja2Templates(env=_env)


# Bounded: path parameters come from the database (course codes, ids), not from the visitor,
# but a cache must never grow without limit.
_URL_CACHE_SIZE = 20_000


_rendering: ContextVar[Request] = ContextVar("lentera_rendering_request")


def _url_for(name: str, /, **path_params: Any) -> str:
    """Root-relative URLs: shorter pages, and correct behind any proxy or host name.

    Memoised per app: FastAPI's `url_path_for` walks every included router on each call
    (~0.25 ms; a page makes 7 to 60+ calls, measured as 8% of a module page's CPU), and the
    route table never changes once the app has started.
    """
    request = _rendering.get()
    state = request.app.state
    cache: dict[tuple[str, tuple[tuple[str, Any], ...]], str] | None = getattr(
        state, "url_paths", None
    )
    if cache is None:
        cache = state.url_paths = {}
    key = (name, tuple(sorted(path_params.items())))
    url = cache.get(key)
    if url is None:
        url = str(request.app.url_path_for(name, **path_params))
        if len(cache) < _URL_CACHE_SIZE:
            cache[key] = url
    return url


templates.env.globals["url_for"] = _url_for


def _static(name: str) -> str:
    """The fingerprinted URL of a static file, cacheable for a year."""
    return str(_rendering.get().app.state.static.url(name))


templates.env.globals["static"] = _static
templates.env.globals["csrf_field_name"] = FIELD_NAME
templates.env.filters["mask_nip"] = mask_nip
templates.env.filters["nip"] = display_nip


def _local_datetime(value: datetime | None, fmt: str = "d MMM y, HH.mm") -> str:
    """A UTC time as the reader sees it: in the local zone (WITA by default), in their language."""
    if value is None:
        return "-"
    local = clock.local(value)
    return f"{format_datetime(local, fmt, locale=i18n.babel_locale())} {clock.abbreviation()}"


templates.env.filters["datetime"] = _local_datetime


def _local_date(value: date | None, fmt: str = "d MMMM y") -> str:
    return "-" if value is None else format_date(value, fmt, locale=i18n.babel_locale())


templates.env.filters["date"] = _local_date


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> Response:
    """Render a page with what every page needs: the user, the CSRF token, the language."""
    full = {
        "user": getattr(request.state, "user", None),
        "csrf_token": token_for(request),
        "lang": i18n.get_locale(),
        "settings": request.app.state.settings,
    }
    full.update(context or {})
    with rendering(request):
        return templates.TemplateResponse(request, name, full, status_code=status_code)


@contextmanager
def rendering(request: Request) -> Iterator[None]:
    """While templates render for `request`: what `url_for` and `static` answer for."""
    token = _rendering.set(request)
    try:
        yield
    finally:
        _rendering.reset(token)
