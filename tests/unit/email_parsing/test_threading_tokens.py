"""A conversation token rides in the Reply-To plus-address and is found again in the recipients."""

import pytest

from services.email.parsing import find_conversation_token, reply_to_address

INBOX = "support@northwind.example"


def test_the_reply_to_address_plus_addresses_the_inbox():
    assert reply_to_address(INBOX, "7f3k9q2x") == "support+c-7f3k9q2x@northwind.example"


def test_the_token_is_found_again_among_the_recipients():
    recipients = ["someone@else.example", "Northwind <support+c-7f3k9q2x@northwind.example>"]
    assert find_conversation_token(recipients, INBOX) == "7f3k9q2x"


def test_local_part_and_domain_are_compared_without_case():
    assert find_conversation_token(["SUPPORT+C-AB12@Northwind.Example"], INBOX) == "ab12"


@pytest.mark.parametrize("recipients", [
    ["support@northwind.example"], ["support+c-ab12@other.example"], ["sales+c-ab12@northwind.example"],
    ["support+c-@northwind.example"], ["support+c-bad token@northwind.example"], ["not an address"], [],
])
def test_recipients_without_a_valid_token_give_none(recipients):
    assert find_conversation_token(recipients, INBOX) is None


def test_an_inbox_that_already_uses_a_plus_keeps_it():
    inbox = "support+eu@northwind.example"
    address = reply_to_address(inbox, "k1")
    assert address == "support+eu+c-k1@northwind.example"
    assert find_conversation_token([address], inbox) == "k1"


@pytest.mark.parametrize("token", ["", "UPPER", "has space", "a/b", "x" * 65, "-leading"])
def test_tokens_that_would_not_survive_a_mail_round_trip_are_refused(token):
    with pytest.raises(ValueError, match="conversation token"):
        reply_to_address(INBOX, token)


def test_an_inbox_address_without_a_domain_is_refused():
    with pytest.raises(ValueError, match="not an inbox address"):
        reply_to_address("support", "ab12")
