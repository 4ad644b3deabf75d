"""The portal's pages: server-rendered HTML (Jinja2), Dutch first with English beside it.

Mounted under ``/portal`` on reporting's HTTP server. A session is a random token in an
HttpOnly, SameSite=Strict cookie (Secure over https) whose hash is a row in the database;
every form carries a CSRF token (the session's, or before log-in a double-submit cookie).
"""

from __future__ import annotations

import io
import re
import secrets
import zipfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import structlog
from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader, select_autoescape

from dorp_reporting.portal.domain import GeneratedReport, StaffSession
from dorp_reporting.portal.use_cases import Portal

log = structlog.get_logger(__name__)

SESSION_COOKIE = "dorp_portal_session"
LOGIN_COOKIE = "dorp_portal_login"
PREFIX = "/portal"
_PERIOD = re.compile(r"^\d{4}(-(0[1-9]|1[0-2]))?$")
_MAX_FORM_BYTES = 64_000
Page = Callable[[Request, StaffSession], Awaitable[Response]]

_templates = Environment(
    loader=PackageLoader("dorp_reporting.portal", "templates"),
    autoescape=select_autoescape(["html"]),
)


class PortalPages:
    def __init__(self, portal: Portal, region_name: str) -> None:
        self.portal = portal
        self.region_name = region_name

    # plumbing ---------------------------------------------------------------------------

    def render(self, template: str, status: int = 200, **values: Any) -> HTMLResponse:
        values.setdefault("session", None)
        html = _templates.get_template(template).render(
            prefix=PREFIX, region_name=self.region_name, **values
        )
        return HTMLResponse(html, status_code=status, headers=_SECURITY_HEADERS)

    async def current(self, request: Request) -> StaffSession | None:
        return await self.portal.session(request.cookies.get(SESSION_COOKIE))

    def problem(self, status: int, nl: str, en: str, session: StaffSession | None) -> Response:
        return self.render("problem.html", status, nl=nl, en=en, session=session)

    async def checked_form(self, request: Request, session: StaffSession) -> dict[str, str] | None:
        """The posted form, or None when its CSRF token is not this session's."""
        form = await _form(request)
        if form is None or not secrets.compare_digest(
            form.get("csrf_token", ""), session.csrf_token
        ):
            return None
        return form

    # pages ------------------------------------------------------------------------------

    async def login_page(self, request: Request, status: int = 200, **values: Any) -> Response:
        token = secrets.token_urlsafe(24)
        response = self.render("login.html", status, login_csrf=token, **values)
        _set_cookie(response, request, LOGIN_COOKIE, token)
        return response

    async def log_in(self, request: Request) -> Response:
        form = await _form(request)
        cookie = request.cookies.get(LOGIN_COOKIE, "")
        if (
            form is None
            or not cookie
            or not secrets.compare_digest(form.get("csrf_token", ""), cookie)
        ):
            return await self.login_page(request, 403, error="csrf")
        result = await self.portal.log_in(
            form.get("email", ""), form.get("password", ""), _address(request)
        )
        if result.outcome != "ok":
            return await self.login_page(
                request,
                401 if result.outcome == "refused" else 429,
                error=result.outcome,
                email=form.get("email", ""),
            )
        response = RedirectResponse(f"{PREFIX}/reports", status_code=303)
        _set_cookie(response, request, SESSION_COOKIE, result.token)
        response.delete_cookie(LOGIN_COOKIE, path=PREFIX)
        return response

    async def log_out(self, request: Request, session: StaffSession) -> Response:
        if await self.checked_form(request, session) is None:
            return self.problem(403, *_CSRF_WORDS, session)
        await self.portal.log_out(
            request.cookies.get(SESSION_COOKIE, ""), session, _address(request)
        )
        response = RedirectResponse(f"{PREFIX}/login?out=1", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path=PREFIX)
        return response

    async def reports(self, request: Request, session: StaffSession) -> Response:
        latest: dict[str, GeneratedReport] = {}
        for made in await self.portal.store.generated():
            latest.setdefault(made.period, made)
        return self.render(
            "reports.html", session=session, years=await self.portal.periods(), latest=latest
        )

    async def report(self, request: Request, session: StaffSession) -> Response:
        period = request.path_params["period"]
        made = await self._latest(period)
        editorial = await self.portal.store.editorial(period)
        return self.render(
            "report.html",
            session=session,
            period=period,
            made=made,
            editorial=editorial,
            saved=request.query_params.get("saved") == "1",
        )

    async def report_html(self, request: Request, session: StaffSession) -> Response:
        """The HTML format itself, shown in a sandboxed frame of the report page: this is
        where a report is read, so this is what the audit log records as a read."""
        period = request.path_params["period"]
        made = await self._latest(period)
        files = await self.portal.store.files(made.report_id, "html") if made else []
        if not files:
            return self.problem(404, *_NO_REPORT_WORDS, session)
        await self.portal.audit(session, "read", _address(request), period, "html")
        headers = {**_SECURITY_HEADERS, "Content-Security-Policy": "script-src 'none'"}
        return Response(files[0][2], media_type="text/html; charset=utf-8", headers=headers)

    async def download(self, request: Request, session: StaffSession) -> Response:
        period, fmt = request.path_params["period"], request.path_params["fmt"]
        made = await self._latest(period)
        files = await self.portal.store.files(made.report_id, fmt) if made else []
        if not files:
            return self.problem(404, *_NO_REPORT_WORDS, session)
        await self.portal.audit(session, "download", _address(request), period, fmt)
        name, media_type, content = files[0] if len(files) == 1 else _zipped(period, fmt, files)
        disposition = f'attachment; filename="{name}"'
        return Response(
            content, media_type=media_type, headers={"Content-Disposition": disposition}
        )

    async def generate(self, request: Request, session: StaffSession) -> Response:
        period = request.path_params["period"]
        if await self.checked_form(request, session) is None:
            return self.problem(403, *_CSRF_WORDS, session)
        await self._generate(request, session, period)
        return RedirectResponse(f"{PREFIX}/reports/{period}", status_code=303)

    async def save_editorial(self, request: Request, session: StaffSession) -> Response:
        """Save highlights and focus points, then generate the report again so it shows them."""
        period = request.path_params["period"]
        form = await self.checked_form(request, session)
        if form is None:
            return self.problem(403, *_CSRF_WORDS, session)
        await self.portal.save_editorial(
            period,
            form.get("highlights", ""),
            form.get("focus_points", ""),
            session,
            _address(request),
        )
        await self._generate(request, session, period)
        return RedirectResponse(f"{PREFIX}/reports/{period}?saved=1", status_code=303)

    async def audit_log(self, request: Request, session: StaffSession) -> Response:
        entries = await self.portal.store.audit_entries()
        return self.render("audit.html", session=session, entries=entries)

    async def _generate(self, request: Request, session: StaffSession, period: str) -> None:
        await self.portal.audit(session, "generate", _address(request), period)
        await self.portal.generate(period, "on_demand", session.email)

    async def _latest(self, period: str) -> GeneratedReport | None:
        made = await self.portal.store.generated(period)
        return made[0] if made else None


