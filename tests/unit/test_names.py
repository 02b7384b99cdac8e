"""Behaviour of the name-search primitives in core.search.names.

Each test is phrased as something a receptionist would notice at the desk.
"""

from __future__ import annotations

import itertools
import random

import pytest

from core.search.names import (
    PHONETIC_VERSION,
    deletes,
    edit_distance,
    fold,
    name_tokens,
    phonetic_key,
)

# ---------------------------------------------------------------------------
# fold
# ---------------------------------------------------------------------------


def test_fold_lowercases_and_collapses_punctuation():
    assert fold("  RAMESH   Kumar, Sharma. ") == "ramesh kumar sharma"


def test_fold_strips_diacritics_so_typing_zoe_finds_zoe_with_umlaut():
    assert fold("Zoë") == "zoe"
    assert fold("Ñandini") == "nandini"
    assert fold("Āśā Kṛṣṇan") == "asa krsnan"


def test_fold_handles_letters_without_unicode_decomposition():
    assert fold("Søren Łukasz") == "soren lukasz"
    assert fold("Straße") == "strasse"


def test_fold_of_nothing_is_empty():
    assert fold(None) == ""
    assert fold("") == ""
    assert fold("  ...  ") == ""


def test_fold_keeps_digits():
    assert fold("Bed-12") == "bed 12"


# ---------------------------------------------------------------------------
# name_tokens
# ---------------------------------------------------------------------------


def test_titles_do_not_drive_search():
    assert name_tokens("Mrs. Anita Sharma") == ["anita", "sharma"]
    assert name_tokens("Dr Rajesh Gupta") == ["rajesh", "gupta"]
    assert name_tokens("Smt. Lakshmi Devi") == ["lakshmi", "devi"]
    assert name_tokens("Miss Pooja") == ["pooja"]


def test_sri_and_shri_are_kept_because_they_are_often_part_of_the_name():
    assert name_tokens("Sri Devi") == ["sri", "devi"]
    assert name_tokens("Shri Ram Verma") == ["shri", "ram", "verma"]


def test_kumari_is_kept_because_it_is_a_real_middle_name_or_surname():
    assert name_tokens("Anita Kumari") == ["anita", "kumari"]


def test_a_lone_title_is_not_dropped():
    assert name_tokens("Dr") == ["dr"]
    assert name_tokens("Mr.") == ["mr"]


def test_mohd_is_expanded_so_it_matches_mohammed():
    assert name_tokens("Mohd. Rafi") == ["mohammed", "rafi"]
    assert name_tokens("Mohd") == ["mohammed"]


def test_md_is_expanded_only_before_another_name():
    assert name_tokens("Md Salim") == ["mohammed", "salim"]
    assert name_tokens("MD") == ["md"]
    assert name_tokens("Salim MD") == ["salim", "md"]


def test_initials_are_kept():
    assert name_tokens("K. Srinivas") == ["k", "srinivas"]
    assert name_tokens("S K Sharma") == ["s", "k", "sharma"]


def test_relation_markers_in_registers_are_dropped():
    assert name_tokens("Ramesh S/O Suresh") == ["ramesh", "suresh"]
    assert name_tokens("B/O Anita") == ["anita"]


def test_empty_name_gives_no_tokens():
    assert name_tokens("") == []
    assert name_tokens(None) == []
    assert name_tokens("  ,. ") == []


# ---------------------------------------------------------------------------
# phonetic_key: variants that must find each other
# ---------------------------------------------------------------------------

SAME_NAME_GROUPS = [
    ["Lakshmi", "Laxmi", "Luxmi"],
    ["Sharma", "Sarma"],
    ["Mohammed", "Muhammad", "Mohammad", "Mohamed", "Muhammed"],
    ["Chaudhary", "Choudhary", "Chowdhury", "Chaudhari", "Choudhury"],
    ["Srinivas", "Shrinivas", "Sreenivas", "Shreenivas"],
    ["Venkatesh", "Wenkatesh"],
    ["Gupta", "Guptha"],
    ["Kumar", "Kumaar"],
    ["Deepak", "Dipak"],
    ["Pooja", "Puja"],
    ["Reddy", "Reddi"],
    ["Jyoti", "Jyothi"],
    ["Rajesh", "Rajes"],
    ["Agarwal", "Aggarwal", "Agrawal"],
    ["Iyer", "Ayyar"],
    ["Krishnan", "Krishanan"],
    ["Shaikh", "Sheikh", "Shaik"],
    ["Seema", "Sima"],
    ["Sunita", "Sunitha"],
    ["Gaurav", "Gourav", "Gorav"],
    ["Saurabh", "Sourabh"],
    ["Rahman", "Rehman"],
    ["Ahmed", "Ahmad"],
    ["Siddiqui", "Siddiqi", "Siddiki"],
    ["Qureshi", "Kureshi"],
    ["Falguni", "Phalguni"],
    ["Subhash", "Subash"],
    ["Sanjay", "Sanjai"],
    ["Sumit", "Sumeet"],
    ["Dubey", "Dube"],
    ["Roy", "Rai", "Ray"],
    ["Sonia", "Soniya"],
    ["Vikas", "Bikash"],
    ["Banerjee", "Banerji", "Bannerjee"],
    ["Fatima", "Fatimah"],
    ["Raju", "Rajoo"],
    ["Siddharth", "Sidharth"],
    ["Ishaan", "Eshan"],
]


