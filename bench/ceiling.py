"""The two ceilings every load figure is divided by, served like the app (bench/serve.py).

- `bare`: a raw ASGI callable answering a few bytes: what uvicorn itself can do here.
- `fastapi_sync`: a FastAPI `def` route returning a fixed small HTML string. Lentera's routes
  are sync `def` routes run in the thread pool, so this is the framework ceiling they compete
  with. `fastapi_async` (an `async def` route, no thread hop) is measured for reference.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

PAGE = "<!doctype html><html lang=id><title>Lentera</title><p>Selamat belajar.</p></html>"


async def bare(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    await send(
        {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"content-type", b"text/plain"), (b"content-length", b"2")],
        }
    )
    await send({"type": "http.response.body", "body": b"ok"})


def fastapi_sync() -> FastAPI:
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/", response_class=HTMLResponse)
    def page() -> HTMLResponse:
        return HTMLResponse(PAGE)

    return app


def fastapi_async() -> FastAPI:
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/", response_class=HTMLResponse)
    async def page() -> HTMLResponse:
        return HTMLResponse(PAGE)

    return app
