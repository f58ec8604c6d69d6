"""The search service on its own, for gunicorn: `gunicorn 'services.search.app:create_app()'`."""

from shared.process import service_app
from services.search.bootstrap import bootstrap


def create_app(settings=None):
    return service_app("search", bootstrap, settings)
