"""The reference: the least a FastAPI endpoint can do, served exactly like the gateway.

`uvicorn --factory bench.bare:create_app`, started by `meshdev.procs.start_service` as every
mesh service is, so the server, its settings and the socket hand-over are the same and only
the application differs.
"""

from __future__ import annotations

from fastapi import FastAPI


def create_app() -> FastAPI:
    app = FastAPI(title="bare", openapi_url=None, docs_url=None, redoc_url=None)

    @app.post("/ok")
    async def ok() -> dict[str, bool]:
        return {"ok": True}

    @app.get("/readyz")
    async def readyz() -> dict[str, str]:
        return {"status": "ready"}

    return app
