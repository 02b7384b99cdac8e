"""FHIR R4 health documents for ABDM, built from the clinic record (see documents.py)."""

from core.fhir.documents import op_consult_document, prescription_document

__all__ = ["op_consult_document", "prescription_document"]
