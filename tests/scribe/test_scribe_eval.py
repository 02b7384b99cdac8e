"""The evaluation's own arithmetic, offline: reference consults load, a faithful draft scores full
marks, and what is missed, invented or caught is counted where it should be."""

from __future__ import annotations

import pytest

from core.errors import NadiError
from core.prescribing.catalogue import shipped_catalogue
from core.prescribing.expand import expand
from core.scribe.answer import MedicationLine
from core.scribe.draft import DraftMeta, build_draft
from core.scribe.eval import reference_consults, run_eval, score_draft

CATALOGUE = shipped_catalogue()
CONSULTS = {c.id: c for c in reference_consults()}


def test_the_reference_consults_cover_opd_work_in_english_and_hinglish():
    assert len(CONSULTS) >= 8
    languages = [c.language for c in CONSULTS.values()]
    assert languages.count("en") >= 3 and languages.count("hinglish") >= 3
    for consult in CONSULTS.values():
        assert consult.transcript.count("\n") >= 5 and consult.medications and consult.diagnoses and consult.vitals
        for expected in consult.medications:
            e = expand(expected.line, CATALOGUE)
            assert {i.lower() for i, _ in e.ingredients} == {g.strip().lower() for g in expected.generic.split(" + ")}, expected.line


def _perfect(consult):
    return build_draft(consult.perfect_answer(), consult.transcript, CATALOGUE, DraftMeta("test", "perfect"))


def test_missed_invented_and_caught_items_are_counted_apart():
    consult = CONSULTS["hi-gastritis"]
    answer = consult.perfect_answer()
    answer.medications = [answer.medications[0],
                          MedicationLine(line="Tab Domperidone 10 mg TDS x 5 days", quote=""),  # not said: caught by grounding
                          MedicationLine(line="Syp Digene 2 tsp TDS after food", quote="")]  # found, but without its duration
    draft = build_draft(answer, consult.transcript, CATALOGUE, DraftMeta("t", "m"))
    score = score_draft(draft, consult)
    meds = score.fields["medications"]
    assert (meds.expected, meds.found, meds.accepted, meds.rejected, meds.extra) == (2, 2, 2, 1, 0)
    assert meds.coverage == 1.0 and meds.unsupported_rate == round(1 / 3, 3)
    assert score.details["duration"] == [True, False]  # the Digene line dropped its "x 1 week"

    answer = consult.perfect_answer()
    answer.medications = answer.medications[:1]
    answer.diagnoses = []
    score = score_draft(build_draft(answer, consult.transcript, CATALOGUE, DraftMeta("t", "m")), consult)
    assert score.fields["medications"].missed == ["Syp Digene 2 tsp TDS after food x 1 week"]
    assert score.fields["diagnoses"].coverage == 0.0 and score.total().coverage == pytest.approx(2 / 4, abs=0.001)


def test_an_accepted_item_the_reference_lacks_counts_as_slipped_through():
    consult = CONSULTS["en-fever-adult"]
    # The doctor did mention Crocin (the patient took one): a model that prescribes it is grounded but wrong.
    answer = consult.perfect_answer()
    answer.medications = answer.medications + [MedicationLine(line="Tab Crocin 650 SOS", quote="")]
    draft = build_draft(answer, consult.transcript.replace("one Crocin", "one Crocin 650"), CATALOGUE, DraftMeta("t", "m"))
    meds = score_draft(draft, consult).fields["medications"]
    assert meds.extra == 1 and meds.extras == ["Tab Crocin 650 SOS"] and meds.slipped_rate == 0.5


def test_run_eval_scores_each_consult_and_keeps_failures():
    by_text = {c.transcript: c for c in CONSULTS.values()}

    def faithful(text):
        return _perfect(by_text[text])

    report = run_eval(faithful, "test", "perfect")
    overall = report.overall()
    assert overall["coverage"] == 1.0 and overall["unsupported_rate"] == 0.0 and overall["failed"] == 0
    assert overall["medication_details"] == {"strength": 1.0, "frequency": 1.0, "duration": 1.0}

    def broken(text):
        raise NadiError("the model gave no answer")

    failed = run_eval(broken, "test", "broken", only=["en-asthma-exacerbation"])
    [score] = failed.consults
    assert score.error == "the model gave no answer" and score.total().coverage == 0.0
    with pytest.raises(NadiError, match="no reference consult nope"):
        run_eval(faithful, "test", "perfect", only=["nope"])
