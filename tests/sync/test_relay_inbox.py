"""The relay: callbacks from ABDM, NHCX and signed webhooks reach the hub over real HTTP, are
checked, kept as they arrived and acknowledged; a clinic's PC fetches them into its own encrypted
database and its job runner processes them (or puts them in front of a person)."""

from __future__ import annotations

import base64
import json
import os
import time
import uuid

import httpx
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from fastapi import FastAPI
from sqlalchemy import select

from core.errors import NadiError
from core.storage.database import SYSTEM
from core.storage.models import AuditEvent, Job, RelayMessage, SyncState
from sync.agent.hub_client import HubClient, HubUnreachable
from sync.agent.relay_inbox import fetch_relayed, relay_handlers
from sync.hub.clinics import add_clinic, enrol_device
from sync.hub.engine import open_hub
from sync.hub.relay import RelaySettings, webhook_signature
from sync.hub.relay_routes import router
from sync.hub.schema import clinic as clinic_table
from sync.hub.schema import relay_message
from sync.jobs import dead_letters, job_counts, run_due
from tests.sync.hub_server import serve_app


# --- the hub and what talks to it ----------------------------------------------------------------


@pytest.fixture
def hub(tmp_path):
    engine = open_hub(f"sqlite:///{tmp_path / 'hub.db'}")
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_hub(request, tmp_path):
    url = request.getfixturevalue("pg_url") if request.param == "postgresql" else f"sqlite:///{tmp_path / 'hub.db'}"
    engine = open_hub(url)
    yield engine
    engine.dispose()


def relay_app(engine, settings: RelaySettings | None = None) -> FastAPI:
    app = FastAPI()
    app.state.engine = engine
    if settings is not None:
        app.state.relay_settings = settings
    app.include_router(router)
    return app


def stored(engine, clinic_id=None):
    with engine.connect() as conn:
        query = select(relay_message).order_by(relay_message.c.clinic_id, relay_message.c.relay_seq)
        if clinic_id:
            query = query.where(relay_message.c.clinic_id == clinic_id)
        return conn.execute(query).all()


def relay_head(engine, clinic_id):
    with engine.connect() as conn:
        return conn.execute(select(clinic_table.c.relay_head).where(clinic_table.c.id == clinic_id)).scalar()


def post_webhook(base, clinic, body: bytes, request_id: str | None = "lab-77", secret=None, name="lab-results", signature=None):
    headers = {"content-type": "application/json", "x-nadi-signature": signature or webhook_signature(secret or clinic.relay_secret, body)}
    if request_id:
        headers["x-request-id"] = request_id
    return httpx.post(f"{base}/relay/{clinic.clinic_id}/webhook/{name}", content=body, headers=headers)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def new_rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def jwk(private_key, kid: str) -> dict:
    numbers = private_key.public_key().public_numbers()
    return {"kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid,
            "n": b64url(numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")), "e": b64url(numbers.e.to_bytes(3, "big"))}


def gateway_jwt(private_key, kid="gw-1", aud="account", expires_in=300) -> str:
    header = b64url(json.dumps({"alg": "RS256", "typ": "JWT", "kid": kid}).encode())
    now = int(time.time())
    claims = b64url(json.dumps({"iss": "https://dev.abdm.gov.in/auth/realms/central-registry", "aud": aud, "iat": now, "exp": now + expires_in,
                                "clientId": "gateway"}).encode())
    signature = private_key.sign(f"{header}.{claims}".encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{header}.{claims}.{b64url(signature)}"


def seal_jwe(protected: dict, plaintext: bytes, public_key) -> str:
    """A compact JWE, RSA-OAEP-256 + A256GCM, as an NHCX payer sends it."""
    header = b64url(json.dumps(protected).encode())
    cek, iv = os.urandom(32), os.urandom(12)
    encrypted_key = public_key.encrypt(cek, padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None))
    sealed = AESGCM(cek).encrypt(iv, plaintext, header.encode("ascii"))
    return ".".join([header, b64url(encrypted_key), b64url(iv), b64url(sealed[:-16]), b64url(sealed[-16:])])


def open_jwe(compact: str, private_key) -> bytes:
    header, encrypted_key, iv, ciphertext, tag = compact.split(".")
    pad = lambda s: base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))  # noqa: E731
    cek = private_key.decrypt(pad(encrypted_key), padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None))
    return AESGCM(cek).decrypt(pad(iv), pad(ciphertext) + pad(tag), header.encode("ascii"))


