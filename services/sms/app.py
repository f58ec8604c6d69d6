"""The SMS service on its own, for gunicorn: `gunicorn 'services.sms.app:create_app()'`."""

from shared.process import service_app
from services.sms.bootstrap import bootstrap


def create_app(settings=None):
    return service_app("sms", bootstrap, settings)
