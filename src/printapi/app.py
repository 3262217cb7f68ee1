"""The ASGI application: routers under /v2 (and /v1 as an alias), error rendering, docs, health."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

from printapi import __version__, health
from printapi.api import RuntimeDep
from printapi.bench_routes import router as bench_router
from printapi.config import Settings
from printapi.dashboard.routes import install as install_dashboard
from printapi.idempotency.middleware import IdempotencyMiddleware
from printapi.kit import countries
from printapi.kit.errors import ApiError, InvalidInput, Unauthenticated
from printapi.kit.logging import RequestLogMiddleware, configure, get_logger
from printapi.kit.middleware import BodyLimitMiddleware, RejectNulMiddleware, RequireJsonMiddleware
from printapi.kit.problems import request_problems
from printapi.kit.schema import ErrorOut
from printapi.kit.wire import WireResponse
from printapi.openapi import install as install_openapi
from printapi.openapi import operation_id
from printapi.routes.accounts import router as accounts_router
from printapi.routes.auth import router as auth_router
from printapi.routes.catalogue import router as catalogue_router
from printapi.routes.coupons import router as coupons_router
from printapi.routes.events import router as events_router
from printapi.routes.files import router as files_router
from printapi.routes.operator import router as operator_router
from printapi.routes.orders import router as orders_router
from printapi.routes.payments import router as payments_router
from printapi.routes.shipping import router as shipping_router
from printapi.routes.webhooks import router as webhooks_router
from printapi.runtime import Runtime, freeze_startup_objects
from printapi.worker import Worker

log = get_logger("printapi.app")

DESCRIPTION = """
A self-hostable, wire-compatible implementation of the **Print API v2**.

Authenticate with OAuth2 client credentials at `POST /v2/oauth` (form body or HTTP Basic), then send
`Authorization: Bearer <token>`. Costs are purchase prices excluding VAT; dates are local time
(Europe/Amsterdam) without an offset. `/v1/...` is an alias with the v1 field names.

Errors use one body: `{"message": "...", "hints": [...], "errors": [{"field": "...", "message": "..."}]}`.
"""


# The order in which a request's path is matched (and the OpenAPI document lists the paths):
# orders first, the endpoints shops call most. FastAPI tries the routers one by one; three
# routers fewer before the orders' were 140 Python calls fewer per order request
# (bench/hot_path.py: GET /v2/orders/{id} 2,589 -> 2,448).
DOMAINS = (
    orders_router,
    auth_router,
    catalogue_router,
    shipping_router,
    files_router,
    payments_router,
    coupons_router,
    accounts_router,
    webhooks_router,
    events_router,
    operator_router,
)
VERSIONS = ("/v2", "/v1")


def _method_table() -> list[tuple[re.Pattern[str], frozenset[str]]]:
    """Path patterns of the API and the methods each serves: for the Allow header of a 405, and
    for the Idempotency-Key middleware, which claims keys for served requests only."""
    table = []
    for prefix in VERSIONS:
        for domain in DOMAINS:
            for route in domain.routes:
                if isinstance(route, APIRoute):
                    pattern, _, _ = compile_path(prefix + route.path)
                    table.append((pattern, frozenset(route.methods or ())))
    return table


def _error_response(request: Request, error: ApiError) -> Response:
    request.state.error_code = error.code  # the request's log line names it (kit/logging.py)
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(error, Unauthenticated) else None
    return WireResponse(
        ErrorOut.of(error), zone=request.app.state.runtime.zone, status_code=error.status, headers=headers
    )


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> Response:
        return _error_response(request, exc)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        return _error_response(request, InvalidInput.of(request_problems(exc.errors())))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        messages = {
            404: f"No endpoint at {request.url.path}.",
            405: f"{request.method} is not allowed on {request.url.path}.",
        }
        body = ErrorOut.of(ApiError(message=messages.get(exc.status_code, str(exc.detail))))
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = ", ".join(_allowed_methods(request))
        return WireResponse(
            body, zone=request.app.state.runtime.zone, status_code=exc.status_code, headers=headers
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception(
            "unhandled error", path=request.url.path, request_id=getattr(request.state, "request_id", None)
        )
        body = {
            "message": "Internal server error.",
            "hints": ["Try again; if it persists, contact the print shop."],
            "errors": [],
        }
        return JSONResponse(body, status_code=500)


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this path (Starlette names only the first route's)."""
    methods: set[str] = set()
    for pattern, served in request.app.state.method_table:
        if pattern.match(request.url.path):
            methods |= served
    return sorted(methods)