@pytest.mark.parametrize("group", SAME_NAME_GROUPS, ids=lambda g: "/".join(g))
def test_spelling_variants_find_each_other(group):
    keys = {name: phonetic_key(name) for name in group}
    assert len(set(keys.values())) == 1, keys


def test_typing_laxmi_finds_lakshmi():
    assert phonetic_key("Laxmi") == phonetic_key("Lakshmi")


def test_typing_mohd_finds_muhammad_after_token_expansion():
    (expanded,) = name_tokens("Mohd")
    assert phonetic_key(expanded) == phonetic_key("Muhammad")


def test_key_ignores_case_and_diacritics():
    assert phonetic_key("LAKSHMI") == phonetic_key("lakshmi")
    assert phonetic_key("Lakṣmī") == phonetic_key("Lakshmi")


def test_joyti_is_a_typo_not_a_spelling_variant_and_is_caught_by_edit_distance():
    # Swapped letters are the edit-distance path's job, not the phonetic key's.
    assert phonetic_key("Joyti") != phonetic_key("Jyoti")
    assert edit_distance("joyti", "jyoti", 2) == 1


# ---------------------------------------------------------------------------
# phonetic_key: names that must stay apart
# ---------------------------------------------------------------------------

DIFFERENT_NAME_PAIRS = [
    ("Yadav", "Jadhav"),
    ("Priya", "Preeti"),
    ("Amit", "Anita"),
    ("Singh", "Sinha"),
    ("Anil", "Sunil"),
    ("Ramesh", "Rakesh"),
    ("Mahesh", "Mukesh"),
    ("Kiran", "Karan"),
    ("Sunil", "Sonal"),
    ("Meena", "Mona"),
    ("Asha", "Usha"),
    ("Kumar", "Kumari"),
    ("Amit", "Amita"),
    ("Arun", "Aruna"),
    ("Raju", "Raja"),
    ("Raja", "Raza"),
    ("Ram", "Rama"),
    ("Rima", "Roma"),
    ("Vijay", "Vinay"),
    ("Rahul", "Rohit"),
]


@pytest.mark.parametrize("a,b", DIFFERENT_NAME_PAIRS, ids=lambda n: n)
def test_different_names_do_not_flood_the_results(a, b):
    assert phonetic_key(a) != phonetic_key(b)


# Distinct common names and surnames (no two are spellings of one name).
COMMON_NAMES = """
Aarav Aditya Ajay Akash Amit Amar Anand Anil Anjali Ankit Anita Anju Arjun
Arun Aruna Asha Ashok Ayesha Deepa Devi Dinesh Divya Farhan Gaurav Geeta
Gopal Hari Harish Imran Irfan Jaya Karan Kavita Kiran Komal Kamal Krishna
Kumar Kumari Lata Madhu Mahesh Manoj Meena Mona Mohan Mukesh Nandini Neha
Nikhil Nisha Pankaj Pooja Prakash Priya Preeti Rahul Rajesh Rakesh Ramesh
Rani Ravi Raju Rekha Rohit Sachin Salman Sandeep Sanjay Santosh Sarita Seema
Shweta Sita Sonal Sunil Suresh Sushma Swati Tarun Uma Usha Varun Vijay
Vinay Vinod Vivek Yogesh Zoya Rama Ram Rima Roma Nitin Naveen Nalini Pradeep
Praveen Radha Rohan Rajan Sunita Sumit Suman Tanvi Tina Tanya Vandana Vanita
Abdul Ali Asif Aziz Faisal Hussain Iqbal Javed Khalid Nasir Rashid Salim
Shahid Tariq Yusuf Zubair Raza Raja Sharma Verma Gupta Singh Sinha Patel
Shah Mehta Joshi Kulkarni Deshpande Patil Jadhav Yadav Pawar Nair Menon
Pillai Iyer Reddy Rao Naidu Das Dutta Ghosh Bose Sen Banerjee Mukherjee
Chatterjee Khan Ansari Qureshi Siddiqui Mishra Tiwari Pandey Dubey Tripathi
Shukla Srivastava Saxena Kapoor Malhotra Chopra Arora Bhatia Sethi Jain
Agarwal Bansal Goyal Mittal Garg Thakur Chauhan Rathore Rajput Naik Gowda
Hegde Shetty Kamath Pai Bhat Biswas Sahu Behera Mohanty Panda Nayak
Mahato Paswan Kaur Gill Sandhu
""".split()

# Collisions we accept: a/o are not distinguished inside or at the end of a
# name, and t/th and e/i endings are merged.  Adding a rule that creates a new
# collision among COMMON_NAMES must be a deliberate decision recorded here.
ACCEPTED_COLLISIONS = {
    frozenset({"Komal", "Kamal"}),
    frozenset({"Rama", "Roma"}),
    frozenset({"Mehta", "Mahato"}),
    frozenset({"Sethi", "Shetty"}),
}


