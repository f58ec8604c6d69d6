"""Chat visitors: tokens stored only as hashes, emails verified only by the site's HMAC."""

from services.webchat import identity

SECRET = "site-shared-secret"


def test_a_token_matches_only_its_own_hash():
    token = identity.new_session_token()
    assert identity.token_matches(token, identity.hash_token(token))
    assert not identity.token_matches(token + "x", identity.hash_token(token))


def test_an_email_with_the_sites_hmac_is_verified():
    user_hash = identity.expected_user_hash(SECRET, "ana@example.com")
    assert identity.is_email_verified(SECRET, "ana@example.com", user_hash)


def test_an_email_with_a_wrong_or_missing_hash_is_not_verified():
    wrong = identity.expected_user_hash("another secret", "ana@example.com")
    assert not identity.is_email_verified(SECRET, "ana@example.com", wrong)
    assert not identity.is_email_verified(SECRET, "ana@example.com", None)


def test_without_a_configured_secret_no_email_is_verified():
    user_hash = identity.expected_user_hash(SECRET, "ana@example.com")
    assert not identity.is_email_verified(None, "ana@example.com", user_hash)