def _install_docs(app: FastAPI) -> None:
    static = resources.files("printapi").joinpath("static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/v2/openapi.json",
            title="printapi — API documentation",
            swagger_js_url="/static/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/favicon.ico",
            oauth2_redirect_url="/static/swagger-ui/oauth2-redirect.html",
        )

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> FileResponse:
        # Browsers ask for it on the first visit of every page (a 404 there is a console error).
        return FileResponse(
            str(static.joinpath("favicon.ico")),
            media_type="image/vnd.microsoft.icon",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    @app.get("/metrics", tags=["operations"], summary="Prometheus metrics", response_class=PlainTextResponse)
    async def get_metrics(runtime: RuntimeDep) -> Response:
        return Response(await health.metrics_text(runtime), media_type=CONTENT_TYPE_LATEST)

    @app.get("/healthz", tags=["operations"], summary="Liveness and database check")
    async def check_health(runtime: RuntimeDep) -> dict[str, str]:
        async with runtime.db.read() as session:
            await session.execute(text("SELECT 1"))
        return {"status": "ok", "version": __version__}

    @app.get(
        "/readyz",
        tags=["operations"],
        summary="Readiness: the database and every worker loop of this process",
        responses={503: {"description": "Not ready: `problems` names the database or the loops"}},
    )
    async def check_readiness(runtime: RuntimeDep) -> Response:
        found = await health.readiness(runtime)
        return JSONResponse(found.body(), status_code=found.status_code)


def _report_unexpected_end(task: asyncio.Task[None]) -> None:
    """Each loop is supervised; should the supervision itself end with an error, it is not silent."""
    if not task.cancelled() and (error := task.exception()) is not None:
        log.error("the embedded worker stopped", exc_info=(type(error), error, error.__traceback__))


def create_served_app() -> FastAPI:
    """The app of ``printapi serve``'s processes (uvicorn's factory): as ``create_app``, and once
    started, what starting made is frozen out of the garbage collector's sight."""
    return create_app(freeze_after_start=True)


def create_app(
    settings: Settings | None = None, *, runtime: Runtime | None = None, freeze_after_start: bool = False
) -> FastAPI:
    if runtime is None:
        runtime = Runtime.create(settings or Settings())
    configure(level=runtime.settings.log_level, fmt=runtime.settings.log_format)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        countries.warm()
        if freeze_after_start:
            freeze_startup_objects()
        if not runtime.settings.embedded_worker:
            yield
            await runtime.close()
            return
        worker = Worker(runtime)
        await worker.start()  # a worker that cannot start fails the process, loudly
        loops = asyncio.create_task(worker.run_loops(), name="embedded-worker")
        loops.add_done_callback(_report_unexpected_end)
        yield
        worker.stop()
        try:
            await asyncio.wait_for(loops, timeout=runtime.settings.webhook_timeout_seconds + 2)
        except TimeoutError:
            log.warning("embedded worker did not stop in time; its leases will expire")
        await worker.close()
        await runtime.close()

    app = FastAPI(
        title="printapi",
        version=__version__,
        description=DESCRIPTION,
        openapi_url="/v2/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
    )
    app.state.runtime = runtime
    app.state.method_table = _method_table()
    # Each domain's router straight into the app: FastAPI walks every level of nested routers
    # for every request (a check that no route was added since), so one level fewer is a tenth
    # less routing work (bench/hot_path.py).
    for domain in DOMAINS:
        app.include_router(domain, prefix=VERSIONS[0])
    for domain in DOMAINS:
        app.include_router(domain, prefix=VERSIONS[1], include_in_schema=False)
    if runtime.settings.bench_routes:
        app.include_router(bench_router)
    # The dashboard: server-rendered pages under /dashboard (form posts; its own error pages).
    install_dashboard(app)
    _install_error_handlers(app)
    _install_docs(app)
    install_openapi(app)
    # Added last runs first: the log wraps the guards, which wrap Idempotency-Key, which wraps the app.
    app.add_middleware(
        IdempotencyMiddleware,
        prefixes=tuple(f"{version}/" for version in VERSIONS),
        except_prefixes=tuple(f"{version}/{path}" for version in VERSIONS for path in ("oauth", "files/")),
    )
    app.add_middleware(
        RequireJsonMiddleware,
        prefixes=tuple(f"{version}/" for version in VERSIONS),
        except_prefixes=tuple(
            f"{version}/{path}" for version in VERSIONS for path in ("oauth", "files/", "payments/")
        ),
    )
    app.add_middleware(
        BodyLimitMiddleware,
        limit=runtime.settings.max_body_bytes,
        prefixes={f"{version}/files/": runtime.settings.max_upload_bytes for version in VERSIONS},
    )
    app.add_middleware(RejectNulMiddleware)
    app.add_middleware(RequestLogMiddleware)
    return app
