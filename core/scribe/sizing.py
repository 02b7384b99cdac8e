"""Fitting a consult into the model's context window.

Ollama's default window is small and it drops the start of a prompt that overflows it without a
word, so the scribe asks for the window it needs (`options.num_ctx`): the instructions, the
transcript and room for the answer, rounded up, and never more than the model was trained on (or
than the clinic's ceiling, scribe_max_ctx, since memory grows with it). A transcript that does not
fit is split on utterance boundaries into overlapping parts; if a single utterance cannot fit, the
scribe refuses and says so. Nothing is ever cut off quietly.

Token counts are estimated without the model's tokenizer, on the safe side: three characters of
Latin text to a token (English runs nearer four), and two tokens for every other character
(Devanagari and other scripts cost more than Latin in most tokenizers).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from core.scribe.errors import TranscriptTooLong

MESSAGE_OVERHEAD = 48  # chat template tokens around the messages
MIN_ANSWER, MAX_ANSWER = 1_024, 4_096
ROUND_TO = 1_024
MIN_CTX = 2_048
OVERLAP_SHARE = 0.1  # of a part's transcript budget, repeated at the start of the next part


def estimate_tokens(text: str) -> int:
    latin = sum(1 for c in text if ord(c) < 0x250)
    other = len(text) - latin
    return math.ceil(latin / 3) + other * 2


def answer_budget(transcript_tokens: int) -> int:
    """Room for the answer: the JSON draft grows with the consult, within bounds."""
    wanted = MIN_ANSWER + transcript_tokens // 2
    return min(MAX_ANSWER, max(MIN_ANSWER, math.ceil(wanted / 256) * 256))


def context_needed(prompt_tokens: int, transcript_tokens: int) -> int:
    return prompt_tokens + MESSAGE_OVERHEAD + answer_budget(transcript_tokens)


def num_ctx_for(needed: int, limit: int) -> int:
    """The window to ask for: what is needed rounded up to a whole 1024, at least 2048, at most
    the limit (needed > limit never gets here: the transcript is split first)."""
    rounded = max(MIN_CTX, math.ceil(needed / ROUND_TO) * ROUND_TO)
    return min(rounded, limit)


@dataclass(frozen=True)
class Part:
    text: str
    first_line: int  # 1-based, in the whole transcript
    last_line: int


_SENTENCE_END = re.compile(r"(?<=[.?!।])\s+")


def utterances(transcript: str) -> list[tuple[int, str]]:
    """The transcript as (line number, utterance), one per non-empty line. (A line too long for one
    request, as speech-to-text often gives a whole paragraph, is split at sentence ends later.)"""
    out: list[tuple[int, str]] = []
    for number, line in enumerate(transcript.splitlines(), start=1):
        if line.strip():
            out.append((number, line.rstrip()))
    return out


def split_transcript(transcript: str, fixed_tokens: int, limit: int, wrapper_tokens: int = 80) -> list[Part]:
    """The transcript in as few overlapping parts as fit `limit` tokens each, with the instructions
    (`fixed_tokens`) and an answer. Raises TranscriptTooLong when one utterance alone cannot fit."""
    room = limit - fixed_tokens - wrapper_tokens - MESSAGE_OVERHEAD
    if room - answer_budget(0) <= 0:
        raise TranscriptTooLong(
            f"the model's context window ({limit:,} tokens) cannot hold the scribe's instructions and an answer: "
            "use a model with a longer context (`ollama show MODEL` shows it), or raise NADI_SCRIBE_MAX_CTX if it is the limit"
        )
    units: list[tuple[int, str, int]] = []
    for number, line in utterances(transcript):
        tokens = estimate_tokens(line) + 1
        if tokens + answer_budget(tokens) <= room:
            units.append((number, line, tokens))
            continue
        for sentence in _SENTENCE_END.split(line):
            if not sentence.strip():
                continue
            size = estimate_tokens(sentence) + 1
            if size + answer_budget(size) > room:
                raise TranscriptTooLong(
                    f"line {number} of the transcript holds a stretch of about {size:,} tokens with no sentence break, more than one "
                    f"request to this model can take (context {limit:,} tokens): break it into shorter lines or sentences, or use a "
                    "model with a longer context (NADI_SCRIBE_MODEL / --model, and NADI_SCRIBE_MAX_CTX if that is the limit)"
                )
            units.append((number, sentence, size))
    if not units:
        return []
    parts: list[Part] = []
    start = 0
    while start < len(units):
        total, end = 0, start
        while end < len(units) and total + units[end][2] + answer_budget(total + units[end][2]) <= room:
            total += units[end][2]
            end += 1
        parts.append(Part("\n".join(u[1] for u in units[start:end]), units[start][0], units[end - 1][0]))
        if end >= len(units):
            break
        # the next part starts a little before this one ended, so nothing said across the cut is lost
        overlap, back = 0, end
        while back - 1 > start + 1 and overlap + units[back - 1][2] <= room * OVERLAP_SHARE:
            back -= 1
            overlap += units[back][2]
        start = back if back < end else end
    return parts