def gateway_keys_app(keys: list[dict], fetches: list) -> FastAPI:
    """A stand-in for the ABDM gateway's certs endpoint."""
    app = FastAPI()

    @app.get("/gateway/v3/certs")
    def certs():
        fetches.append(1)
        return {"keys": keys}

    return app


# --- webhooks ------------------------------------------------------------------------------------


def test_a_signed_webhook_is_kept_once_and_a_badly_signed_one_not_at_all(any_hub):
    clinic = add_clinic(any_hub, "Shanti Clinic")
    body = b'{"report": "CBC", "patient": "P1", "hb": 11.2}'
    with serve_app(relay_app(any_hub)) as base:
        forged = post_webhook(base, clinic, body, secret="not-the-clinic-secret")
        unsigned = httpx.post(f"{base}/relay/{clinic.clinic_id}/webhook/lab-results", content=body, headers={"x-request-id": "lab-77"})
        assert forged.status_code == 401 and "does not match the body" in forged.json()["detail"]
        assert unsigned.status_code == 401 and "not signed" in unsigned.json()["detail"]
        assert stored(any_hub) == []

        first = post_webhook(base, clinic, body)
        again = post_webhook(base, clinic, body)  # the sender did not hear the first answer and retried
        other = post_webhook(base, clinic, b'{"report": "LFT"}', request_id=None, name="lab-results", secret=clinic.relay_secret)
    assert first.status_code == 202 and again.status_code == 202
    assert again.json() == first.json()
    rows = stored(any_hub)
    assert [(r.relay_seq, r.request_id, r.path) for r in rows] == [(1, "lab-77", "lab-results"), (2, None, "lab-results")]
    assert bytes(rows[0].body) == body and rows[0].id == first.json()["id"]
    assert rows[0].verified == "HMAC-SHA256 signature checked"
    assert relay_head(any_hub, clinic.clinic_id) == 2
    assert other.status_code == 202


def test_headers_are_kept_as_sent_except_hop_by_hop_ones(hub):
    clinic = add_clinic(hub, "Shanti Clinic")
    with serve_app(relay_app(hub)) as base:
        body = b"{}"
        response = httpx.post(f"{base}/relay/{clinic.clinic_id}/webhook/billing", content=body,
                              headers={"x-nadi-signature": webhook_signature(clinic.relay_secret, body), "idempotency-key": "pay-1",
                                       "x-sender": "upi-gateway", "connection": "keep-alive, x-trace", "x-trace": "hop", "keep-alive": "timeout=5"})
    assert response.status_code == 202
    [row] = stored(hub)
    headers = json.loads(row.headers)
    assert row.request_id == "pay-1"
    assert headers["x-sender"] == "upi-gateway" and headers["x-nadi-signature"].startswith("sha256=")
    assert not {"connection", "keep-alive", "x-trace"} & headers.keys()


def test_an_unknown_clinic_is_404_on_every_source(hub):
    add_clinic(hub, "Shanti Clinic")
    nobody = str(uuid.uuid4())
    with serve_app(relay_app(hub)) as base:
        for source in ("webhook/lab", "abdm/api/v3/hip/token/on-generate-token", "nhcx/v1/claim/on_submit"):
            response = httpx.post(f"{base}/relay/{nobody}/{source}", content=b"{}", headers={"request-id": "r1"})
            assert response.status_code == 404
            assert "no clinic" in response.json()["detail"] and "callback URL" in response.json()["detail"]
    assert stored(hub) == []


def test_a_body_over_the_limit_is_refused_with_413(hub):
    clinic = add_clinic(hub, "Shanti Clinic")
    body = b"x" * 2048
    with serve_app(relay_app(hub, RelaySettings(max_body_bytes=1024))) as base:
        response = post_webhook(base, clinic, body)
        fits = post_webhook(base, clinic, b"y" * 1024, request_id="small")
    assert response.status_code == 413 and "larger than the relay accepts" in response.json()["detail"]
    assert fits.status_code == 202
    assert [r.request_id for r in stored(hub)] == ["small"]


