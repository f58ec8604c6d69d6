"""The relay client over TLS: smtps:// (TLS from the first byte) and smtp:// upgraded with STARTTLS.

A throwaway certificate for 127.0.0.1 is made with the openssl command; the client is told
to trust it, as a deployment would trust its relay's certificate authority.
"""

import ssl
import subprocess
from email.message import EmailMessage

import pytest
from aiosmtpd.smtp import AuthResult

from services.email.relay import RelayError, SmtpRelay
from tests.integration.email.smtp_sink import SinkHandler, SinkController


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    return cert, key


def contexts(certificate):
    cert, key = certificate
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.load_cert_chain(cert, key)
    client = ssl.create_default_context(cafile=str(cert))
    return server, client


def a_reply() -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "support@example.com", "ana@example.com", "Re: TLS"
    message.set_content("Sent over TLS.")
    return message


def test_smtps_speaks_tls_from_the_first_byte(certificate):
    server_context, client_context = contexts(certificate)
    handler = SinkHandler()
    controller = SinkController(handler, hostname="127.0.0.1", port=0, ssl_context=server_context)
    controller.start()
    try:
        relay = SmtpRelay.from_url(f"smtps://127.0.0.1:{controller.port}", ssl_context=client_context)
        relay.send(a_reply(), sender="support@example.com", recipient="ana@example.com")
    finally:
        controller.stop()
    assert handler.received[0].message["Subject"] == "Re: TLS"


def test_smtp_upgrades_with_starttls_before_logging_in(certificate):
    server_context, client_context = contexts(certificate)
    handler = SinkHandler()
    controller = SinkController(handler, hostname="127.0.0.1", port=0, tls_context=server_context,
                                 require_starttls=True, auth_require_tls=True,
                                 authenticator=lambda *args: AuthResult(success=True))
    controller.start()
    try:
        relay = SmtpRelay.from_url(f"smtp://user:secret@127.0.0.1:{controller.port}", ssl_context=client_context)
        relay.send(a_reply(), sender="support@example.com", recipient="ana@example.com")
    finally:
        controller.stop()
    assert len(handler.received) == 1


def test_a_relay_whose_certificate_is_not_trusted_is_a_temporary_failure(certificate):
    server_context, _ = contexts(certificate)
    controller = SinkController(SinkHandler(), hostname="127.0.0.1", port=0, ssl_context=server_context)
    controller.start()
    try:
        with pytest.raises(RelayError) as failed:
            SmtpRelay.from_url(f"smtps://127.0.0.1:{controller.port}").send(
                a_reply(), sender="support@example.com", recipient="ana@example.com")
    finally:
        controller.stop()
    assert not failed.value.permanent and "CERTIFICATE_VERIFY_FAILED" in failed.value.reason
