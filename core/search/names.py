"""Name normalisation and fuzzy-match primitives for patient search.

Receptionists type Indian names in Latin script, and the same person may be
registered as "Laxmi", "Lakshmi" or "Luxmi", with or without "Mrs." in front,
and with the odd slip of the finger ("Rmaesh").  This module supplies the
building blocks the search index uses:

* ``fold``          - canonical lowercase ASCII form of free text.
* ``name_tokens``   - folded tokens with titles dropped and common register
                      abbreviations (Mohd, Md) expanded.
* ``phonetic_key``  - a short key shared by common spelling variants of a
                      token.  It is stored in a database index, so any change
                      to its output must bump ``PHONETIC_VERSION`` (and the
                      index must be rebuilt).
* ``edit_distance`` - optimal-string-alignment distance with an early exit,
                      used to confirm typo candidates.
* ``deletes``       - single-deletion neighbourhood of a token for
                      symmetric-delete typo lookup.

Only the standard library is used.  Text in non-Latin scripts (Devanagari,
Tamil, ...) folds to nothing; transliteration is out of scope here.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = [
    "PHONETIC_VERSION",
    "fold",
    "name_tokens",
    "phonetic_key",
    "edit_distance",
    "deletes",
]

# Bump whenever phonetic_key() can return a different key for any input;
# stored keys from another version must be recomputed.
PHONETIC_VERSION = 1

# ---------------------------------------------------------------------------
# fold
# ---------------------------------------------------------------------------

# Latin letters that NFKD does not decompose into base letter + mark.
_NO_DECOMPOSITION = str.maketrans(
    {"ø": "o", "đ": "d", "ð": "d", "ł": "l", "æ": "ae", "œ": "oe", "þ": "th", "ı": "i"}
)
# Scripts Indian names are also registered in: Arabic (Urdu), the Brahmic scripts from Devanagari
# to Malayalam, and Meetei Mayek. Their vowel signs and viramas are part of the word, not accents.
_INDIAN_SCRIPTS = "\u0600-\u06ff\u0900-\u0dff\uabc0-\uabff"
_NOT_WORD = re.compile(f"[^a-z0-9{_INDIAN_SCRIPTS}]+")
_LATIN_END = "\u0250"  # below this, a base letter is Latin and its combining marks are accents


def fold(text: str | None) -> str:
    """Lowercase, strip Latin diacritics, turn every run of other characters into one space.

    Letters of Indian scripts are kept whole (राम stays राम), so a name registered in its own
    script is found by typing it in that script.
    """
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = []
    latin_base = True
    for ch in decomposed:
        if unicodedata.combining(ch):
            if not latin_base:
                kept.append(ch)
            continue
        latin_base = ch < _LATIN_END
        kept.append(ch)
    bare = unicodedata.normalize("NFC", "".join(kept)).translate(_NO_DECOMPOSITION)
    return _NOT_WORD.sub(" ", bare).strip()


# ---------------------------------------------------------------------------
# name_tokens
# ---------------------------------------------------------------------------

# Titles that are never part of a person's own name.  Deliberately NOT here:
#   sri / shri / shree / sree - very often part of real given names
#       ("Sri Devi", "Shree Ram", "Srilakshmi" written apart); "Sri"/"Shri"
#       share a phonetic key anyway, so keeping them costs little.
#   kumari / kumar - real middle names and, in Bihar/Jharkhand, surnames.
#   baby - "Baby" is a real given name in Kerala.
#   master - also a Parsi surname.
#   sk / kr - often "Sheikh"/"Kumar", but just as often a pair of initials
#       ("S K Sharma" typed "SK Sharma"); too ambiguous to expand.
_HONORIFICS = frozenset(
    {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "smt", "shrimati", "srimati", "sushri"}
)

# Relationship markers in registers ("Ramesh S/O Suresh", "B/O Anita").  Only
# the slashed form is unambiguous; a bare "s o" could be two initials.
_RELATION_MARKER = re.compile(r"\b[sdwhcb]\s*/\s*o\b", re.IGNORECASE)

_MOHAMMED = "mohammed"
_ALWAYS_EXPAND = {"mohd": _MOHAMMED, "muhd": _MOHAMMED}


def name_tokens(text: str | None) -> list[str]:
    """Folded search tokens of a name, in order.

    Titles are dropped (unless nothing else is left), "Mohd" is expanded to
    "mohammed" and so is "Md" when another token follows it ("Md Rafi", but a
    lone "MD" is left alone).  Single letters such as the "K" of
    "K Srinivas" are kept: South Indian initials are significant.
    """
    if not text:
        return []
    tokens = fold(_RELATION_MARKER.sub(" ", text)).split()
    kept = [t for t in tokens if t not in _HONORIFICS]
    if not kept:  # the whole input was titles: keep it rather than return nothing
        kept = tokens
    out: list[str] = []
    for i, tok in enumerate(kept):
        if tok in _ALWAYS_EXPAND:
            tok = _ALWAYS_EXPAND[tok]
        elif tok == "md" and i + 1 < len(kept):
            tok = _MOHAMMED
        out.append(tok)
    return out


# ---------------------------------------------------------------------------
# phonetic_key
# ---------------------------------------------------------------------------

_VOWELS = "aeiou"

# Ordered rewrite rules applied to a lowercase a-z string.  Upper-case "C" is
# a temporary marker for the "ch" sound so that a bare "c" can become "k".
_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), replacement)
    for pattern, replacement in (
        # Doubled consonants carry no information in romanised Indian names
        # (Reddy/Reddi, Aggarwal/Agarwal, Ayyar).  Vowels are left alone
        # because "ee"/"oo" mark long vowels that the vowel step needs.
        (r"([b-df-hj-np-tv-z])\1+", r"\1"),
        # "ph" is written for both aspirated p and f (Phalguni/Falguni).
        (r"ph", "f"),
        # q is an Urdu k (Qureshi/Kureshi, Tariq/Tarik); a "u" after q before a
        # vowel is silent (Siddiqui/Siddiqi).
        (r"qu(?=[aeiouy])", "k"),
        (r"q", "k"),
        (r"ck", "k"),
        # ch / chh are one sound; any other c is a k (Christian names).
        (r"ch+", "C"),
        (r"c", "k"),
        (r"C", "c"),
        # sh and s are not distinguished consistently (Sharma/Sarma,
        # Shrinivas/Srinivas, Shashi/Sasi).
        (r"sh", "s"),
        # ksh is written x (Lakshmi/Laxmi); after the sh rule it reads "ks".
        (r"ks", "x"),
        # Aspiration is dropped or added freely (Gupta/Guptha, Jyoti/Jyothi,
        # Chaudhary, Subhash/Subash, Shaikh/Shaik, Singh).
        (r"([tdbkgj])h", r"\1"),
        # w before a vowel is v (Wenkatesh/Venkatesh, Agarwal); after a vowel
        # and not before one it is part of the vowel (Chowdhury).
        (r"w(?=[aeiouy])", "v"),
        (r"(?<=[aeiou])w", "u"),
        (r"w", "v"),
        # b and v are interchangeable in Bengali/Odia/Assamese spellings
        # (Bikash/Vikas, Debashish/Devashish, Rabi/Ravi).
        (r"b", "v"),
        # y is a consonant at the start or before a vowel (Priya, Iyer);
        # elsewhere it is a vowel (Reddy, Sanjay, Roy).
        (r"(?<!^)y(?![aeiou])", "i"),
        # i before a back vowel carries a y glide (Sonia/Soniya, Ria/Riya).
        (r"(?<![aeiou])i(?=[aou])", "iy"),
        # Trailing h after a vowel is silent (Fatimah/Fatima, Shah/Sah).
        (r"(?<=[aeiou])h+$", ""),
        # The rules above can create new doubles (Siddharth -> "sidd...").
        (r"([b-df-hj-np-tv-z])\1+", r"\1"),
    )
)

_SEGMENT = re.compile(r"[aeiou]+|[^aeiou]")


def _final_vowel_class(run: str) -> str:
    """Collapse a word-final vowel run to one of a / e / i / u.

    The final vowel often marks gender (Kumar/Kumari, Amit/Amita), so unlike
    interior vowels it is kept, but spelling variants of it are merged:
    a/aa/o -> a (Sharma, Subroto); i/ee/y/ie -> i (Reddy, Banerjee/Banerji);
    e/ey/ay/ai/oy -> e (Dubey/Dube, Sanjay/Sanjai, Roy/Rai); u/oo -> u (Raju).
    """
    if run[-1] == "u" or run.endswith("oo"):
        return "u"
    if run[-1] in "ao":
        return "a"
    if "ee" in run:
        return "i"
    if run[0] in "aeo":
        return "e"
    return "i"


@lru_cache(maxsize=65_536)  # names repeat (Kumar, Devi, Sharma): indexing a batch pays once per word
def phonetic_key(token: str) -> str:
    """Short ASCII key shared by common spelling variants of one name token.

    A token in an Indian script is its own key: the rules below are for Latin spellings.

    After the ordered consonant rules above, vowels are reduced as follows:
    * a leading vowel run becomes "u" if it starts with u/o and "a"
      otherwise, merging Iyer/Ayyar and Ishaan/Eshan but keeping
      Usha != Asha and Uma != Ama;
    * interior vowel runs are dropped unless they contain an i-sound
      ("i", "ee", or a vocalic y), which is kept as "i".  Romanisation of
      a/e/o/u is too unstable to keep (Luxmi, Mohammed/Muhammad,
      Chaudhary/Choudhury, Rehman/Rahman, and the inserted schwa of
      Krishanan/Agrawal) while i-sounds separate many distinct names
      (Kiran/Karan, Sunil/Sonal, Meena/Mona, Priya/Preeti);
    * a final vowel run is kept as one of a/e/i/u (see _final_vowel_class).

    Consequences, chosen deliberately: Ram != Rama (final vowel kept);
    Rama == Roma, Kamal == Komal (a/o not distinguished); Rima is separate.
    Yadav != Jadhav (y and j are never merged), z is not merged with j
    (Raza != Raja).  Single letters (initials) are returned unchanged.
    Tokens without letters (e.g. digits) are returned folded.
    """
    folded = fold(token).replace(" ", "")
    s = re.sub(r"[^a-z]", "", folded)
    if not s:
        return folded
    if len(s) == 1:
        return s
    for pattern, replacement in _RULES:
        s = pattern.sub(replacement, s)

    segments = _SEGMENT.findall(s)
    key: list[str] = []
    last = len(segments) - 1
    for i, seg in enumerate(segments):
        if seg[0] not in _VOWELS:
            key.append(seg)
        elif i == 0:
            key.append("u" if seg[0] in "uo" else "a")
        elif i == last:
            key.append(_final_vowel_class(seg))
        elif "i" in seg or "ee" in seg:
            key.append("i")
    return "".join(key)


# ---------------------------------------------------------------------------
# edit distance and delete neighbourhoods
# ---------------------------------------------------------------------------


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal-string-alignment distance between ``a`` and ``b``.

    Counts insertions, deletions, substitutions and swaps of two adjacent
    characters ("Rmaesh" -> "Ramesh" is 1).  Returns ``limit + 1`` as soon as
    the distance is known to exceed ``limit``; the exact value is returned
    only when it is ``<= limit``.
    """
    if limit < 0:
        raise ValueError("limit must be >= 0")
    if a == b:
        return 0
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    if not a or not b:
        return max(len(a), len(b))

    over = limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        ca = a[i - 1]
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cb = b[j - 1]
            cost = 0 if ca == cb else 1
            value = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, prev2[j - 2] + 1)
            cur[j] = value
        # No cell of a later row is smaller than this row's minimum (a swap
        # reaches back two rows, but prev2[j-2] + 1 >= prev[j-1] by the
        # diagonal step), so once this row exceeds the limit the answer does.
        if min(cur) > limit:
            return over
        prev2, prev = prev, cur
    return min(prev[-1], over)


def deletes(token: str) -> set[str]:
    """``token`` plus every string made by deleting one character from it.

    Two tokens within one insertion, deletion, substitution or adjacent swap
    of each other share at least one element of their delete sets
    ("sunita"/"sunitha", "ramesh"/"rmaesh").  Tokens shorter than 4
    characters return only themselves: a single edit on them is too
    likely to land on a different real name.
    """
    if len(token) < 4:
        return {token}
    return {token} | {token[:i] + token[i + 1 :] for i in range(len(token))}
