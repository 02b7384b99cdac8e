"""The AI scribe: a consult transcript in, a checked draft of the visit note out.

    from core.scribe import ScribeConfig, draft_from_transcript, load_patient_context

    config = ScribeConfig.from_settings(db.settings)            # AI_PROVIDER, NADI_OLLAMA_URL, …
    patient = load_patient_context(db, patient_id)             # optional: privacy and safety checks
    draft = draft_from_transcript(text, patient=patient, config=config, catalogue=clinic_catalogue(db),
                                  progress=on_progress, cancel=stop_event)
    draft.as_dict()                                            # what `nadi scribe --json` prints

No Qt and no network of its own beyond the model provider; nothing is written to the record.
"""

from core.scribe.answer import ScribeAnswer, answer_schema
from core.scribe.config import ScribeConfig
from core.scribe.draft import Draft, DraftDiagnosis, DraftMedicine, DraftMeta, DraftVital, Unsupported
from core.scribe.errors import (
    ApiKeyRefused,
    EmptyTranscript,
    InvalidModelOutput,
    MissingApiKey,
    ModelNotInstalled,
    ModelTooSlow,
    ProviderBusy,
    ProviderFailed,
    ProviderUnreachable,
    ScribeCancelled,
    ScribeError,
    ScribeSetupError,
    TranscriptTooLong,
)
from core.scribe.patient import PatientContext, load_patient_context
from core.scribe.pipeline import ProgressCallback, ScribeProgress, draft_from_transcript

__all__ = [
    "ApiKeyRefused", "Draft", "DraftDiagnosis", "DraftMedicine", "DraftMeta", "DraftVital", "EmptyTranscript", "InvalidModelOutput",
    "MissingApiKey", "ModelNotInstalled", "ModelTooSlow", "PatientContext", "ProgressCallback", "ProviderBusy", "ProviderFailed",
    "ProviderUnreachable", "ScribeAnswer", "ScribeCancelled", "ScribeConfig", "ScribeError", "ScribeProgress", "ScribeSetupError",
    "TranscriptTooLong", "Unsupported", "answer_schema", "draft_from_transcript", "load_patient_context",
]
