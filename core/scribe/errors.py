"""What can go wrong between a transcript and a draft, each as one line that says what to do.

All are NadiError subclasses, so `nadi scribe` prints them as its one line on stderr and the desk
shows them in its problem bar. None carries transcript text or patient details.
"""

from __future__ import annotations

from core.errors import NadiError


class ScribeError(NadiError):
    """Base for every scribe failure."""


class ScribeSetupError(ScribeError):
    """The scribe is not configured usably (unknown provider, bad variable, missing key)."""


class MissingApiKey(ScribeSetupError):
    def __init__(self, provider: str, variable: str) -> None:
        super().__init__(
            f"AI_PROVIDER={provider} needs an API key: set {variable}, or set AI_PROVIDER=local to draft with Ollama on this PC "
            "(nothing then leaves the clinic)"
        )


class ProviderUnreachable(ScribeError):
    """Nothing answered at the model server's address."""


class ModelNotInstalled(ScribeError):
    """The server answered but does not have the model asked for."""


class ModelTooSlow(ScribeError):
    """A time-out: the connection, the model's load or its answer took longer than allowed."""


class ProviderBusy(ScribeError):
    """The server said it is busy (Ollama's queue is full; a cloud rate limit)."""


class ProviderFailed(ScribeError):
    """The server refused or failed the request for another reason; its own words are included."""


class ApiKeyRefused(ScribeError):
    """A cloud provider refused the API key."""


class InvalidModelOutput(ScribeError):
    """The model's answer was not the JSON asked for, twice."""


class TranscriptTooLong(ScribeError):
    """Not even one part of the transcript fits the model's context window."""


class EmptyTranscript(ScribeError):
    pass


class ScribeCancelled(ScribeError):
    """The person asking stopped the draft."""

    def __init__(self) -> None:
        super().__init__("the draft was stopped before the model finished")
