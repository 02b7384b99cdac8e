"""Fitting consults into the context window: estimates on the safe side, windows rounded sensibly,
long transcripts split at utterance or sentence boundaries, nothing ever dropped."""

from __future__ import annotations

import pytest

from core.scribe.errors import TranscriptTooLong
from core.scribe.sizing import answer_budget, estimate_tokens, num_ctx_for, split_transcript


def test_estimates_err_on_the_safe_side():
    english = "Doctor: Take Paracetamol 650 mg three times a day after food for three days."
    assert estimate_tokens(english) >= len(english) / 3.5  # tokenizers give about one token per four characters here
    hindi = "डॉक्टर: पैरासिटामोल दिन में तीन बार लीजिए"
    assert estimate_tokens(hindi) >= 2 * len(hindi.replace(" ", "").replace(":", ""))  # other scripts cost more


@pytest.mark.parametrize("needed, limit, asked", [(900, 32768, 2048), (3000, 32768, 3072), (3072, 32768, 3072), (3073, 32768, 4096),
                                                  (4000, 4096, 4096), (9000, 16384, 9216)])
def test_the_window_is_rounded_up_to_a_whole_1024_and_kept_within_the_limit(needed, limit, asked):
    assert num_ctx_for(needed, limit) == asked


def test_the_answer_budget_grows_with_the_consult_within_bounds():
    assert answer_budget(0) == 1024 and answer_budget(2000) == 2048 and answer_budget(50_000) == 4096


def test_one_long_paragraph_from_speech_to_text_is_split_at_sentence_ends():
    sentences = [f"Sentence {n} says the patient had a mild pain in the left knee after a long walk on day {n}." for n in range(200)]
    parts = split_transcript(" ".join(sentences), fixed_tokens=900, limit=4096)
    assert len(parts) > 2
    joined = " ".join(p.text for p in parts)
    assert all(s in joined for s in sentences)  # every sentence reached some part, none cut in half
    assert all(p.text.startswith("Sentence ") and p.text.endswith(".") for p in parts)
    assert all(p.first_line == p.last_line == 1 for p in parts)


def test_parts_overlap_by_a_few_lines_and_cover_every_line():
    lines = [f"Patient: line {n} of a long history with enough words to take some room in the window." for n in range(300)]
    parts = split_transcript("\n".join(lines), fixed_tokens=900, limit=4096)
    for earlier, later in zip(parts, parts[1:], strict=False):
        assert later.first_line <= earlier.last_line  # shared lines
        assert later.first_line > earlier.first_line  # and always moving on
    assert parts[0].first_line == 1 and parts[-1].last_line == 300


def test_a_sentence_too_long_for_any_part_is_refused():
    with pytest.raises(TranscriptTooLong, match="line 2 of the transcript"):
        split_transcript("Doctor: hello.\nPatient: " + "and " * 6000, fixed_tokens=900, limit=4096)
