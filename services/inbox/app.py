"""The inbox service on its own, for gunicorn: `gunicorn 'services.inbox.app:create_app()'`."""

from shared.process import service_app
from services.inbox.bootstrap import bootstrap


def create_app(settings=None):
    return service_app("inbox", bootstrap, settings)
