"""The HTTP JSON API of a service: every command as ``POST /v1/<name>``, with an OpenAPI
document whose request schemas are the commands' input models.

The body is read as bytes and goes through :func:`run_command`, exactly like a NATS
request, so HTTP answers with the same errors (422 with field errors, 404, 409, 413, 503).
Even the errors that never reach a command (an unknown path, a wrong method) have the
``ErrorReply`` shape. Served by uvicorn inside the service process, started and stopped
with it. ``dorp openapi`` keeps each service's document in the repository.
"""

import asyncio
import contextlib
import socket
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any

import structlog
import uvicorn
from fastapi import FastAPI, Header, Request, Response
from fastapi.openapi.utils import get_openapi
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dorp_shared.commands import (
    IDEMPOTENCY_HEADER,
    MAX_COMMAND_BYTES,
    MAX_IDEMPOTENCY_KEY,
    METHOD_NOT_ALLOWED,
    NOT_FOUND,
    Actor,
    Command,
    CommandContext,
    ErrorReply,
    too_large,
)
from dorp_shared.contracts.envelope import CORRELATION_HEADER
from dorp_shared.errors import InfrastructureUnavailable
from dorp_shared.observability import ServiceMetrics
from dorp_shared.observability.commands import serve_command
from dorp_shared.regions import Region

log = structlog.get_logger(__name__)

JSON = "application/json"
ERROR_STATUSES = {
    404: "Not found",
    409: "Conflict: the idempotency key was used for something else, or the state forbids it",
    413: "Payload too large",
    422: "Invalid input: every field at fault is named, with the allowed values",
    500: "An unexpected error; it was logged",
    503: "Temporarily unavailable: retry with the same idempotency key",
}
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias=IDEMPOTENCY_HEADER,
        description="Send the same key again to retry safely: the command is applied once.",
        # documented, not enforced here: run_command checks it for HTTP and NATS alike
        json_schema_extra={"minLength": 1, "maxLength": MAX_IDEMPOTENCY_KEY},
    ),
]
TEXT_RULES = (
    "Text is checked as sent, then trimmed of surrounding blanks; no text may contain the "
    "NUL character (\\u0000). Errors: see the ErrorReply schema; every field at fault is "
    "named, with the allowed values where the set is closed."
)
REASON_OF_STATUS = {404: NOT_FOUND, 405: METHOD_NOT_ALLOWED}


def build_http_api(
    *,
    title: str,
    description: str,
    region: Region,
    commands: Sequence[Command[Any, Any, Any]],
    new_uow: Callable[[], Any],
    health: Callable[[], dict[str, str]],
    metrics: ServiceMetrics | None = None,
) -> FastAPI:
    """``metrics``: where served commands are counted (None when only the document is
    wanted)."""
    app = FastAPI(title=title, description=description, version="1.0.0")
    app.add_middleware(BodyLimit, limit=MAX_COMMAND_BYTES)
    app.add_exception_handler(HTTPException, _http_error)

    @app.get("/health", tags=["health"], summary="Is the service up")
    async def get_health() -> dict[str, str]:
        return health()

    for command in commands:
        _add_route(app, command, region, new_uow, metrics)
    app.openapi = lambda: _openapi(app, commands)  # type: ignore[method-assign]
    return app


def _add_route(
    app: FastAPI,
    command: Command[Any, Any, Any],
    region: Region,
    new_uow: Callable[[], Any],
    metrics: ServiceMetrics | None,
) -> None:
    async def endpoint(request: Request, idempotency_key: IdempotencyKey = None) -> Response:
        body = await request.body()
        ctx = CommandContext(
            region=region,
            now=datetime.now(UTC),
            actor=Actor("api"),
            idempotency_key=idempotency_key,
        )
        served = await serve_command(
            command,
            body,
            ctx,
            new_uow,
            headers=request.headers,
            transport="http",
            metrics=metrics,
        )
        reply = served.reply
        return Response(
            reply.body,
            status_code=reply.status,
            media_type=JSON,
            headers={CORRELATION_HEADER: served.correlation_id},
        )

    responses: dict[int | str, dict[str, Any]] = {
        200: {"model": command.output, "description": "Done"},
    }
    for status, what in ERROR_STATUSES.items():
        if status == 409 and command.query:
            continue
        responses[status] = {"model": ErrorReply, "description": what}
    app.add_api_route(
        f"/v1/{command.name}",
        endpoint,
        methods=["POST"],
        name=command.name,
        summary=command.summary,
        description=command.description or command.summary,
        tags=[command.tag],
        responses=responses,
        response_class=Response,
    )


