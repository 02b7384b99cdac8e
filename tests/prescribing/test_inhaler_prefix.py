"""'Inh' before a name is the inhaler form (Indian prescriptions write 'Inh Budecort 200'); 'INH' with
its strength is isoniazid. Reading the first as isoniazid put a TB drug on an asthma prescription."""

from core.prescribing.catalogue import shipped_catalogue
from core.prescribing.expand import expand


def test_inh_before_a_name_is_an_inhaler_not_isoniazid():
    e = expand("Inh Budecort 200 2 puffs BD", shipped_catalogue())
    assert (e.form, e.route, e.generic, e.dose_unit) == ("inhaler", "inhalation", "Budesonide", "puff")
    assert not e.ambiguities


def test_inh_with_a_strength_is_still_isoniazid():
    for line in ("INH 300 OD x 6 months", "Tab INH 300 OD"):
        assert expand(line, shipped_catalogue()).generic == "Isoniazid"
