"""The one phone module: every way a Brazilian types a number becomes one E.164 string."""

import pytest

from whatsapp_saas import phones
from whatsapp_saas.errors import UserError


@pytest.mark.parametrize(
    "typed",
    ["(11) 98888-7777", "011988887777", "+55 11 98888 7777", "5511988887777",
     "5511988887777@s.whatsapp.net", "5511988887777:12@s.whatsapp.net"],
)
def test_brazilian_forms_become_one_number(typed: str) -> None:
    assert phones.to_e164(typed) == "+5511988887777"


@pytest.mark.parametrize("junk", ["", "abc", "123", "+99 1", "1234@lid"])
def test_junk_is_refused(junk: str) -> None:
    assert phones.to_e164(junk) is None
    with pytest.raises(UserError) as error:
        phones.require_e164(junk)
    assert error.value.code == "error.phone_invalid"


def test_shown_for_people() -> None:
    assert phones.for_people("+5511988887777") == "+55 11 98888-7777"
    assert phones.for_people("+16502530000") == "+1 650-253-0000"
    assert phones.for_people("not a phone") == "not a phone"
    assert phones.to_jid("+5511988887777") == "5511988887777@s.whatsapp.net"


def test_region_of_a_number() -> None:
    assert phones.region_of("+5511988887777") == "BR"
    assert phones.region_of("+16502530000") == "US"
    assert phones.region_of("") is None
    assert phones.region_of("junk") is None
