"""The routing service on its own, for gunicorn: `gunicorn 'services.routing.app:create_app()'`."""

from shared.process import service_app
from services.routing.bootstrap import bootstrap


def create_app(settings=None):
    return service_app("routing", bootstrap, settings)
