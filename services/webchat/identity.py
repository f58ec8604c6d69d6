"""Pure rules about chat visitors: tokens and verified emails."""

from __future__ import annotations

import hashlib
import hmac
import secrets


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """Tokens are stored only as hashes, so a leaked table does not open anyone's chat."""
    return hashlib.sha256(token.encode()).hexdigest()


def token_matches(token: str, token_hash: str) -> bool:
    return hmac.compare_digest(hash_token(token), token_hash)


def expected_user_hash(secret: str, email: str) -> str:
    """What the customer's site computes: hex HMAC-SHA256 of the email under the shared secret."""
    return hmac.new(secret.encode(), email.encode(), hashlib.sha256).hexdigest()


def is_email_verified(secret: str | None, email: str | None, user_hash: str | None) -> bool:
    """An email counts as verified only with a matching `user_hash` and a configured secret."""
    if not (secret and email and user_hash):
        return False
    return hmac.compare_digest(expected_user_hash(secret, email), user_hash.strip().lower())
