"""Authenticating a device on every hub call: `Authorization: Bearer <device id>:<secret>`."""

from __future__ import annotations

from fastapi import HTTPException, Request

from sync.hub.clinics import DeviceIdentity, HubAuthError, authenticate


def authenticated_device(request: Request) -> DeviceIdentity:
    """FastAPI dependency: the calling device, or 401/403 with the reason in `detail`."""
    header = request.headers.get("authorization", "")
    scheme, _, credentials = header.partition(" ")
    device_id, sep, secret = credentials.partition(":")
    if scheme.lower() != "bearer" or not sep:
        raise HTTPException(401, "this call needs the PC's hub credentials (Authorization: Bearer <device id>:<secret>)")
    try:
        return authenticate(request.app.state.engine, device_id.strip(), secret.strip())
    except HubAuthError as exc:
        raise HTTPException(exc.status, str(exc)) from None
