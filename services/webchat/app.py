"""The web chat service on its own, for gunicorn: `gunicorn 'services.webchat.app:create_app()'`."""

from shared.process import service_app
from services.webchat.bootstrap import bootstrap


def create_app(settings=None):
    return service_app("webchat", bootstrap, settings)
