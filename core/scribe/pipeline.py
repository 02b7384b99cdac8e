"""From a consult transcript to a checked draft: the steps, in order.

  1. de-identify what will be sent, when AI_NO_RAW_PATIENT_DATA is on
  2. ask the provider whether the model is there and how much it can read (/api/show)
  3. split the transcript if it cannot fit in one request; refuse if a piece cannot fit at all
  4. load the model if it is not in memory, so that wait shows as loading
  5. ask for each part with the answer's JSON schema; an invalid answer is retried once, with the
     problem told to the model
  6. merge the parts, put the real values back, read the medicines with the prescribing engine,
     check everything against the transcript

Each blocking call runs on a helper thread while the calling thread reports progress (elapsed time,
what is under way), so the caller's progress callback is always called on the caller's own thread,
and a cancel event stops the wait at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from core.prescribing.catalogue import Catalogue, shipped_catalogue
from core.scribe.answer import AnswerRejected, ScribeAnswer, answer_schema, inlined_schema, parse_answer
from core.scribe.config import ScribeConfig
from core.scribe.draft import Draft, DraftMeta, build_draft, merge_answers
from core.scribe.errors import EmptyTranscript, InvalidModelOutput, ScribeCancelled, TranscriptTooLong
from core.scribe.patient import PatientContext
from core.scribe.privacy import Deidentifier
from core.scribe.prompt import SYSTEM_PROMPT, consult_message, retry_note
from core.scribe.providers import ChatProvider, ChatRequest, make_provider
from core.scribe.sizing import answer_budget, context_needed, estimate_tokens, num_ctx_for, split_transcript

ATTEMPTS = 2  # the first answer and one retry
RETRY_ALLOWANCE = retry_note("x" * 600)  # the retry message is longer: room is kept for it in every part


@dataclass(frozen=True)
class ScribeProgress:
    """One report of how a draft is going, for a status line or a progress bar."""

    stage: str  # checking | loading | writing | retrying | grounding | done
    message: str  # one plain line for the doctor: what is happening and for how long
    elapsed_s: float  # since the draft was asked for
    stage_elapsed_s: float  # since this stage began
    part: int = 1  # 1-based; a long consult is drafted in parts
    parts: int = 1
    attempt: int = 1  # 2 when the model is asked again after an invalid answer
    characters: int = 0  # of the answer received so far (streaming only)


ProgressCallback = Callable[[ScribeProgress], None]


class _Reporter:
    def __init__(self, progress: ProgressCallback | None, cancel: threading.Event | None, tick_s: float) -> None:
        self.progress, self.cancel, self.tick_s = progress, cancel, tick_s
        self.started = time.monotonic()
        self.part, self.parts, self.attempt = 1, 1, 1
        self.characters = 0

    def emit(self, stage: str, message: str, stage_started: float | None = None) -> None:
        if self.progress is None:
            return
        now = time.monotonic()
        self.progress(ScribeProgress(stage, message, round(now - self.started, 2), round(now - (stage_started or now), 2),
                                     self.part, self.parts, self.attempt, self.characters))

    def check_cancel(self, provider: ChatProvider) -> None:
        if self.cancel is not None and self.cancel.is_set():
            provider.close()  # aborts the request the helper thread is waiting on
            raise ScribeCancelled()

    def wait(self, provider: ChatProvider, work: Callable, stage: str, say: Callable[[float], str]):
        """Run `work` on a helper thread; report every tick until it is done. The helper is a
        daemon thread: a call abandoned by a cancel never holds the program open on exit."""
        began = time.monotonic()
        self.emit(stage, say(0.0), began)
        done = threading.Event()
        outcome: dict = {}

        def run() -> None:
            try:
                outcome["result"] = work()
            except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread, raised there
                outcome["error"] = exc
            finally:
                done.set()

        threading.Thread(target=run, name=f"nadi-scribe-{stage}", daemon=True).start()
        while not done.wait(self.tick_s):
            self.check_cancel(provider)
            self.emit(stage, say(time.monotonic() - began), began)
        self.check_cancel(provider)
        if "error" in outcome:
            raise outcome["error"]
        return outcome["result"]


def draft_from_transcript(
    transcript: str,
    *,
    patient: PatientContext | None = None,
    config: ScribeConfig | None = None,
    catalogue: Catalogue | None = None,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    provider: ChatProvider | None = None,
    tick_s: float = 1.0,
) -> Draft:
    """A checked draft of the visit note from a consult transcript. Blocks until done: call it from
    a worker thread. `progress` is called on the calling thread at each step and every `tick_s`
    while waiting; setting `cancel` stops the draft (ScribeCancelled). Failures are ScribeError
    subclasses (NadiError) with a message that says what to do."""
    if not transcript or not transcript.strip():
        raise EmptyTranscript("the transcript is empty: type, paste or record the consult first")
    config = config or ScribeConfig.from_settings(None)
    catalogue = catalogue or shipped_catalogue()
    owned = provider is None
    provider = provider or make_provider(config)
    report = _Reporter(progress, cancel, tick_s)
    try:
        return _draft(transcript, patient, config, catalogue, provider, report)
    finally:
        if owned:
            provider.close()


def _draft(transcript: str, patient: PatientContext | None, config: ScribeConfig, catalogue: Catalogue, provider: ChatProvider,
           report: _Reporter) -> Draft:
    deid = Deidentifier(patient) if config.no_raw_patient_data else None
    outgoing = deid.scrub(transcript) if deid else transcript
    who = patient.described() if patient else None
    model = provider.model

    facts = report.wait(provider, provider.check, "checking", lambda s: f"Checking {model} at {provider.base_url}…")
    limit = min(facts.context_length, config.max_ctx) if provider.name == "local" else facts.context_length
    fixed = estimate_tokens(SYSTEM_PROMPT)
    wrapper = estimate_tokens(consult_message("", who, 99, 99)) + estimate_tokens(RETRY_ALLOWANCE)
    parts = split_transcript(outgoing, fixed, limit, wrapper)
    if not parts:
        raise EmptyTranscript("the transcript has no words in it: type, paste or record the consult first")
    report.parts = len(parts)
    meta = DraftMeta(provider=provider.name, model=model, context_length=facts.context_length, context_limit=limit,
                     chunks=len(parts), deidentified=deid is not None)

    if facts.loaded is False:
        began = time.monotonic()
        reported = report.wait(provider, provider.load, "loading",
                               lambda s: f"Loading {model} into memory ({s:.0f} s; a first start on a PC without a GPU can take a minute)…")
        meta.load_seconds = round(reported if reported is not None else time.monotonic() - began, 3)

    schema = inlined_schema() if provider.name == "anthropic" else answer_schema()
    answers: list[ScribeAnswer] = []
    prompt_total = answer_total = 0
    counted = False
    for number, part in enumerate(parts, start=1):
        report.part, report.attempt = number, 1
        problem: str | None = None
        for attempt in range(1, ATTEMPTS + 1):
            report.attempt, report.characters = attempt, 0
            user = consult_message(part.text, who, number, len(parts)) + (retry_note(problem) if problem else "")
            transcript_tokens = estimate_tokens(part.text)
            needed = context_needed(fixed + estimate_tokens(user), transcript_tokens)
            if needed > limit:  # split_transcript keeps room for this; never send what would be cut off
                raise TranscriptTooLong(f"part {number} of the transcript needs about {needed:,} tokens, more than the model's "
                                        f"{limit:,}: use a model with a longer context")
            num_ctx = num_ctx_for(needed, limit) if provider.name == "local" else None
            if num_ctx is not None:
                meta.num_ctx.append(num_ctx)
            request = ChatRequest(SYSTEM_PROMPT, user, schema, num_ctx, answer_budget(transcript_tokens))
            stage = "writing" if attempt == 1 else "retrying"
            if attempt > 1:
                report.emit("retrying", "The model's answer was not a valid draft; asking it once more…")

            def on_text(characters: int) -> None:
                report.characters = characters  # read by the reporting thread on its next tick

            def say(seconds: float, number=number, stage=stage) -> str:
                what = "Writing the note" if stage == "writing" else "Asking again"
                where = f" (part {number} of {len(parts)})" if len(parts) > 1 else ""
                still_loading = " (the model may still be loading)" if facts.loaded is None and number == 1 and seconds > 5 else ""
                so_far = f", {report.characters:,} characters so far" if report.characters else ""
                return f"{what}{where} with {model}… {seconds:.0f} s{so_far}{still_loading}"

            result = report.wait(provider, lambda request=request: provider.chat(request, on_text), stage, say)
            meta.attempts += 1
            if result.load_seconds and result.load_seconds > 0.5:
                meta.load_seconds = round((meta.load_seconds or 0) + result.load_seconds, 3)
            if result.prompt_tokens is not None:
                prompt_total += result.prompt_tokens
                counted = True
            if result.answer_tokens is not None:
                answer_total += result.answer_tokens
            try:
                if result.truncated:
                    raise AnswerRejected(f"the answer was cut off after {request.max_tokens} tokens before the JSON was complete; "
                                         "keep every text short")
                answers.append(parse_answer(result.text))
                break
            except AnswerRejected as rejected:
                problem = rejected.problem
                if attempt == ATTEMPTS:
                    raise InvalidModelOutput(
                        f"the model's answer was not the draft asked for, twice ({problem[:300]}): draft again, or choose a larger or "
                        "newer model (--model / NADI_SCRIBE_MODEL)"
                    ) from None
    if counted:
        meta.prompt_tokens, meta.answer_tokens = prompt_total, answer_total

    began = time.monotonic()
    report.emit("grounding", "Checking every item against the transcript…", began)
    merged = merge_answers(answers)
    draft = build_draft(merged, transcript, catalogue, meta, patient, deid.restore if deid else None)
    if deid is not None:
        meta.redacted = dict(deid.counts)
    meta.seconds = round(time.monotonic() - report.started, 3)
    report.emit("done", f"Draft ready: {len(draft.medications)} medicines, {len(draft.diagnoses)} diagnoses, "
                        f"{len(draft.unsupported)} items not supported by the transcript", began)
    return draft
