"""The control endpoints tests use (`/_offline/...`): scripts, per-key settings, recorded
requests, resets. No API key: they are for the machine running the tests, never under /v1."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from meshdev.offline_model.protocol import ApiError, invalid_request, new_id
from meshdev.offline_model.scripted import KeyConfig, RecordedRequests, Script, ServerInfo
from meshdev.offline_model.state import ServerState, error_response

Handler = Callable[[Request], Awaitable[Response]]

NAME = "offline-model"


def _checked(handler: Handler) -> Handler:
    """Bad control bodies answer 400 in the same error shape as the API."""

    async def wrapped(request: Request) -> Response:
        try:
            return await handler(request)
        except ValidationError as exc:
            error = exc.errors()[0]
            where = ".".join(str(part) for part in error["loc"])
            return error_response(invalid_request(f"{where}: {error['msg']}"), new_id("req"))
        except ApiError as error:
            return error_response(error, new_id("req"))

    return wrapped


async def _body(request: Request) -> Any:
    try:
        return await request.json()
    except ValueError as exc:
        raise invalid_request(f"The request body is not valid JSON: {exc}") from None


def control_routes(state: ServerState) -> list[Route]:
    store = state.store

    async def info(_request: Request) -> Response:
        today, _ = state.today()
        body = ServerInfo(
            name=NAME,
            today=today,
            today_fixed=state.settings.today is not None,
            models=list(state.settings.models),
        )
        return JSONResponse(body.model_dump(mode="json"))

    async def put_script(request: Request) -> Response:
        script = Script.model_validate(await _body(request))
        status = store.load(request.path_params["key"], script)
        return JSONResponse(status.model_dump(mode="json"))

    async def get_script(request: Request) -> Response:
        return JSONResponse(store.status(request.path_params["key"]).model_dump(mode="json"))

    async def put_config(request: Request) -> Response:
        config = KeyConfig.model_validate(await _body(request))
        store.state(request.path_params["key"]).today = config.today
        return JSONResponse(config.model_dump(mode="json"))

    async def get_config(request: Request) -> Response:
        today = store.state(request.path_params["key"]).today
        return JSONResponse(KeyConfig(today=today).model_dump(mode="json"))

    async def get_requests(request: Request) -> Response:
        path = request.query_params.get("path")
        entries = [
            entry
            for entry in store.state(request.path_params["key"]).log
            if path is None or entry.path == path
        ]
        return JSONResponse(RecordedRequests(requests=entries).model_dump(mode="json"))

    async def delete_key(request: Request) -> Response:
        store.reset(request.path_params["key"])
        return Response(status_code=204)

    async def reset(_request: Request) -> Response:
        store.reset_all()
        return Response(status_code=204)

    keyed = "/_offline/keys/{key}"
    return [
        Route("/_offline/info", _checked(info), methods=["GET"]),
        Route("/_offline/reset", _checked(reset), methods=["POST"]),
        Route(f"{keyed}/script", _checked(put_script), methods=["PUT"]),
        Route(f"{keyed}/script", _checked(get_script), methods=["GET"]),
        Route(f"{keyed}/config", _checked(put_config), methods=["PUT"]),
        Route(f"{keyed}/config", _checked(get_config), methods=["GET"]),
        Route(f"{keyed}/requests", _checked(get_requests), methods=["GET"]),
        Route(keyed, _checked(delete_key), methods=["DELETE"]),
    ]
