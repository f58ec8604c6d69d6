"""The email service's HTTP side on its own, for gunicorn: `gunicorn 'services.email.app:create_app()'`."""

from shared.process import service_app
from services.email.bootstrap import bootstrap


def create_app(settings=None):
    return service_app("email", bootstrap, settings)
