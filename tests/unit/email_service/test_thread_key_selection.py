"""The email consumer reads only the stored messages that are emails; odd bodies are kept to be dead-lettered."""

from services.email.thread_keys import about_email


def stored(channel: str) -> dict:
    return {"type": "message.stored", "payload": {"message": {"id": "m-1", "channel": channel}}}


def test_only_emails_and_bodies_too_odd_to_tell_are_read_further():
    bodies = [stored("email"), stored("chat"), stored("sms"), {"type": "message.stored"}, {"payload": []}, "text"]
    assert about_email(bodies) == [True, False, False, True, True, True]
