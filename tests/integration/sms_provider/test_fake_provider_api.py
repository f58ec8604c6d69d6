import pytest
import requests

from tests.support.twilio_provider import FakeTwilioProvider


def _post(provider, path, form, auth=None):
    auth = auth or (provider.account_sid, provider.auth_token)
    return requests.post(provider.api_base + path, data=form, auth=auth, timeout=10)


def _messages_path(provider):
    return f"/2010-04-01/Accounts/{provider.account_sid}/Messages.json"


def test_an_unknown_path_is_answered_with_twilios_not_found_error(twilio_provider):
    response = _post(twilio_provider, "/2010-04-01/Accounts/x/Calls.json", {"To": "+14155550123"})
    assert response.status_code == 404
    assert response.json()["code"] == 20404


def test_a_missing_to_is_refused_with_its_own_code(twilio_provider):
    response = _post(twilio_provider, _messages_path(twilio_provider), {"From": "+14155550100", "Body": "x"})
    assert (response.status_code, response.json()["code"]) == (400, 21604)


def test_a_bad_sender_is_refused(twilio_provider):
    form = {"To": "+14155550123", "From": "not a sender!", "Body": "x"}
    assert _post(twilio_provider, _messages_path(twilio_provider), form).json()["code"] == 21212


def test_a_body_over_1600_characters_is_refused(twilio_provider):
    form = {"To": "+14155550123", "From": "+14155550100", "Body": "x" * 1601}
    assert _post(twilio_provider, _messages_path(twilio_provider), form).json()["code"] == 21617


def test_a_short_code_sender_is_accepted_and_the_answer_looks_like_twilios(twilio_provider):
    form = {"To": "+14155550123", "From": "22395", "Body": "hello"}
    response = _post(twilio_provider, _messages_path(twilio_provider), form)
    assert response.status_code == 201
    payload = response.json()
    assert payload["direction"] == "outbound-api"
    assert payload["uri"] == f"{_messages_path(twilio_provider)[:-5]}/{payload['sid']}.json"


def test_a_429_carries_retry_after(twilio_provider):
    twilio_provider.fail_next(1, 429, retry_after="3")
    response = _post(twilio_provider, _messages_path(twilio_provider), {})
    assert (response.status_code, response.headers["Retry-After"]) == (429, "3")
    assert response.json()["code"] == 20429


def test_unauthorised_requests_do_not_use_up_scripted_failures(twilio_provider):
    twilio_provider.fail_next(1, 500)
    assert _post(twilio_provider, _messages_path(twilio_provider), {}, auth=("x", "y")).status_code == 401
    assert _post(twilio_provider, _messages_path(twilio_provider), {}).status_code == 500


def test_the_provider_frees_its_port_when_stopped():
    with FakeTwilioProvider() as provider:
        api_base = provider.api_base
    with pytest.raises(requests.ConnectionError):
        requests.get(api_base, timeout=2)
