"""The dashboard's routes, under /dashboard (form posts, not JSON: the API's guards do not apply)."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from printapi.dashboard.pages import DashboardFailure, DashboardRoute, answer_failure
from printapi.dashboard.routes import auth, operator, orders, owner, webhooks
from printapi.kit.errors import NotFound


def _not_found_router() -> APIRouter:
    unknown = APIRouter(route_class=DashboardRoute, include_in_schema=False)

    @unknown.get("/dashboard/{rest:path}")
    async def not_found(rest: str) -> None:
        """Any other dashboard address: a page that says so (the API's 404 is JSON)."""
        raise NotFound(message="There is no such page in the dashboard.", hints=["Use the menu above."])

    return unknown


def dashboard_router() -> APIRouter:
    router = APIRouter(include_in_schema=False)
    for part in (
        auth.router,
        owner.router,
        webhooks.router,
        orders.router,
        operator.router,
        _not_found_router(),
    ):
        router.include_router(part)
    return router


def install(app: FastAPI) -> None:
    """Mount the dashboard and its failure pages on the application."""
    app.include_router(dashboard_router())
    app.add_exception_handler(DashboardFailure, answer_failure)