def build_portal(portal: Portal, region_name: str) -> FastAPI:
    """The portal as its own ASGI app, to mount under ``/portal``."""
    pages = PortalPages(portal, region_name)
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    async def failed(request: Request, exc: Exception) -> Response:
        log.error("portal.page_failed", path=request.url.path, error=repr(exc))
        return pages.problem(500, *_FAILED_WORDS, None)

    app.add_exception_handler(Exception, failed)
    static = Path(__file__).parent / "static"
    app.mount("/static", StaticFiles(directory=static), name="static")

    def staff_only(page: Page, *, period: bool = False) -> Callable[[Request], Awaitable[Response]]:
        async def guarded(request: Request) -> Response:
            session = await pages.current(request)
            if session is None:
                return RedirectResponse(f"{PREFIX}/login?expired=1", status_code=303)
            if period and not _PERIOD.match(request.path_params.get("period", "")):
                return pages.problem(404, *_NO_REPORT_WORDS, session)
            return await page(request, session)

        return guarded

    async def home(request: Request) -> Response:
        return RedirectResponse(f"{PREFIX}/reports", status_code=303)

    async def login_page(request: Request) -> Response:
        return await pages.login_page(
            request,
            expired=request.query_params.get("expired") == "1",
            logged_out=request.query_params.get("out") == "1",
        )

    app.add_api_route("/", home, methods=["GET"])
    app.add_api_route("/login", login_page, methods=["GET"])
    app.add_api_route("/login", pages.log_in, methods=["POST"])
    app.add_api_route("/logout", staff_only(pages.log_out), methods=["POST"])
    app.add_api_route("/reports", staff_only(pages.reports), methods=["GET"])
    app.add_api_route("/audit", staff_only(pages.audit_log), methods=["GET"])
    app.add_api_route("/reports/{period}", staff_only(pages.report, period=True), methods=["GET"])
    app.add_api_route(
        "/reports/{period}/html", staff_only(pages.report_html, period=True), methods=["GET"]
    )
    app.add_api_route(
        "/reports/{period}/download/{fmt}",
        staff_only(pages.download, period=True),
        methods=["GET"],
    )
    app.add_api_route(
        "/reports/{period}/generate", staff_only(pages.generate, period=True), methods=["POST"]
    )
    app.add_api_route(
        "/reports/{period}/editorial",
        staff_only(pages.save_editorial, period=True),
        methods=["POST"],
    )
    return app


_SECURITY_HEADERS = {
    "X-Frame-Options": "SAMEORIGIN",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
_CSRF_WORDS = (
    "Dit formulier is verlopen of niet van deze site. Laad de pagina opnieuw.",
    "This form has expired or did not come from this site. Reload the page.",
)
_FAILED_WORDS = (
    "Er ging iets mis; het is vastgelegd. Probeer het later opnieuw.",
    "Something went wrong; it was logged. Please try again later.",
)
_NO_REPORT_WORDS = (
    "Dit rapport bestaat niet (nog niet).",
    "This report does not exist (yet).",
)


def _set_cookie(response: Response, request: Request, name: str, value: str) -> None:
    response.set_cookie(
        name,
        value,
        path=PREFIX,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )


async def _form(request: Request) -> dict[str, str] | None:
    """An url-encoded form, one value per field; None when it is too large or not a form."""
    body = await request.body()
    kind = request.headers.get("content-type", "")
    if len(body) > _MAX_FORM_BYTES or not kind.startswith("application/x-www-form-urlencoded"):
        return None
    fields = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    return {key: values[0] for key, values in fields.items()}


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _zipped(period: str, fmt: str, files: list[tuple[str, str, bytes]]) -> tuple[str, str, bytes]:
    """Several files of one format (CSV: one per table) as one zip archive."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, _media_type, content in files:
            archive.writestr(name, content)
    stem = files[0][0].split(period)[0] + period  # "rapport-lochem-2026-members.csv"
    return f"{stem}-{fmt}.zip", "application/zip", buffer.getvalue()
