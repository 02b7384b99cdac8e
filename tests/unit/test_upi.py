"""The UPI payment link a patient's phone reads from the QR code: the NPCI `upi://pay` format, amounts
with two decimals, values percent-encoded, and a clear refusal for an id or amount no app would take."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.errors import InvalidInput
from core.payments.upi import MAX_PAISE, upi_payment_uri, valid_vpa


def _params(uri: str) -> dict[str, str]:
    parts = urlsplit(uri)
    assert (parts.scheme, parts.netloc) == ("upi", "pay")
    return dict(parse_qsl(parts.query, keep_blank_values=True, strict_parsing=True))


def test_the_link_names_payee_amount_currency_note_and_reference_in_order():
    uri = upi_payment_uri("shanticlinic@okhdfc", "Shanti Clinic", 85000, note="Receipt 20260314-007", reference="20260314007")
    assert uri == ("upi://pay?pa=shanticlinic@okhdfc&pn=Shanti%20Clinic&am=850.00&cu=INR"
                   "&tn=Receipt%2020260314-007&tr=20260314007")


def test_note_and_reference_are_left_out_when_not_given():
    assert upi_payment_uri("dr.rao-clinic_1@ybl", "Dr Rao", 1) == "upi://pay?pa=dr.rao-clinic_1@ybl&pn=Dr%20Rao&am=0.01&cu=INR"


@pytest.mark.parametrize("paise, shown", [(1, "0.01"), (50, "0.50"), (100, "1.00"), (12345, "123.45"), (10_000_000, "100000.00")])
def test_amounts_are_rupees_with_two_decimals_and_no_grouping(paise, shown):
    assert _params(upi_payment_uri("clinic@upi", "Clinic", paise))["am"] == shown


def test_names_and_notes_with_symbols_and_devanagari_survive_the_trip():
    uri = upi_payment_uri("clinic@upi", "Rao & Sons Clinic #2", 100, note="फ़ीस + दवा = 100%")
    assert " " not in uri and "+" not in uri.split("?", 1)[1].replace("%2B", "")  # a space is %20, never '+'
    params = _params(uri)
    assert params["pn"] == "Rao & Sons Clinic #2"
    assert params["tn"] == "फ़ीस + दवा = 100%"


@pytest.mark.parametrize("vpa", ["clinic", "clinic@", "@okhdfc", "cli nic@okhdfc", "clinic@ok1hdfc", "c@okhdfc", "clinic@@okhdfc", ""])
def test_an_id_that_is_not_handle_at_bank_is_refused_with_the_shape_explained(vpa):
    with pytest.raises(InvalidInput) as refused:
        upi_payment_uri(vpa, "Clinic", 100)
    assert "is not a UPI id" in refused.value.problems["upi_id"] and "@" in refused.value.problems["upi_id"]
    assert not valid_vpa(vpa)


@pytest.mark.parametrize("amount, says", [(0, "more than ₹0"), (-500, "more than ₹0"), (MAX_PAISE + 1, "more than a clinic bill"),
                                          (12.5, "not an amount in paise"), (True, "not an amount in paise")])
def test_an_amount_no_app_would_take_is_refused(amount, says):
    with pytest.raises(InvalidInput) as refused:
        upi_payment_uri("clinic@okhdfc", "Clinic", amount)
    assert says in refused.value.problems["amount"]


def test_a_reference_with_symbols_or_too_long_and_a_long_note_are_refused():
    with pytest.raises(InvalidInput) as refused:
        upi_payment_uri("clinic@okhdfc", "Clinic", 100, note="x" * 51, reference="R-1")
    assert set(refused.value.problems) == {"note", "reference"}
    with pytest.raises(InvalidInput):
        upi_payment_uri("clinic@okhdfc", "Clinic", 100, reference="A" * 36)
    with pytest.raises(InvalidInput) as refused:
        upi_payment_uri("clinic@okhdfc", "   ", 100)
    assert "payee's name is missing" in refused.value.problems["payee_name"]


@given(paise=st.integers(min_value=1, max_value=MAX_PAISE), name=st.text(min_size=1, max_size=60).filter(lambda s: s.split()))
def test_any_amount_and_name_read_back_exactly(paise, name):
    params = _params(upi_payment_uri("clinic@okhdfc", name, paise))
    assert params["pa"] == "clinic@okhdfc" and params["cu"] == "INR"
    assert params["pn"] == " ".join(name.split())
    rupees, _, fraction = params["am"].partition(".")
    assert len(fraction) == 2 and int(rupees) * 100 + int(fraction) == paise
