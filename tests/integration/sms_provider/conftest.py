from tests.support.twilio_provider import twilio_provider  # noqa: F401  (a pytest fixture)