# --- ABDM ----------------------------------------------------------------------------------------


def abdm_headers(request_id, token=None):
    headers = {"content-type": "application/json", "request-id": request_id, "timestamp": "2025-01-10T04:45:00.000Z", "x-hip-id": "IN2710000123"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    return headers


def test_abdm_callbacks_without_gateway_keys_are_kept_marked_not_verified(hub):
    clinic = add_clinic(hub, "Shanti Clinic")
    body = b'{"abhaAddress":"ravi@sbx","linkToken":"eyJ...","response":{"requestId":"5f7a"}}'
    url_path = "api/v3/hip/token/on-generate-token"
    with serve_app(relay_app(hub)) as base:
        first = httpx.post(f"{base}/relay/{clinic.clinic_id}/abdm/{url_path}", content=body, headers=abdm_headers("9b1c"))
        retry = httpx.post(f"{base}/relay/{clinic.clinic_id}/abdm/{url_path}", content=body, headers=abdm_headers("9b1c"))
    assert (first.status_code, first.content, retry.status_code, retry.content) == (202, b"", 202, b"")
    [row] = stored(hub)
    assert (row.source, row.request_id, row.path) == ("abdm", "9b1c", url_path)
    assert row.verified == "not verified: no ABDM gateway keys configured"
    assert json.loads(row.headers)["x-hip-id"] == "IN2710000123" and bytes(row.body) == body


def test_abdm_gateway_token_is_checked_against_the_gateway_jwks(hub):
    clinic = add_clinic(hub, "Shanti Clinic")
    gateway, impostor = new_rsa_key(), new_rsa_key()
    fetches = []
    body = b'{"acknowledgement":{"status":"SUCCESS"},"response":{"requestId":"c41"}}'
    with serve_app(gateway_keys_app([jwk(gateway, "gw-1")], fetches)) as gw:
        settings = RelaySettings(abdm_jwks_url=f"{gw}/gateway/v3/certs")
        with serve_app(relay_app(hub, settings)) as base:
            url = f"{base}/relay/{clinic.clinic_id}/abdm/v3/links/context/on-notify"
            good = httpx.post(url, content=body, headers=abdm_headers("r-1", gateway_jwt(gateway)))
            second = httpx.post(url, content=body, headers=abdm_headers("r-2", gateway_jwt(gateway)))
            forged = httpx.post(url, content=body, headers=abdm_headers("r-3", gateway_jwt(impostor)))
            expired = httpx.post(url, content=body, headers=abdm_headers("r-4", gateway_jwt(gateway, expires_in=-3600)))
            wrong_audience = httpx.post(url, content=body, headers=abdm_headers("r-5", gateway_jwt(gateway, aud="someone-else")))
            missing = httpx.post(url, content=body, headers=abdm_headers("r-6"))
    assert good.status_code == 202 and second.status_code == 202
    assert forged.status_code == 401 and "signature does not match" in forged.json()["detail"]
    assert expired.status_code == 401 and "expired" in expired.json()["detail"]
    assert wrong_audience.status_code == 401 and "meant for 'someone-else'" in wrong_audience.json()["detail"]
    assert missing.status_code == 401 and "no gateway token" in missing.json()["detail"]
    rows = stored(hub)
    assert [r.request_id for r in rows] == ["r-1", "r-2"]
    assert rows[0].verified == "ABDM gateway token checked (RS256, key gw-1)"
    assert len(fetches) == 1  # the key set is cached, not fetched per callback


def test_abdm_gateway_keys_can_come_from_a_file(hub, tmp_path):
    clinic = add_clinic(hub, "Shanti Clinic")
    gateway = new_rsa_key()
    keys_file = tmp_path / "abdm-certs.json"
    keys_file.write_text(json.dumps({"keys": [jwk(gateway, "gw-2")]}))
    with serve_app(relay_app(hub, RelaySettings(abdm_jwks_file=keys_file))) as base:
        url = f"{base}/relay/{clinic.clinic_id}/abdm/api/v3/hip/patient/care-context/discover"
        unknown_key = httpx.post(url, content=b"{}", headers=abdm_headers("d-0", gateway_jwt(gateway, kid="gw-9")))
        good = httpx.post(url, content=b"{}", headers=abdm_headers("d-1", gateway_jwt(gateway, kid="gw-2")))
    assert unknown_key.status_code == 401 and "'gw-9', which the gateway does not publish" in unknown_key.json()["detail"]
    assert good.status_code == 202 and stored(hub)[0].verified == "ABDM gateway token checked (RS256, key gw-2)"


def test_abdm_callback_is_refused_for_now_when_the_gateway_keys_cannot_be_read(hub, tmp_path):
    clinic = add_clinic(hub, "Shanti Clinic")
    settings = RelaySettings(abdm_jwks_file=tmp_path / "missing.json")
    with serve_app(relay_app(hub, settings)) as base:
        response = httpx.post(f"{base}/relay/{clinic.clinic_id}/abdm/v3/x", content=b"{}", headers=abdm_headers("k-1", gateway_jwt(new_rsa_key())))
    assert response.status_code == 503 and "send it again later" in response.json()["detail"]
    assert stored(hub) == []


# --- NHCX ----------------------------------------------------------------------------------------


def nhcx_protected(api_call_id, correlation_id):
    return {"alg": "RSA-OAEP-256", "enc": "A256GCM", "x-hcx-sender_code": "payer-01@sbx", "x-hcx-recipient_code": "shanti-clinic@sbx",
            "x-hcx-api_call_id": api_call_id, "x-hcx-correlation_id": correlation_id, "x-hcx-workflow_id": "21",
            "x-hcx-timestamp": "2025-01-10T10:15:00+05:30", "x-hcx-status": "response.complete"}


def test_an_nhcx_envelope_is_kept_still_encrypted_byte_for_byte(hub):
    clinic = add_clinic(hub, "Shanti Clinic")
    clinic_key = new_rsa_key()  # the clinic's own encryption key; the hub never has it
    bundle = b'{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"ClaimResponse","outcome":"complete"}}]}'
    jwe = seal_jwe(nhcx_protected("0d5b-call", "7c3e-corr"), bundle, clinic_key.public_key())
    # As sent, spacing and key order included: the PC must get exactly these bytes to decrypt.
    body = ('{"type": "JWEPayload",  "payload": "' + jwe + '"}').encode()
    with serve_app(relay_app(hub)) as base:
        url = f"{base}/relay/{clinic.clinic_id}/nhcx/v1/preauth/on_submit"
        headers = {"content-type": "application/json", "authorization": "Bearer eyJ.gw.token", "bearer_auth": "Bearer eyJ.gw.token"}
        first = httpx.post(url, content=body, headers=headers)
        again = httpx.post(url, content=body, headers=headers)
    assert first.status_code == 202 and again.status_code == 202
    receipt = first.json()
    assert (receipt["api_call_id"], receipt["correlation_id"]) == ("0d5b-call", "7c3e-corr")
    assert receipt["result"] == {"sender_code": "payer-01@sbx", "recipient_code": "shanti-clinic@sbx", "entity_type": "preauth", "protocol_status": "request.queued"}
    assert receipt["error"] == {"code": "", "message": ""}
    assert len(receipt["timestamp"]) == len("10/01/2025 10:15:00:123")
    [row] = stored(hub)
    assert bytes(row.body) == body
    assert (row.source, row.request_id, row.path) == ("nhcx", "0d5b-call", "v1/preauth/on_submit")
    assert row.verified == "not verified: no NHCX gateway keys configured"
    assert open_jwe(json.loads(bytes(row.body))["payload"], clinic_key) == bundle


def test_a_clear_nhcx_protocol_response_is_kept_whole(hub):
    clinic = add_clinic(hub, "Shanti Clinic")
    body = json.dumps({"type": "ProtocolResponse", "x-hcx-api_call_id": "e-1", "x-hcx-correlation_id": "c-9", "x-hcx-status": "response.error",
                       "x-hcx-sender_code": "nhcx@sbx", "x-hcx-recipient_code": "shanti-clinic@sbx",
                       "x-hcx-error_details": {"code": "NHCX-1001", "message": "receiver unreachable"}, "x-nhcx-extra": [1, 2]}).encode()
    with serve_app(relay_app(hub)) as base:
        response = httpx.post(f"{base}/relay/{clinic.clinic_id}/nhcx/v1/error", content=body, headers={"content-type": "application/json"})
        garbage = httpx.post(f"{base}/relay/{clinic.clinic_id}/nhcx/v1/claim/on_submit", content=b"<html>", headers={"content-type": "text/html"})
    assert response.status_code == 202 and response.json()["api_call_id"] == "e-1"
    assert garbage.status_code == 400 and "neither a JWE envelope" in garbage.json()["detail"]
    [row] = stored(hub)
    assert bytes(row.body) == body and row.request_id == "e-1"


# --- a clinic's PCs reading the relay ------------------------------------------------------------


def enrol(engine, clinic, name="Reception PC"):
    identity, secret, _ = enrol_device(engine, clinic.enrolment_token, str(uuid.uuid4()), name)
    return identity, secret


def test_a_pc_reads_only_its_own_clinics_relay(any_hub):
    hub = any_hub
    clinic_x, clinic_y = add_clinic(hub, "Shanti Clinic"), add_clinic(hub, "Sai Clinic")
    device_b, secret_b = enrol(hub, clinic_x, "Doctor's PC")
    with serve_app(relay_app(hub)) as base:
        assert post_webhook(base, clinic_y, b'{"for": "Y"}', request_id="y-1").status_code == 202
        assert post_webhook(base, clinic_x, b'{"for": "X"}', request_id="x-1").status_code == 202
        with HubClient(base, device_b.device_id, secret_b) as client:
            page = client.call("GET", "/v1/relay", params={"after": 0})
        anonymous = httpx.get(f"{base}/v1/relay")
    assert page["head"] == 1
    assert [(m["request_id"], base64.b64decode(m["body_b64"])) for m in page["messages"]] == [("x-1", b'{"for": "X"}')]
    assert anonymous.status_code == 401


# --- end to end: hub -> this PC's encrypted database -> job -> done, or a person -----------------


@pytest.fixture
def enrolled(db, hub):
    """This clinic's hub served over HTTP, and the test clinic database enrolled with it."""
    clinic = add_clinic(hub, "Shanti Clinic")
    identity, secret, _ = enrol_device(hub, clinic.enrolment_token, db.node_id, "Reception PC")
    with serve_app(relay_app(hub)) as base:
        with db.write(SYSTEM) as session:
            session.add(SyncState(id=1, hub_url=base, clinic_id=identity.clinic_id, device_id=identity.device_id, device_secret=secret))
        with HubClient(base, identity.device_id, secret) as client:
            yield base, clinic, client


def test_a_webhook_reaches_the_pc_and_is_recorded_by_its_job(db, enrolled):
    base, clinic, client = enrolled
    assert post_webhook(base, clinic, b'{"report": "CBC"}', request_id="lab-1").status_code == 202
    assert fetch_relayed(db, client) == 1
    assert fetch_relayed(db, client) == 0  # nothing new the second time
    with db.read() as session:
        [message] = session.scalars(select(RelayMessage)).all()
        state = session.get(SyncState, 1)
        job = session.get(Job, message.job_id)
    assert (message.source, message.request_id, message.path, message.body) == ("webhook", "lab-1", "lab-results", b'{"report": "CBC"}')
    assert state.relay_cursor == 1 and job.kind == "relay.process" and job.idempotency_key == f"relay:{message.id}"

    report = run_due(db, relay_handlers(db))
    assert report.done == [job.id]
    with db.read() as session:
        [event] = session.scalars(select(AuditEvent).where(AuditEvent.action == "relay.webhook_received")).all()
    assert event.entity_id == message.id
    assert json.loads(event.detail) == {"source": "webhook", "name": "lab-results", "request_id": "lab-1", "relay_seq": 1}


def test_an_abdm_callback_lands_on_the_dead_letter_list_with_a_clear_reason(db, enrolled):
    base, clinic, client = enrolled
    response = httpx.post(f"{base}/relay/{clinic.clinic_id}/abdm/api/v3/hip/token/on-generate-token", content=b'{"linkToken":"x"}', headers=abdm_headers("a-1"))
    assert response.status_code == 202
    assert fetch_relayed(db, client) == 1
    report = run_due(db, relay_handlers(db))
    [letter] = dead_letters(db)
    assert report.dead == [letter.id] and letter.kind == "relay.process"
    assert letter.last_error == "ABDM callbacks are not handled by this version of Nadi yet; the message is kept"
    with db.read() as session:
        assert session.get(RelayMessage, letter.payload["message_id"]).body == b'{"linkToken":"x"}'


class CablePulledAfter(httpx.BaseTransport):
    """The network: passes the first `n` calls through, then the cable is pulled."""

    def __init__(self, n: int) -> None:
        self.left = n
        self.inner = httpx.HTTPTransport()

    def handle_request(self, request):
        if self.left == 0:
            raise httpx.ConnectError("network cable unplugged", request=request)
        self.left -= 1
        return self.inner.handle_request(request)

    def close(self):
        self.inner.close()


def test_a_cut_between_pages_loses_nothing_and_duplicates_nothing(db, enrolled):
    base, clinic, client = enrolled
    for n in range(5):
        assert post_webhook(base, clinic, f'{{"n": {n}}}'.encode(), request_id=f"w-{n}").status_code == 202
    with db.read() as session:
        state = session.get(SyncState, 1)
    with HubClient(base, state.device_id, state.device_secret, transport=CablePulledAfter(1)) as flaky:
        with pytest.raises(HubUnreachable):
            fetch_relayed(db, flaky, page_size=2)
    with db.read() as session:
        assert session.get(SyncState, 1).relay_cursor == 2
        assert sorted(m.request_id for m in session.scalars(select(RelayMessage))) == ["w-0", "w-1"]
    assert job_counts(db)["queued"] == 2

    assert fetch_relayed(db, client, page_size=2) == 3
    # Even a cursor set back (a restored backup of this PC) brings no second copy and no second job.
    with db.write(SYSTEM) as session:
        session.get(SyncState, 1).relay_cursor = 0
    assert fetch_relayed(db, client, page_size=2) == 0
    with db.read() as session:
        assert sorted(m.request_id for m in session.scalars(select(RelayMessage))) == [f"w-{n}" for n in range(5)]
        assert session.get(SyncState, 1).relay_cursor == 5
    assert job_counts(db)["queued"] == 5
    assert len(run_due(db, relay_handlers(db)).done) == 5


def test_a_rebuilt_hub_relay_stops_the_fetch_instead_of_skipping_messages(db, enrolled, tmp_path):
    base, clinic, client = enrolled
    assert post_webhook(base, clinic, b'{"n": 1}', request_id="old-1").status_code == 202
    assert fetch_relayed(db, client) == 1
    # The LAN hub is reinstalled from scratch: its relay numbering starts again at 1.
    rebuilt = open_hub(f"sqlite:///{tmp_path / 'rebuilt-hub.db'}")
    try:
        new_clinic = add_clinic(rebuilt, "Shanti Clinic")
        identity, secret, _ = enrol_device(rebuilt, new_clinic.enrolment_token, db.node_id, "Reception PC")
        with serve_app(relay_app(rebuilt)) as new_base, HubClient(new_base, identity.device_id, secret) as new_client:
            assert post_webhook(new_base, new_clinic, b'{"n": 2}', request_id="new-1").status_code == 202
            with db.write(SYSTEM) as session:
                session.get(SyncState, 1).relay_cursor = 0
            with pytest.raises(NadiError, match="re-enrol this PC"):
                fetch_relayed(db, new_client)
    finally:
        rebuilt.dispose()
    assert [r.request_id for r in stored(rebuilt)] == ["new-1"]  # still on the hub, waiting
    with db.read() as session:
        assert [m.request_id for m in session.scalars(select(RelayMessage))] == ["old-1"]
        assert session.get(SyncState, 1).relay_cursor == 0
