"""Assembling a FHIR document bundle: stable ids, entries that every reference resolves to, and the
check against the FHIR models before anything leaves this module.

Ids are uuid5 of a fixed Nadi namespace and the kind of resource plus our row id, so the same
record always gives the same resources, references and bundle (a document re-sent after a failed
transfer is the same document, and two PCs build the same one).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, date, datetime

from core.errors import RecordNotShareable
from core.fhir.codes import URI_SYSTEM, VERY_RESTRICTED, profile

# Never change: every id in every document Nadi has made is derived from it.
NAMESPACE = uuid.UUID("5b0e3f7c-2a4d-4c61-9d7e-8f3a1c2b6e90")


def stable_id(kind: str, *parts: str) -> str:
    """The resource id for a kind of resource ("Patient", "Observation") made from our row ids."""
    return str(uuid.uuid5(NAMESPACE, ":".join((kind, *parts))))


def instant(value: datetime) -> str:
    """A FHIR instant/dateTime in UTC, to the second."""
    if value.tzinfo is None:
        raise ValueError("a naive datetime cannot be written as a FHIR instant")
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def day(value: date) -> str:
    return value.isoformat()


def number(value: float | int) -> int | float:
    """78.0 kg is written 78: JSON has one number type and FHIR decimals keep what is given."""
    return int(value) if float(value).is_integer() else value


def meta(profile_name: str, last_updated: datetime | None = None) -> dict:
    out: dict = {"profile": [profile(profile_name)]}
    if last_updated is not None:
        out["lastUpdated"] = instant(last_updated)
    return out


def full_url(resource: dict) -> str:
    return f"urn:uuid:{resource['id']}"


class Entries:
    """The resources of one document, in the order they were added, each once."""

    def __init__(self) -> None:
        self._by_url: dict[str, dict] = {}

    def add(self, resource: dict, display: str | None = None) -> dict:
        """Add the resource (once) and return a Reference to it."""
        url = full_url(resource)
        self._by_url.setdefault(url, resource)
        ref = {"reference": url}
        if display:
            ref["display"] = display
        return ref

    def section_entry(self, resource: dict) -> dict:
        """A reference from a Composition section, typed: the PrescriptionRecord's entry slices
        are told apart by Reference.type."""
        return self.add(resource) | {"type": resource["resourceType"]}

    def resources(self) -> list[dict]:
        return list(self._by_url.values())


def document_bundle(composition: dict, entries: Entries, *, bundle_id: str, last_updated: datetime, timestamp: datetime) -> dict:
    """The document: Composition first, then every resource it (or they) refer to.

    meta.versionId is a digest of the content, so it changes exactly when the document's content
    does (a draft edited, an allergy added) and is the same for the same content everywhere.
    """
    resources = [composition, *entries.resources()]
    digest = hashlib.sha256(json.dumps(resources, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    bundle = {
        "resourceType": "Bundle",
        "id": bundle_id,
        "meta": {
            "versionId": digest.hexdigest()[:16],
            "lastUpdated": instant(last_updated),
            "profile": [profile("DocumentBundle")],
            "security": [VERY_RESTRICTED],
        },
        "identifier": {"system": URI_SYSTEM, "value": f"urn:uuid:{bundle_id}"},
        "type": "document",
        "timestamp": instant(timestamp),
        "entry": [{"fullUrl": full_url(r), "resource": r} for r in resources],
    }
    _check_references(bundle)
    validate(bundle)
    return bundle


def references(value) -> list[str]:
    """Every Reference.reference in a resource tree."""
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "reference" and isinstance(item, str):
                found.append(item)
            else:
                found += references(item)
    elif isinstance(value, list):
        for item in value:
            found += references(item)
    return found


def _check_references(bundle: dict) -> None:
    urls = {e["fullUrl"] for e in bundle["entry"]}
    dangling = sorted(set(references(bundle["entry"])) - urls)
    if dangling:
        raise RecordNotShareable(f"the FHIR document refers to resources it does not contain ({', '.join(dangling)}); please report this")


def validate(bundle: dict) -> None:
    """Check the bundle against the FHIR models of fhir.resources (imported here, not at start-up:
    the models are large and only this work needs them).

    fhir.resources has R4 (4.0.1) models only in its pydantic-v1 releases (up to 6.4); its
    pydantic-v2 releases ship R5 at the top level and R4B (4.3.0) beside it. R4B is R4 with
    corrections plus new medication-definition and evidence resources; the resources and elements
    these documents use are the same in both, so R4B is the nearest check we can run.
    """
    from fhir.resources.R4B.bundle import Bundle  # noqa: PLC0415 - large; loaded only when a document is made
    from pydantic import ValidationError  # noqa: PLC0415

    try:
        Bundle.model_validate(bundle)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise RecordNotShareable(f"the FHIR document did not validate ({where}: {first['msg']}); please report this") from exc
