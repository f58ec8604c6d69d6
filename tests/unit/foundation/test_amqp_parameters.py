"""The confirming publisher reads broker URLs the way kombu does, so both reach the same vhost."""

from shared.messaging.confirming_publisher import Outgoing, amqp_parameters


def test_the_documented_double_slash_means_the_default_vhost():
    parameters = amqp_parameters("amqp://guest:guest@rabbitmq:5672//")
    assert (parameters.host, parameters.port, parameters.virtual_host) == ("rabbitmq", 5672, "/")


def test_a_named_vhost_and_credentials_are_taken_from_the_url():
    parameters = amqp_parameters("amqp://switchboard:s3cret@broker/sb-test-1")
    assert parameters.virtual_host == "sb-test-1"
    assert (parameters.credentials.username, parameters.credentials.password) == ("switchboard", "s3cret")
    assert parameters.port == 5672 and parameters.ssl_options is None


def test_amqps_uses_tls_on_its_own_port():
    parameters = amqp_parameters("amqps://u:p@broker.example/v%2Fx")
    assert (parameters.port, parameters.virtual_host) == (5671, "v/x")
    assert parameters.ssl_options is not None


def test_an_envelope_body_is_routed_by_its_type_and_identified_by_its_id():
    outgoing = Outgoing.of({"id": "e-1", "type": "message.stored", "payload": {}})
    assert (outgoing.routing_key, outgoing.message_id) == ("message.stored", "e-1")
