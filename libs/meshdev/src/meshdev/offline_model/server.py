"""The offline model's HTTP server: the Messages and Models APIs, health endpoints, and the
control endpoints tests script it with."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from meshdev.offline_model.api import api_routes
from meshdev.offline_model.control_routes import NAME, control_routes
from meshdev.offline_model.protocol import ApiError, new_id
from meshdev.offline_model.settings import OfflineModelSettings
from meshdev.offline_model.state import ServerState, error_response
from meshkit.logs import configure_logging
from meshkit.settings import load_settings

log = logging.getLogger("meshdev.offline_model")


async def healthz(_request: Request) -> Response:
    return JSONResponse({"status": "ok", "service": NAME})


async def readyz(_request: Request) -> Response:
    return JSONResponse({"status": "ready", "service": NAME})


async def on_http_error(request: Request, exc: Exception) -> Response:
    """Unknown paths and methods answer in the API's error shape, as the real API does."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        error = ApiError(404, "not_found_error", "Not found")
    elif exc.status_code == 405:
        error = ApiError(405, "invalid_request_error", f"Method {request.method} not allowed")
    else:
        error = ApiError(exc.status_code, "api_error", str(exc.detail))
    return error_response(error, new_id("req"))


async def on_unexpected(request: Request, exc: Exception) -> Response:
    log.error("offline model failed", exc_info=exc, extra={"path": request.url.path})
    error = ApiError(500, "api_error", "The offline model failed on this request; see its log.")
    return error_response(error, new_id("req"))


def create_app(settings: OfflineModelSettings | None = None) -> Starlette:
    """The server; without settings (`uvicorn --factory`) they come from the environment."""
    settings = settings or load_settings(OfflineModelSettings)
    configure_logging(NAME, settings.log_level, settings.log_format)
    state = ServerState(settings)
    routes = [
        *api_routes(state),
        *control_routes(state),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
    ]
    return Starlette(
        routes=routes,
        exception_handlers={HTTPException: on_http_error, Exception: on_unexpected},
    )


def serve(host: str, port: int, *, today: date | None = None) -> None:
    """Run the offline model in the foreground until interrupted (the `mesh` CLI uses this)."""
    import uvicorn

    overrides: dict[str, Any] = {"today": today} if today is not None else {}
    uvicorn.run(
        create_app(OfflineModelSettings(**overrides)), host=host, port=port, log_config=None
    )


def main(argv: list[str] | None = None) -> None:
    """`python -m meshdev.offline_model --host 127.0.0.1 --port 8099 [--today 2026-11-25]`."""
    import argparse

    parser = argparse.ArgumentParser(
        prog="python -m meshdev.offline_model",
        description="The bundled offline model: a local server speaking the Messages API.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on")
    parser.add_argument("--port", type=int, default=8099, help="port to listen on")
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        default=None,
        help="the date demo mode calls today (YYYY-MM-DD); default: the real date",
    )
    args = parser.parse_args(argv)
    serve(args.host, args.port, today=args.today)
