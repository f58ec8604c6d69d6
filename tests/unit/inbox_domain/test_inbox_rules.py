"""The inbox's pure rules: lifecycle stages, reply channels, delivery status order, previews."""

import pytest

from services.inbox import domain


@pytest.mark.parametrize("resolved, attributes, stage", [
    (0, {}, "prospect"), (1, {}, "new"), (3, {}, "returning"), (12, {}, "long_standing"),
    (0, {"key_account": True}, "key_account"), (7, {"key_account": "yes"}, "key_account"),
])
def test_lifecycle_stage_follows_history_and_the_key_account_flag(resolved, attributes, stage):
    assert domain.lifecycle_stage(resolved, attributes) == stage


def test_a_reply_defaults_to_the_channel_the_customer_last_wrote_on():
    assert domain.reply_channel(None, "sms", {"sms", "email"}) == "sms"


def test_a_reply_may_choose_another_channel_the_customer_can_be_reached_on():
    assert domain.reply_channel("email", "sms", {"sms", "email"}) == "email"


def test_a_reply_to_a_channel_without_an_identity_has_nowhere_to_go():
    assert domain.reply_channel("sms", "chat", {"chat"}) is None


@pytest.mark.parametrize("current, reported, result", [
    ("queued", "sent", "sent"), ("sent", "delivered", "delivered"), ("delivered", "sent", "delivered"),
    ("queued", "failed", "failed"), ("failed", "delivered", "failed"), ("sent", "queued", "sent"),
])
def test_delivery_status_only_moves_forward(current, reported, result):
    assert domain.next_delivery_status(current, reported) == result


def test_previews_are_one_line_and_bounded():
    text = "Hello\n\n  there " + "x" * 1000
    assert "\n" not in domain.preview(text)
    assert len(domain.preview(text)) == domain.PREVIEW_LENGTH


def test_channels_are_listed_once_each_in_the_order_first_used():
    assert domain.merged_channels(["email"], "sms") == ["email", "sms"]
    assert domain.merged_channels(["email", "sms"], "email") == ["email", "sms"]


@pytest.mark.parametrize("kind, given, stored", [
    ("email", " Ana@Example.COM ", "ana@example.com"),
    ("phone", "+1 (415) 555-0123", "+14155550123"),
    ("phone", "+44 20 7946 0958", "+442079460958"),
    ("chat", "session-1", "session-1"),
])
def test_identities_are_stored_in_one_spelling(kind, given, stored):
    assert domain.normalise_identity(kind, given) == stored


@pytest.mark.parametrize("kind, given", [
    ("email", "ana"), ("email", "ana@localhost"), ("email", "a na@example.com"),
    ("phone", "555-0123"), ("phone", "+1 555"), ("phone", "call me"), ("chat", "  "),
])
def test_values_that_are_not_identities_are_refused(kind, given):
    with pytest.raises(ValueError):
        domain.normalise_identity(kind, given)
