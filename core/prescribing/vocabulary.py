"""The words of a prescription line: dosage forms, routes, frequencies, timings and durations.

Each table maps what doctors write (lower case, punctuation stripped) to one meaning. The parser
(`expand.py`) consults these; nothing here knows about particular medicines.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class DosageForm:
    key: str
    route: str
    dose_unit: str | None  # the unit one administration is counted in, when it is countable or measured
    countable: bool  # dispensed as discrete units, so quantity = dose × administrations × days
    default_dose: bool  # one unit is the usual dose when the product's strength is known
    eye_or_ear: bool = False


FORMS: dict[str, DosageForm] = {
    f.key: f
    for f in (
        DosageForm("tab", "oral", "tab", True, True),
        DosageForm("cap", "oral", "cap", True, True),
        DosageForm("syrup", "oral", "ml", False, False),
        DosageForm("suspension", "oral", "ml", False, False),
        DosageForm("oral_drops", "oral", "ml", False, False),
        DosageForm("sachet", "oral", "sachet", True, True),
        DosageForm("granules", "oral", "sachet", True, True),
        DosageForm("powder", "oral", None, False, False),
        DosageForm("lozenge", "oral", "lozenge", True, True),
        DosageForm("eye_drops", "ophthalmic", "drop", False, False, eye_or_ear=True),
        DosageForm("eye_ointment", "ophthalmic", "application", False, False, eye_or_ear=True),
        DosageForm("ear_drops", "otic", "drop", False, False, eye_or_ear=True),
        DosageForm("nasal_drops", "nasal", "drop", False, False),
        DosageForm("nasal_spray", "nasal", "spray", False, False),
        DosageForm("inhaler", "inhalation", "puff", False, False),
        DosageForm("rotacap", "inhalation", "cap", False, True),
        DosageForm("respules", "inhalation", "respule", False, True),
        DosageForm("injection", "injection", None, False, False),
        DosageForm("ointment", "topical", "application", False, False),
        DosageForm("cream", "topical", "application", False, False),
        DosageForm("gel", "topical", "application", False, False),
        DosageForm("lotion", "topical", "application", False, False),
        DosageForm("solution", "topical", None, False, False),
        DosageForm("mouthwash", "oral", "ml", False, False),
        DosageForm("shampoo", "topical", "application", False, False),
        DosageForm("soap", "topical", "application", False, False),
        DosageForm("suppository", "rectal", "suppository", True, True),
        DosageForm("pessary", "vaginal", "pessary", True, True),
        DosageForm("patch", "transdermal", "patch", True, True),
    )
}

# What doctors write for a form. Multi-word phrases are matched before single words.
FORM_WORDS: dict[str, str] = {
    "tab": "tab", "tabs": "tab", "tablet": "tab", "tablets": "tab", "t": "tab",
    "cap": "cap", "caps": "cap", "capsule": "cap", "capsules": "cap", "c": "cap",
    "syp": "syrup", "syr": "syrup", "syrup": "syrup",
    "susp": "suspension", "suspension": "suspension", "dry syrup": "suspension",
    "oral drops": "oral_drops", "paed drops": "oral_drops", "pediatric drops": "oral_drops",
    "sachet": "sachet", "sachets": "sachet", "satchet": "sachet", "gran": "granules", "granules": "granules",
    "powder": "powder", "pwd": "powder", "lozenge": "lozenge", "lozenges": "lozenge",
    "eye drops": "eye_drops", "eye drop": "eye_drops", "e/d": "eye_drops", "eyedrops": "eye_drops",
    "eye oint": "eye_ointment", "eye ointment": "eye_ointment",
    "ear drops": "ear_drops", "ear drop": "ear_drops", "otic drops": "ear_drops",
    "nasal drops": "nasal_drops", "nasal drop": "nasal_drops", "nasal spray": "nasal_spray", "spray": "nasal_spray",
    "inhaler": "inhaler", "mdi": "inhaler", "puffer": "inhaler", "rotacap": "rotacap", "rotacaps": "rotacap",
    "respules": "respules", "respule": "respules", "neb": "respules", "nebulisation": "respules", "nebulization": "respules",
    "inj": "injection", "injection": "injection", "inj.": "injection",
    "oint": "ointment", "ointment": "ointment", "crm": "cream", "cream": "cream", "gel": "gel",
    "lotion": "lotion", "lot": "lotion", "soln": "solution", "solution": "solution",
    "mouthwash": "mouthwash", "mouth wash": "mouthwash", "gargle": "mouthwash", "shampoo": "shampoo", "soap": "soap",
    "supp": "suppository", "suppository": "suppository", "pessary": "pessary", "patch": "patch",
}
# "drops" alone is ambiguous between eye, ear, nasal and oral; it resolves through the product's form.
GENERIC_DROPS = {"drops", "drop", "gtt", "gtts"}

ROUTE_WORDS: dict[str, str] = {
    "po": "oral", "oral": "oral", "orally": "oral", "by mouth": "oral",
    "iv": "iv", "i/v": "iv", "intravenous": "iv", "im": "im", "i/m": "im", "intramuscular": "im",
    "sc": "sc", "s/c": "sc", "subcut": "sc", "subcutaneous": "sc",
    "sl": "sublingual", "sublingual": "sublingual",
    "topical": "topical", "local application": "topical", "l/a": "topical", "la": "topical", "locally": "topical",
    "pr": "rectal", "per rectal": "rectal", "pv": "vaginal", "per vaginal": "vaginal",
}

# Words that say which eye or ear; consumed so they are not mistaken for a drug name.
SITE_WORDS = ("both eyes", "both ears", "right eye", "left eye", "right ear", "left ear", "be", "re", "le", "ou", "os")


@dataclass(frozen=True)
class Frequency:
    per_day: Fraction | None
    text: str
    timing: str | None = None  # HS says when, as well as how often


FREQUENCY_WORDS: dict[str, Frequency] = {
    "od": Frequency(Fraction(1), "once a day"),
    "once daily": Frequency(Fraction(1), "once a day"),
    "once a day": Frequency(Fraction(1), "once a day"),
    "once day": Frequency(Fraction(1), "once a day"),
    "daily": Frequency(Fraction(1), "once a day"),
    "once": Frequency(Fraction(1), "once a day"),
    "bd": Frequency(Fraction(2), "twice a day"),
    "bid": Frequency(Fraction(2), "twice a day"),
    "twice daily": Frequency(Fraction(2), "twice a day"),
    "twice a day": Frequency(Fraction(2), "twice a day"),
    "tds": Frequency(Fraction(3), "three times a day"),
    "tid": Frequency(Fraction(3), "three times a day"),
    "thrice daily": Frequency(Fraction(3), "three times a day"),
    "thrice a day": Frequency(Fraction(3), "three times a day"),
    "three times daily": Frequency(Fraction(3), "three times a day"),
    "three times a day": Frequency(Fraction(3), "three times a day"),
    "qid": Frequency(Fraction(4), "four times a day"),
    "qds": Frequency(Fraction(4), "four times a day"),
    "four times daily": Frequency(Fraction(4), "four times a day"),
    "four times a day": Frequency(Fraction(4), "four times a day"),
    "five times a day": Frequency(Fraction(5), "five times a day"),
    "five times daily": Frequency(Fraction(5), "five times a day"),
    "hs": Frequency(Fraction(1), "once a day at bedtime", "bedtime"),
    "qhs": Frequency(Fraction(1), "once a day at bedtime", "bedtime"),
    "at bedtime": Frequency(Fraction(1), "once a day at bedtime", "bedtime"),
    "weekly": Frequency(Fraction(1, 7), "once a week"),
    "once weekly": Frequency(Fraction(1, 7), "once a week"),
    "once a week": Frequency(Fraction(1, 7), "once a week"),
    "once in a week": Frequency(Fraction(1, 7), "once a week"),
    "every week": Frequency(Fraction(1, 7), "once a week"),
    "twice weekly": Frequency(Fraction(2, 7), "twice a week"),
    "twice a week": Frequency(Fraction(2, 7), "twice a week"),
    "alternate day": Frequency(Fraction(1, 2), "every other day"),
    "alternate days": Frequency(Fraction(1, 2), "every other day"),
    "alt days": Frequency(Fraction(1, 2), "every other day"),
    "every other day": Frequency(Fraction(1, 2), "every other day"),
    "monthly": Frequency(Fraction(1, 30), "once a month"),
    "once a month": Frequency(Fraction(1, 30), "once a month"),
}
AMBIGUOUS_FREQUENCY_WORDS = {"qd", "q.d"}  # ISMP error-prone: read as QID or as "once daily"
PRN_WORDS = ("sos", "prn", "as needed", "as required", "when required", "if needed", "if required", "when needed", "as and when required")
STAT_WORDS = ("stat", "immediately", "at once")

TIMING_WORDS: dict[str, str] = {
    "ac": "before food", "a/c": "before food", "before food": "before food", "before meals": "before food",
    "before meal": "before food", "b/f": "before food", "bf": "before food",
    "pc": "after food", "p/c": "after food", "after food": "after food", "after meals": "after food",
    "after meal": "after food", "a/f": "after food", "af": "after food", "after lunch": "after food",
    "with food": "with food", "with meals": "with food", "with meal": "with food",
    "empty stomach": "empty stomach", "on empty stomach": "empty stomach", "early morning empty stomach": "empty stomach",
    "bedtime": "bedtime", "at night before sleep": "bedtime",
    "before breakfast": "before breakfast", "after breakfast": "after breakfast",
    "before dinner": "before dinner", "after dinner": "after dinner",
    "in the morning": "morning", "morning": "morning",
    # Hindi, in Latin script as typed at the desk and in Devanagari
    "khane ke baad": "after food", "khana khane ke baad": "after food", "khane ke bad": "after food",
    "khane se pehle": "before food", "khane ke pehle": "before food", "khane se pahle": "before food",
    "khali pet": "empty stomach", "subah khali pet": "empty stomach",
    "sote samay": "bedtime", "sote waqt": "bedtime", "raat ko sote waqt": "bedtime", "raat ko sote samay": "bedtime",
    "nashte ke baad": "after breakfast", "nashte se pehle": "before breakfast",
    "raat ke khane ke baad": "after dinner",
    "खाने के बाद": "after food", "खाने से पहले": "before food", "खाली पेट": "empty stomach", "सोते समय": "bedtime",
}

DURATION_UNITS: dict[str, int] = {
    "d": 1, "day": 1, "days": 1, "dys": 1,
    "w": 7, "wk": 7, "wks": 7, "week": 7, "weeks": 7,
    "m": 30, "mo": 30, "mon": 30, "month": 30, "months": 30,
}
# The British fraction shorthand: 5/7 = five days, 2/52 = two weeks, 3/12 = three months.
DURATION_DENOMINATORS = {"7": 1, "52": 7, "12": 30}

DOSE_UNIT_WORDS: dict[str, str] = {
    "tab": "tab", "tabs": "tab", "tablet": "tab", "tablets": "tab",
    "cap": "cap", "caps": "cap", "capsule": "cap", "capsules": "cap",
    "ml": "ml", "mls": "ml", "cc": "ml", "tsp": "tsp",
    "drop": "drop", "drops": "drop", "gtt": "drop", "gtts": "drop",
    "puff": "puff", "puffs": "puff", "spray": "spray", "sprays": "spray",
    "sachet": "sachet", "sachets": "sachet", "respule": "respule", "respules": "respule",
    "unit": "unit", "units": "unit", "u": "unit",
    "application": "application", "applications": "application",
}
# Amounts that are a mass: a strength when the product's strength is not yet known, otherwise a dose.
MASS_UNITS: dict[str, tuple[str, float]] = {
    "mg": ("mg", 1.0), "mcg": ("mcg", 1.0), "µg": ("mcg", 1.0), "ug": ("mcg", 1.0),
    "g": ("g", 1.0), "gm": ("g", 1.0), "gram": ("g", 1.0), "grams": ("g", 1.0), "iu": ("iu", 1.0),
}
NUMBER_WORDS = {"one": 1.0, "two": 2.0, "three": 3.0, "half": 0.5}
# How a part of a tablet is written, in slots ("½-0-½") and doses ("1/2 tab").
FRACTIONS = {"½": Fraction(1, 2), "¼": Fraction(1, 4), "¾": Fraction(3, 4), "1½": Fraction(3, 2),
             "1/2": Fraction(1, 2), "1/4": Fraction(1, 4), "3/4": Fraction(3, 4)}
COUNTED_DOSE_LIMIT = 20  # "650 tab" is a strength followed by a form word, not six hundred tablets

TIMINGS = ("before food", "after food", "with food", "empty stomach", "bedtime", "before breakfast",
           "after breakfast", "before dinner", "after dinner", "morning")


def fraction_text(value: Fraction) -> str:
    """An amount as written on a prescription: 1, ½, 1½, ¼ (other fractions as decimals)."""
    whole, part = divmod(value, 1)
    glyphs = {Fraction(1, 2): "½", Fraction(1, 4): "¼", Fraction(3, 4): "¾"}
    if part == 0:
        return str(int(whole))
    if part in glyphs:
        return (str(int(whole)) if whole else "") + glyphs[part]
    return f"{float(value):g}"