def api_title(service: str, region: Region) -> str:
    return f"Dorp {service} ({region.id})"


def openapi_document(
    *, service: str, description: str, region: Region, commands: Sequence[Command[Any, Any, Any]]
) -> dict[str, Any]:
    """The OpenAPI document a service serves, without serving it (for ``dorp openapi``)."""
    app = build_http_api(
        title=api_title(service, region),
        description=description,
        region=region,
        commands=commands,
        new_uow=_not_serving,
        health=_not_serving,
    )
    return app.openapi()


def _not_serving() -> Any:
    raise RuntimeError("this API was built only for its document")


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own errors (unknown path, wrong method) in the shape of every error."""
    assert isinstance(exc, HTTPException)
    reason = REASON_OF_STATUS.get(exc.status_code, "http_error")
    body = ErrorReply(reason=reason, detail=str(exc.detail)).model_dump_json().encode()
    return Response(body, status_code=exc.status_code, media_type=JSON, headers=exc.headers)


def _openapi(app: FastAPI, commands: Sequence[Command[Any, Any, Any]]) -> dict[str, Any]:
    """FastAPI's document, with each command's input model as its request body."""
    if app.openapi_schema:
        return app.openapi_schema
    document = get_openapi(
        title=app.title,
        version=app.version,
        description=f"{app.description}\n\n{TEXT_RULES}",
        routes=app.routes,
    )
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for command in commands:
        schema = command.input.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, definition in schema.pop("$defs", {}).items():
            schemas.setdefault(name, definition)
        name = command.input.__name__
        schemas[name] = schema
        operation = document["paths"][f"/v1/{command.name}"]["post"]
        operation["requestBody"] = {
            "required": _needs_body(command),
            "content": {
                JSON: {"schema": {"$ref": f"#/components/schemas/{command.input.__name__}"}}
            },
        }
    app.openapi_schema = document
    return document


def _needs_body(command: Command[Any, Any, Any]) -> bool:
    """An empty body is read as ``{}``: enough when every field has a default."""
    return any(field.is_required() for field in command.input.model_fields.values())


class BodyLimit:
    """Refuse a body larger than ``limit`` with 413 before it is read into memory whole."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(send, int(declared))
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise _TooLarge(seen)
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge as exc:
            await self._refuse(send, exc.size)

    async def _refuse(self, send: Send, size: int) -> None:
        body = too_large(size).reply().model_dump_json().encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", JSON.encode()),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    def __init__(self, size: int) -> None:
        self.size = size


class HttpServer:
    """uvicorn in the service's event loop; ``url`` is known once started (port 0 = any).

    The socket is bound here, not by uvicorn, so a port in use is an ``OSError`` that names
    the address instead of uvicorn's ``sys.exit``.
    """

    def __init__(self, app: FastAPI, host: str, port: int) -> None:
        config = uvicorn.Config(app, lifespan="off", log_config=None, access_log=False)
        self._server = uvicorn.Server(config)
        self._address = (host, port)
        self._task: asyncio.Task[None] | None = None
        self.url = ""

    async def start(self) -> str:
        host, port = self._address
        sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            sock.close()
            raise InfrastructureUnavailable(f"cannot listen on {host}:{port}: {exc}") from exc
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]), name="http-server")
        while not self._server.started and not self._task.done():  # noqa: ASYNC110
            await asyncio.sleep(0.02)  # uvicorn offers no event to wait on
        bound_host, bound_port = sock.getsockname()[:2]
        self.url = f"http://{bound_host}:{bound_port}"
        log.info("http.started", url=self.url)
        return self.url

    async def stop(self) -> None:
        if self._task is None:
            return
        self._server.should_exit = True
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._task, timeout=10)
        self._task = None
