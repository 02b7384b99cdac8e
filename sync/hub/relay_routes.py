"""The relay over HTTP: public endpoints the outside world calls back on, and the endpoint a
clinic's PCs page through.

Inbound calls are answered as soon as the message is committed: ABDM and NHCX give up on a slow
receiver (NHCX allows 30 s) and send again. Database work and key fetching run in the thread pool
so a slow disk or gateway never stalls other callbacks on the event loop.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from sync.hub import relay
from sync.hub.auth import authenticated_device
from sync.hub.clinics import DeviceIdentity
from sync.hub.relay import GatewayKeys, RelayRejected, RelaySettings

router = APIRouter()


def relay_settings(request: Request) -> RelaySettings:
    return getattr(request.app.state, "relay_settings", None) or RelaySettings()


def _gateway_keys(request: Request, source: str) -> tuple[GatewayKeys | None, str | None, int]:
    """The gateway's key set for a source (None when none is configured), kept on the app so the
    JWKS is fetched once per cache period, not once per callback."""
    settings = relay_settings(request)
    cached = getattr(request.app.state, "relay_gateway_keys", None)
    if cached is None or cached[0] is not settings:
        built = {}
        for name in ("abdm", "nhcx"):
            url, file = getattr(settings, f"{name}_jwks_url"), getattr(settings, f"{name}_jwks_file")
            built[name] = GatewayKeys(name.upper(), url, file, settings.jwks_cache_seconds) if (url or file) else None
        cached = (settings, built)
        request.app.state.relay_gateway_keys = cached
    return cached[1][source], getattr(settings, f"{source}_audience"), settings.clock_skew_seconds


async def _read_body(request: Request, limit: int) -> bytes:
    too_large = HTTPException(413, f"the callback body is larger than the relay accepts ({limit // (1024 * 1024)} MB)")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def _suffix(request: Request, path: str) -> str:
    """What followed /relay/<clinic>/<source>/ in the URL, with any query: the PC routes on it."""
    suffix = path.strip("/")
    return f"{suffix}?{request.url.query}" if request.url.query else suffix


async def _accept(request: Request, clinic_id: str, source: str, request_id: str | None, path: str, body: bytes, verified: str) -> relay.Accepted:
    if request_id is not None:
        request_id = request_id.strip() or None
    try:
        return await run_in_threadpool(
            relay.accept_message, request.app.state.engine, clinic_id, source=source, request_id=request_id, path=path,
            headers=relay.kept_headers(request.headers.raw), body=body, verified=verified,
        )
    except RelayRejected as exc:
        raise HTTPException(exc.status, str(exc)) from None


async def _known_clinic(request: Request, clinic_id: str) -> str:
    try:
        return await run_in_threadpool(relay.relay_secret, request.app.state.engine, clinic_id)
    except RelayRejected as exc:
        raise HTTPException(exc.status, str(exc)) from None


async def _gateway_check(request: Request, source: str) -> str:
    keys, audience, skew = _gateway_keys(request, source)
    if keys is None:
        return f"not verified: no {source.upper()} gateway keys configured"
    # NHCX sends its token in bearer_auth as well as (or, on registry calls, instead of) Authorization.
    token = request.headers.get("authorization") or request.headers.get("bearer_auth")
    try:
        return await run_in_threadpool(relay.check_gateway_token, token, keys, audience, skew)
    except RelayRejected as exc:
        raise HTTPException(exc.status, str(exc)) from None


@router.post("/relay/{clinic_id}/webhook/{name}", status_code=202)
async def receive_webhook(clinic_id: str, name: str, request: Request) -> Response:
    """A generic webhook, signed with the clinic's relay secret (X-Nadi-Signature)."""
    secret = await _known_clinic(request, clinic_id)
    body = await _read_body(request, relay_settings(request).max_body_bytes)
    try:
        verified = relay.check_webhook_signature(secret, body, request.headers.get("x-nadi-signature"))
    except RelayRejected as exc:
        raise HTTPException(exc.status, str(exc)) from None
    request_id = request.headers.get("x-request-id") or request.headers.get("idempotency-key")
    accepted = await _accept(request, clinic_id, "webhook", request_id, _suffix(request, name), body, verified)
    return JSONResponse({"id": accepted.id}, status_code=202)


@router.post("/relay/{clinic_id}/abdm/{path:path}", status_code=202)
async def receive_abdm(clinic_id: str, path: str, request: Request) -> Response:
    """An ABDM gateway callback. Any path prefix is accepted (the gateway uses several); the PC
    routes on the path's end. ABDM expects an empty 202."""
    await _known_clinic(request, clinic_id)
    body = await _read_body(request, relay_settings(request).max_body_bytes)
    verified = await _gateway_check(request, "abdm")
    await _accept(request, clinic_id, "abdm", request.headers.get("request-id"), _suffix(request, path), body, verified)
    return Response(status_code=202)


@router.post("/relay/{clinic_id}/nhcx/{path:path}", status_code=202)
async def receive_nhcx(clinic_id: str, path: str, request: Request) -> Response:
    """An NHCX / HCX callback: a JWE envelope kept still encrypted, or a clear ProtocolResponse.
    Its api_call_id (read from the protected header) identifies retries. Answered with the receipt
    NHCX expects."""
    await _known_clinic(request, clinic_id)
    body = await _read_body(request, relay_settings(request).max_body_bytes)
    verified = await _gateway_check(request, "nhcx")
    try:
        envelope = relay.read_nhcx_envelope(body)
    except RelayRejected as exc:
        raise HTTPException(exc.status, str(exc)) from None
    suffix = _suffix(request, path)
    await _accept(request, clinic_id, "nhcx", envelope.get("api_call_id") or None, suffix, body, verified)
    return JSONResponse(relay.nhcx_receipt(envelope, suffix), status_code=202)


@router.get("/v1/relay")
def list_relayed(request: Request, after: int = Query(0, ge=0), limit: int = Query(100, ge=1, le=500), identity: DeviceIdentity = Depends(authenticated_device)) -> dict:
    """The calling PC's clinic's messages after its cursor, oldest first, and the clinic's head."""
    page = relay.messages_after(request.app.state.engine, identity.clinic_id, after, limit)
    return {"messages": page.messages, "head": page.head}
