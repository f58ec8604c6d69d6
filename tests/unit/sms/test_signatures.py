import base64
import hashlib
import hmac

import pytest

from services.sms.adapters.signatures import check_twilio_signature
from tests.support.sms_forms import load_form

TOKEN = "12345abcde"
URL = "https://switchboard.example.com/webhooks/sms/twilio"


def _twilio_signature(token, url, form):
    """Sign as Twilio documents it: HMAC-SHA1 of the URL then each sorted name+value, base64."""
    data = url + "".join(name + form[name] for name in sorted(form))
    digest = hmac.new(token.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


@pytest.fixture
def form():
    return load_form("inbound_plain.txt")


def test_a_signature_made_as_twilio_makes_it_is_accepted(form):
    assert check_twilio_signature(TOKEN, URL, form, _twilio_signature(TOKEN, URL, form))


def test_a_form_with_unicode_and_emoji_verifies(form):
    form = load_form("inbound_unicode_emoji.txt")
    assert check_twilio_signature(TOKEN, URL, form, _twilio_signature(TOKEN, URL, form))


def test_a_tampered_body_is_refused(form):
    signature = _twilio_signature(TOKEN, URL, form)
    assert not check_twilio_signature(TOKEN, URL, {**form, "Body": "refund me now"}, signature)


def test_an_added_field_is_refused(form):
    signature = _twilio_signature(TOKEN, URL, form)
    assert not check_twilio_signature(TOKEN, URL, {**form, "NumMedia": "1"}, signature)


@pytest.mark.parametrize(
    "other_url",
    [
        "http://switchboard.example.com/webhooks/sms/twilio",
        "https://switchboard.example.com/webhooks/sms/twilio/status",
        "https://evil.example.com/webhooks/sms/twilio",
        URL + "?replay=1",
    ],
)
def test_a_signature_for_another_url_is_refused(form, other_url):
    assert not check_twilio_signature(TOKEN, other_url, form, _twilio_signature(TOKEN, URL, form))


def test_the_default_port_written_out_still_matches_as_twilio_allows(form):
    signature = _twilio_signature(TOKEN, URL, form)
    with_port = URL.replace("example.com/", "example.com:443/")
    assert check_twilio_signature(TOKEN, with_port, form, signature)


def test_a_signature_made_with_another_token_is_refused(form):
    signature = _twilio_signature("someone-elses-token", URL, form)
    assert not check_twilio_signature(TOKEN, URL, form, signature)


@pytest.mark.parametrize("signature", [None, "", "not base64 at all", "AAAA"])
def test_a_missing_or_garbled_signature_is_refused(form, signature):
    assert not check_twilio_signature(TOKEN, URL, form, signature)


def test_without_an_auth_token_nothing_is_accepted_even_if_signed_with_an_empty_key(form):
    assert not check_twilio_signature("", URL, form, _twilio_signature("", URL, form))
