"""The hub's HTTP API (FastAPI). Routes are thin: they authenticate, validate and call the store
functions in clinics.py, changes.py and relay.py.

Bodies are parsed and answers written with pydantic's own JSON (model_validate_json /
model_dump_json): a push of thousands of changes is the hot path, and this skips FastAPI's
generic encoder.
"""

from __future__ import annotations

from fastapi import Depends, FastAPI, HTTPException, Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy import Engine, select

from core.errors import NadiError
from sync.hub import relay_routes
from sync.hub.auth import authenticated_device
from sync.hub.backups import BackupRefused, fetch_backup, list_backups, store_backup
from sync.hub.changes import ForeignChange, PushGap, StreamDiverged, pull, push
from sync.hub.clinics import DeviceIdentity, HubAuthError, enrol_device
from sync.hub.relay import RelaySettings
from sync.hub.schema import clinic
from sync.protocol import MAX_PULL, PROTOCOL_VERSION, EnrolAnswer, EnrolRequest, PushRequest


def _json(model) -> Response:
    return Response(content=model.model_dump_json(), media_type="application/json")


def _parse(model, body: bytes):
    try:
        return model.model_validate_json(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        raise HTTPException(422, f"{where}: {first['msg']} ({exc.error_count()} problem(s) in the request)") from None


def create_app(engine: Engine, relay_settings: RelaySettings | None = None) -> FastAPI:
    app = FastAPI(title="Nadi hub", version=str(PROTOCOL_VERSION), docs_url=None, redoc_url=None)
    app.state.engine = engine
    app.state.relay_settings = relay_settings or RelaySettings()

    @app.exception_handler(NadiError)
    def _nadi_error(_request: Request, exc: NadiError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    @app.get("/v1/health")
    def health() -> dict:
        return {"ok": True, "service": "nadi-hub", "protocol": PROTOCOL_VERSION}

    @app.post("/v1/enrol")
    async def enrol(request: Request) -> Response:
        ask = _parse(EnrolRequest, await request.body())
        try:
            who, secret, high_water = enrol_device(engine, ask.token, ask.device_id, ask.name)
        except HubAuthError as exc:
            raise HTTPException(exc.status, str(exc)) from None
        with engine.connect() as conn:
            name = conn.execute(select(clinic.c.name).where(clinic.c.id == who.clinic_id)).scalar_one()
            conn.rollback()
        return _json(EnrolAnswer(clinic_id=who.clinic_id, clinic_name=name, device_id=who.device_id, device_secret=secret, high_water=high_water))

    @app.get("/v1/whoami")
    def whoami(who: DeviceIdentity = Depends(authenticated_device)) -> dict:
        return {"device_id": who.device_id, "clinic_id": who.clinic_id}

    @app.post("/v1/push")
    def push_changes(body: bytes = Depends(_body), who: DeviceIdentity = Depends(authenticated_device)) -> Response:
        ask = _parse(PushRequest, body)
        try:
            return _json(push(engine, who, ask.after, ask.changes))
        except PushGap as exc:
            return JSONResponse({"detail": str(exc), "high_water": exc.high_water}, status_code=409)
        except ForeignChange as exc:
            raise HTTPException(403, str(exc)) from None

    @app.get("/v1/pull")
    def pull_changes(
        after: int = Query(0, ge=0), limit: int = Query(1000, ge=1, le=MAX_PULL), after_id: str | None = Query(None, max_length=36),
        who: DeviceIdentity = Depends(authenticated_device),
    ) -> Response:
        try:
            return _json(pull(engine, who, after, limit, after_id))
        except StreamDiverged as exc:
            return JSONResponse({"detail": str(exc), "diverged": True}, status_code=409)

    @app.put("/v1/backups/{name}")
    def put_backup(name: str, request: Request, body: bytes = Depends(_body), who: DeviceIdentity = Depends(authenticated_device)) -> dict:
        try:
            return store_backup(engine, who, name, body, request.headers.get("x-content-sha256"))
        except BackupRefused as exc:
            raise HTTPException(422, str(exc)) from None

    @app.get("/v1/backups")
    def get_backups(who: DeviceIdentity = Depends(authenticated_device)) -> dict:
        return {"backups": list_backups(engine, who)}

    @app.get("/v1/backups/{name}")
    def get_backup(name: str, who: DeviceIdentity = Depends(authenticated_device)) -> Response:
        data = fetch_backup(engine, who, name)
        if data is None:
            raise HTTPException(404, f"the hub holds no backup named {name} for this clinic")
        return Response(content=data, media_type="application/octet-stream")

    app.include_router(relay_routes.router)
    return app


async def _body(request: Request) -> bytes:
    return await request.body()