def test_collision_noise_among_distinct_common_names_stays_small():
    assert len(COMMON_NAMES) == len(set(COMMON_NAMES))
    collisions = {
        frozenset({a, b})
        for a, b in itertools.combinations(COMMON_NAMES, 2)
        if phonetic_key(a) == phonetic_key(b)
    }
    assert collisions == ACCEPTED_COLLISIONS
    # The noise measure: under 5% of these names share a key with another.
    noisy_names = set().union(*collisions)
    assert len(noisy_names) / len(COMMON_NAMES) < 0.05


def test_key_is_short_lowercase_ascii():
    for name in COMMON_NAMES + ["Venkatasubramanian", "Bhattacharjee"]:
        key = phonetic_key(name)
        assert key and key.isascii() and key.isalpha() and key.islower(), name
        assert len(key) <= len(name) + 1


def test_initials_keep_their_own_letter():
    assert phonetic_key("K") == "k"
    assert phonetic_key("a") != phonetic_key("i")


def test_empty_and_non_letter_tokens():
    assert phonetic_key("") == ""
    assert phonetic_key("12") == "12"


def test_stored_keys_are_stable_for_this_version():
    # Changing any of these means every stored key is stale: bump
    # PHONETIC_VERSION and reindex, then update this table.
    assert PHONETIC_VERSION == 1
    expected = {
        "Lakshmi": "lxmi",
        "Mohammed": "mhmd",
        "Chaudhary": "cdri",
        "Srinivas": "srinivs",
        "Agarwal": "agrvl",
        "Iyer": "ayr",
        "Usha": "usa",
        "Sanjay": "snje",
    }
    assert {name: phonetic_key(name) for name in expected} == expected


# ---------------------------------------------------------------------------
# edit_distance
# ---------------------------------------------------------------------------


def test_swapped_letters_count_as_one_slip():
    assert edit_distance("rmaesh", "ramesh", 2) == 1
    assert edit_distance("sunita", "suntia", 2) == 1


def test_single_slips_count_as_one():
    assert edit_distance("sunita", "sunitha", 2) == 1  # missing letter
    assert edit_distance("ramesh", "rameh", 2) == 1  # extra letter
    assert edit_distance("ramesh", "rakesh", 2) == 1  # wrong letter
    assert edit_distance("ramesh", "ramesh", 2) == 0


def test_distance_stops_early_once_over_the_limit():
    assert edit_distance("ramesh", "priyanka", 2) == 3
    assert edit_distance("abcdef", "uvwxyz", 1) == 2
    assert edit_distance("ram", "ramachandran", 3) == 4


def test_distance_with_empty_strings():
    assert edit_distance("", "", 2) == 0
    assert edit_distance("", "ab", 2) == 2
    assert edit_distance("abc", "", 2) == 3


def test_osa_does_not_edit_a_swapped_pair_twice():
    # Optimal string alignment (not unrestricted Damerau): "ca" -> "abc" is 3.
    assert edit_distance("ca", "abc", 5) == 3


def test_negative_limit_is_rejected():
    with pytest.raises(ValueError):
        edit_distance("a", "b", -1)


def _reference_osa(a: str, b: str) -> int:
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


def test_distance_agrees_with_full_table_on_random_names():
    rng = random.Random(20240601)
    for _ in range(3000):
        a = "".join(rng.choice("aeinrs") for _ in range(rng.randint(0, 8)))
        b = "".join(rng.choice("aeinrs") for _ in range(rng.randint(0, 8)))
        limit = rng.randint(0, 4)
        full = _reference_osa(a, b)
        assert edit_distance(a, b, limit) == min(full, limit + 1), (a, b, limit)


# ---------------------------------------------------------------------------
# deletes
# ---------------------------------------------------------------------------


def test_deletes_contains_token_and_each_single_deletion():
    assert deletes("ravi") == {"ravi", "avi", "rvi", "rai", "rav"}


def test_short_tokens_are_not_expanded():
    assert deletes("ram") == {"ram"}
    assert deletes("k") == {"k"}
    assert deletes("") == {""}


def test_typing_sunita_finds_sunitha():
    assert deletes("sunita") & deletes("sunitha")


def test_typing_rmaesh_finds_ramesh():
    assert deletes("ramesh") & deletes("rmaesh")


def test_typing_rakesh_for_ramesh_still_offers_ramesh_as_a_candidate():
    assert deletes("ramesh") & deletes("rakesh")


def test_any_single_slip_shares_a_delete():
    rng = random.Random(7)
    for _ in range(2000):
        word = "".join(rng.choice("abdeikmnrsu") for _ in range(rng.randint(5, 9)))
        i = rng.randrange(len(word) - 1)
        slips = [
            word[:i] + word[i + 1 :],  # missed a letter
            word[:i] + "x" + word[i:],  # extra letter
            word[:i] + "x" + word[i + 1 :],  # wrong letter
            word[:i] + word[i + 1] + word[i] + word[i + 2 :],  # swapped letters
        ]
        for slip in slips:
            assert deletes(word) & deletes(slip), (word, slip)
